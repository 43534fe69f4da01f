"""What a new record of each field kind starts with, before staff have touched it.

The domain's word, not a screen's: the form for a new record starts from these values and
the parsers read a missing field the same way, so a record made on the tablet and one read
back agree. Pure: the day and the time are given (Japan time, from `clock`).

`staff_visited` starts on: a gathering is recorded on the form by the staff who are there.
One recorded from the group's own report is opened with it off (the screen's route says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

STAFF_VISITED = True  # see the module's note


def default_times(now: dt.datetime) -> tuple[str, str]:
    """A gathering recorded during it: from the last half hour, for two hours."""
    start = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    end = min(start + dt.timedelta(hours=2), start.replace(hour=23, minute=59))
    return f"{start:%H:%M}", f"{end:%H:%M}"


def _gathering(today: str, now: dt.datetime) -> dict[str, Any]:
    start, end = default_times(now)
    return dict(date=today, start_time=start, end_time=end, attendance={}, first_time=0,
                helpers=0, activities=[], staff_visited=STAFF_VISITED, note="",
                covers="session", opening_days=0)


def _concern(today: str, now: dt.datetime) -> dict[str, Any]:
    return dict(place_id="", gathering_id="", observed_on=today, subject_age_band=None,
                subject_gender=None, subject_alias="", categories=[], urgency=None,
                consent=None, observed="", suggested_destination="", follow_up_on=None,
                office=None)


def _visit_note(today: str, now: dt.datetime) -> dict[str, Any]:
    return dict(place_id="", group_name="", visit_type="session_visit", date=today,
                duration_minutes=60, observations="", follow_up_on=None, startup_id="",
                plan_id="", attendee_roles=[], topics=[], decisions="", next_meeting_on=None)


def _visit_plan(today: str, now: dt.datetime) -> dict[str, Any]:
    return dict(date=today, start_time=None, place_id="", startup_id="",
                purpose="session_visit", note="", done_note_id="", cancelled=False)


def _startup(today: str, now: dt.datetime) -> dict[str, Any]:
    return dict(group_name="", contact_role=None, area=None, program="ibasho", target="",
                planned_venue="", planned_frequency="", stage="consult", stage_reason="",
                history=[{"stage": "consult", "on": today}], note="")


_BY_KIND: dict[str, Callable[[str, dt.datetime], dict[str, Any]]] = {
    "gathering": _gathering, "concern": _concern, "visit_note": _visit_note,
    "visit_plan": _visit_plan, "startup": _startup}
KINDS = tuple(_BY_KIND)


def defaults(kind: str, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """A new `kind` record's own fields (not its id, rev or times): a fresh dict each call.
    `today` and `now` are Japan time. A kind the tablet does not write raises ValueError."""
    make = _BY_KIND.get(kind)
    if make is None:
        raise ValueError(f"no new-record defaults for kind {kind!r}; expected one of {KINDS}")
    return make(today.isoformat(), now)
