"""The reference data the office edits: referral destinations and program settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Destination(BaseModel):
    key: str
    ja: str
    en: str
    phone: str
    emergency: bool
    retired: bool


class ProgramSettings(BaseModel):
    grant_cap_yen: int
    requires_registration: bool
    conditions: list[dict[str, Any]] = Field(
        description="the grant conditions, each version with the day it is in force from")
    frequency_ja: str
    frequency_en: str


class ReferenceDoc(BaseModel):
    destinations: list[Destination]
    programs: dict[str, ProgramSettings]


class ReferenceBody(BaseModel):
    """Destinations (the whole list: add, edit, retire) and/or program settings;
    core/domain/overrides.py checks them."""

    model_config = ConfigDict(extra="allow")
    destinations: Any = None
    programs: Any = None
