"""Planning as the office sees it: staff assignments and the start-up board."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.contract.places import Place


class Assignment(BaseModel):
    places: list[str] = Field(description="place ids")
    areas: list[str] = Field(description="area keys")


class Assignments(BaseModel):
    staff: list[str] = Field(description="every staff member: enrolled devices and assignments")
    assignments: dict[str, Assignment]


class AssignmentBody(BaseModel):
    """hub/planning.py checks each list (and names any other field)."""

    model_config = ConfigDict(extra="allow")
    places: Any = None
    areas: Any = None


class AssignmentSaved(BaseModel):
    staff_name: str
    assignment: Assignment


class PlaceLink(BaseModel):
    id: str
    name: str


class Startup(BaseModel):
    """A start-up record as the device pushed it (core/domain/startup.py), with who
    reported it and the place it became."""

    model_config = ConfigDict(extra="allow")
    id: str
    group_name: str = ""
    area: str = ""
    program: str = ""
    stage: str = ""
    stage_reason: str = ""
    contact_role: str | None = None
    target: str = ""
    planned_venue: str = ""
    planned_frequency: str = ""
    history: list[dict[str, str]] = Field(default_factory=list)
    staff_name: str
    place: PlaceLink | None


class Startups(BaseModel):
    startups: list[Startup]


class OpenPlaceBody(BaseModel):
    """Fields of the new place that replace those carried over from the start-up."""

    model_config = ConfigDict(extra="allow")


class PlaceOpened(BaseModel):
    place: Place
