"""Places as the office sees them: the list, one added or edited, a place's attendance and
its registered members. A place is the domain's record (core/domain/place.py); the models
name its fields and let any other stored field through unchanged."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Place(BaseModel):
    """A place's stored document (answered as stored: only the fields it has; a saved
    place's fields as sent, where the domain read a null as empty)."""

    model_config = ConfigDict(extra="allow")
    id: str
    rev: int = Field(0, description="its revision: send it back with an edit to refuse lost updates")
    name: str | None = ""
    kana: str | None = ""
    program: str | None = ""
    area: str | None = ""
    group_name: str | None = ""
    representative: str | None = Field("", description="the group's representative (office-written)")
    venue: str | None = ""
    schedule: str | None = ""
    recurrence: dict[str, Any] | None = None
    open_to_all: bool | None = True
    subsidised: bool | None = False
    active: bool | None = True
    sample: bool | None = False
    startup_id: str | None = Field("", description="the start-up consultation it was opened from")
    opened_on: str | None = Field("", description="開設日 (YYYY-MM-DD; empty: not known): from its "
                                                 "start-up's 開設, or set by the office")
    closed_on: str | None = Field("", description="閉所日, its last day open (YYYY-MM-DD; "
                                                 "empty: open)")


class PlaceList(BaseModel):
    places: list[Place] = Field(description="in kana order")
    fiscal_year: int = Field(description="the fiscal year today is in")


class PlaceBody(BaseModel):
    """A place's fields to add or change (core/domain/place.py checks them, and names any
    field a place does not have); `rev` is the revision the page showed."""

    model_config = ConfigDict(extra="allow")
    rev: Any = None
    name: Any = None
    kana: Any = None
    program: Any = None
    area: Any = None
    group_name: Any = None
    representative: Any = None
    venue: Any = None
    schedule: Any = None
    recurrence: Any = None
    open_to_all: Any = None
    subsidised: Any = None
    active: Any = None
    startup_id: Any = None
    opened_on: Any = None
    closed_on: Any = None


class PlaceSaved(BaseModel):
    place: Place


class Attendance(BaseModel):
    fiscal_year: int
    place_id: str
    months: dict[str, dict[str, int]] = Field(
        description="month (YYYY-MM) -> attendance category -> people")


class Members(BaseModel):
    counts: dict[str, dict[str, int]] = Field(
        description="age band -> sex -> registered members (never names)")


class MembersBody(BaseModel):
    """The counts from the roster (hub/documents/survey.py checks each band and sex)."""

    model_config = ConfigDict(extra="allow")
    counts: Any = None
