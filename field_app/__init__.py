"""Ibasho Field Notes: offline-first field records for community welfare staff."""

__version__ = "0.1.0"
