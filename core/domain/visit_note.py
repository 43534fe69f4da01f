"""A visit or contact note (訪問記録・支援記録) about a place, a start-up or a group.

A group meeting (運営団体の話し合い) also records who attended by role (never by name),
the topics, what was decided and the next meeting's date. A note made from a planned
visit names the plan (`plan_id`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

# What the office counts each visit type as: the seed's duties at a place (§3) — staff
# visits to a running gathering (2), consultations, whether about starting a place or
# running one and whether in person or by phone (1), the group's meetings (3) — and the
# other contacts (grant paperwork, anything else), counted too so that nothing is lost.
VISIT, CONSULTATION, MEETING, OTHER = "visit", "consultation", "meeting", "other"
DUTIES = (VISIT, CONSULTATION, MEETING, OTHER)
DUTY_OF = {"session_visit": VISIT, "startup_consult": CONSULTATION, "phone": CONSULTATION,
           "group_meeting": MEETING}

FIELDS = ("place_id", "group_name", "visit_type", "date", "duration_minutes", "observations",
          "follow_up_on", "startup_id", "plan_id", "attendee_roles", "topics", "decisions",
          "next_meeting_on")


@dataclass(frozen=True, kw_only=True)
class VisitNote(Record):
    kind: str = "visit_note"
    place_id: str = ""
    group_name: str = ""
    visit_type: str
    date: str
    duration_minutes: int = 0
    observations: str = ""
    follow_up_on: str | None = None
    startup_id: str = ""
    plan_id: str = ""
    attendee_roles: tuple[str, ...] = ()  # group meetings: keys of `meeting_roles`
    topics: tuple[str, ...] = ()  # group meetings: keys of `meeting_topics`
    decisions: str = ""
    next_meeting_on: str | None = None

    SENSITIVE = ("observations", "decisions")


def parse_visit_note(
    data: Mapping[str, Any], ref: Reference, *, today: dt.date | None = None
) -> VisitNote:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "visit_note")
    place_id = c.uuid("place_id")
    if place_id and ref.place_programs and place_id not in ref.place_programs:
        c.fail("place_id", place_id, "a known place", "登録済みの場所")
    group_name = c.text("group_name", max_len=100)
    startup_id = c.uuid("startup_id")
    if not place_id and not startup_id and not group_name.strip() and not c.problems:
        c.fail("place_id", None, "a place, a start-up or a group name", "場所、立ち上げ相談、または団体名")
    day = c.date("date", required=True)
    if day and today and day > today + dt.timedelta(days=1):
        c.fail("date", data.get("date"), "a date not in the future", "未来ではない日付")
    follow = c.date("follow_up_on")
    if day and follow and follow < day:
        c.fail("follow_up_on", data.get("follow_up_on"), "on or after the visit date",
               "訪問日以降の日付")
    next_meeting = c.date("next_meeting_on")
    if day and next_meeting and next_meeting < day:
        c.fail("next_meeting_on", data.get("next_meeting_on"), "on or after the meeting date",
               "話し合いの日以降の日付")
    body: dict[str, Any] = dict(
        place_id=place_id,
        group_name=group_name,
        visit_type=c.choice("visit_type", ref.keys("visit_types"), required=True),
        date=day.isoformat() if day else "",
        duration_minutes=c.integer("duration_minutes", maximum=24 * 60),
        observations=c.text("observations"),
        follow_up_on=follow.isoformat() if follow else None,
        startup_id=startup_id,
        plan_id=c.uuid("plan_id"),
        attendee_roles=c.choices("attendee_roles", ref.keys("meeting_roles")),
        topics=c.choices("topics", ref.keys("meeting_topics")),
        decisions=c.text("decisions"),
        next_meeting_on=next_meeting.isoformat() if next_meeting else None,
    )
    c.raise_if_any()
    return rebuild(VisitNote, {**meta, **body})


def duty_of(visit_type: str) -> str:
    return DUTY_OF.get(visit_type, OTHER)


def contacts(notes: Iterable[Mapping[str, Any]], visited: Iterable[tuple[str, str]]
             ) -> dict[str, Counter[str]]:
    """Per place, the staff's contacts with it: `visit` counts the days staff were there
    (a session visit note, or a gathering recorded with staff_visited: `visited` gives
    (place_id, date) of those), so a visit written up both ways counts once; the other
    duties count notes. Notes about no place (a start-up, a group) are not a place's."""
    days: dict[str, set[str]] = {}
    out: dict[str, Counter[str]] = {}
    for place_id, day in visited:
        days.setdefault(place_id, set()).add(day)
    for n in notes:
        place_id = str(n.get("place_id") or "")
        if not place_id:
            continue
        duty = duty_of(str(n.get("visit_type") or ""))
        if duty == VISIT:
            days.setdefault(place_id, set()).add(str(n["date"]))
        else:
            out.setdefault(place_id, Counter())[duty] += 1
    for place_id, seen in days.items():
        out.setdefault(place_id, Counter())[VISIT] = len(seen)
    return out
