"""Forward migrations of record documents, one schema step at a time.

Schema 1 (the first prototype) named some fields differently: a concern had a
single `category`; a gathering had `start`/`end` and `visited`. Pure functions:
the store runs them on old files, the hub on pushes from devices not yet updated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.domain.record import SCHEMA


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    if doc.get("kind") == "concern" and "category" in doc:
        category = doc.pop("category")
        doc["categories"] = [category] if category else []
    if doc.get("kind") == "gathering":
        for old, new in (("start", "start_time"), ("end", "end_time"), ("visited", "staff_visited")):
            if old in doc:
                doc[new] = doc.pop(old)
    doc["schema"] = 2
    return doc


STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document brought up to the current schema (a new dict; input untouched)."""
    out = dict(doc)
    version = out.get("schema", 1)
    # bool is an int to Python: `"schema": true` must not pass for schema 1
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA:
        raise ValueError(f"unknown record schema {version!r}")
    while version < SCHEMA:
        out = STEPS[version](out)
        version += 1
    return out
