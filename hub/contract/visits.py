"""Visits, consultations and meetings as the office reads them: visit notes listed (their
sealed text only for the roles allowed), passed follow-ups, a place's history, and the
year's counts per place."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Visit(BaseModel):
    """A visit note (core/domain/visit_note.py) as listed: without its sealed text."""

    model_config = ConfigDict(extra="forbid")
    id: str
    date: str = Field(description="YYYY-MM-DD")
    visit_type: str = Field(description="a key of visit_types")
    duty: str = Field(description="what the year's report counts it as: visit, "
                                  "consultation, meeting or other")
    place_id: str
    place_name: str
    startup_id: str
    startup_name: str = Field(description="the start-up's group, when the note is about one")
    group_name: str = Field(description="the group, when the note names no place or start-up")
    staff: str = Field(description="the staff member whose tablet sent it")
    duration_minutes: int
    follow_up_on: str | None
    attendee_roles: list[str] = Field(description="a group meeting's attendees, by role")
    topics: list[str]
    next_meeting_on: str | None
    has_text: bool = Field(description="whether it holds observations or decisions (sealed "
                                        "on the tablet; GET /visits/notes shows them)")


class VisitWithText(Visit):
    """A visit note with its sealed text (reading it is audited, naming the note)."""

    observations: str
    decisions: str


class _Page(BaseModel):
    model_config = ConfigDict(extra="forbid")
    total: int = Field(description="how many notes the filters admit, on every page")
    offset: int
    staff: list[str] = Field(description="every staff member with a note in the days asked "
                                         "for, for the filter")
    since: str = Field(description="the first day listed (empty: no limit)")
    until: str = Field(description="the last day listed (empty: no limit)")


class Visits(_Page):
    """One page of visit notes, newest first, without their sealed text."""

    visits: list[Visit]


class VisitNotes(_Page):
    """One page of visit notes, newest first, with their sealed text."""

    visits: list[VisitWithText]


class FollowUp(Visit):
    days_passed: int = Field(description="days since the follow-up date (Japan time)")


class FollowUps(BaseModel):
    """Notes whose follow-up date has passed and that nobody followed up (a later note
    about the same place, start-up or group, or a later gathering staff visited)."""

    model_config = ConfigDict(extra="forbid")
    today: str = Field(description="Japan's today, which the dates were compared with")
    follow_ups: list[FollowUp] = Field(description="oldest follow-up date first")


class Held(BaseModel):
    """A gathering in a place's history: counts only, never its note."""

    model_config = ConfigDict(extra="forbid")
    held: bool
    start_time: str
    end_time: str
    participants: int
    first_time: int
    helpers: int
    activities: list[str]
    staff_visited: bool
    not_held_reason: str


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: str
    kind: str = Field(description="gathering or visit_note")
    gathering: Held | None
    visit: Visit | None


class PlaceHistory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_id: str
    fiscal_year: int
    events: list[Event] = Field(description="newest first")


class PlaceCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_id: str
    name: str
    staff_visits: int = Field(description="days staff were there: a session-visit note or a "
                                          "gathering recorded as visited, once a day")
    consultations: int = Field(description="start-up and running consultations, phone too")
    meetings: int = Field(description="the group's meetings staff sat in on")
    other_contacts: int = Field(description="grant paperwork and other notes")


class VisitCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: int
    places: list[PlaceCounts] = Field(description="in kana order")
