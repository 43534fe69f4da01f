"""Tablets as the office sees them: the list, a revocation, an enrolment code."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class DeviceRow(BaseModel):
    id: str
    staff_name: str
    device_name: str
    enrolled_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_sync_at: dt.datetime | None
    problems: int = Field(description="records of this device the hub refused or keeps as conflicts")


class DeviceList(BaseModel):
    devices: list[DeviceRow]


class Revoked(BaseModel):
    revoked: bool
    changed: bool = Field(description="false when the device was revoked already")


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_name: str = Field(max_length=100, description="the staff member the tablet belongs to")
    hours: int = Field(72, ge=1, le=336, description="how long the code is valid")


class Code(BaseModel):
    code: str = Field(description="the one-time code, shown once (the hub keeps its hash)")
    staff_name: str
    expires_at: dt.datetime
