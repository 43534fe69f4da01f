"""A gathering place (居場所 and the related programs): office-owned reference data.

A place has the day it opened (`opened_on`: its start-up's 開設, or set by the office) and,
once it closes, the day it closed (`closed_on`): conditions and reports count only the days
between them, and the schedule expects no gathering outside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.fiscal import Span
from core.domain.record import Record, check_meta, derived, rebuild
from core.domain.reference import Reference
from core.domain.schedule import Schedule, parse_schedule, read_schedule, schedule_to_json
from core.domain.validation import Checker

FIELDS = ("name", "kana", "program", "area", "group_name", "representative", "venue", "schedule",
          "recurrence", "open_to_all", "subsidised", "active", "sample", "startup_id", "opened_on",
          "closed_on")


@dataclass(frozen=True, kw_only=True)
class Place(Record):
    kind: str = "place"
    name: str
    kana: str
    program: str
    area: str
    group_name: str = ""
    representative: str = ""  # the group's representative, as the grant's forms name them
    venue: str = ""
    schedule: str = ""  # the free-text note: what the rules below cannot say
    recurrence: Mapping[str, Any] | None = None  # the usual schedule as data (domain.schedule)
    open_to_all: bool = True
    subsidised: bool = False
    active: bool = True
    sample: bool = False  # sample reference data, to be replaced by the council's own
    startup_id: str = ""  # the start-up consultation this place was opened from
    opened_on: str = ""  # YYYY-MM-DD, the day it opened ("": not known)
    closed_on: str = ""  # YYYY-MM-DD, the day it closed, its last day open ("": open)

    @derived
    def usual(self) -> Schedule:
        """The schedule as rules (stored already checked)."""
        return parse_schedule(self.recurrence) if self.recurrence else Schedule()

    @property
    def open_span(self) -> Span | None:
        return open_span_of({"opened_on": self.opened_on, "closed_on": self.closed_on})


def open_span_of(place: Mapping[str, Any]) -> Span | None:
    """The days a place (a record, or its stored document) is open, both ends included;
    None when neither day is known (every day counts)."""
    opened, closed = place.get("opened_on") or "", place.get("closed_on") or ""
    if not opened and not closed:
        return None
    return Span(dt.date.fromisoformat(opened) if opened else dt.date.min,
                dt.date.fromisoformat(closed) if closed else dt.date.max)


def parse_place(data: Mapping[str, Any], ref: Reference) -> Place:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "place")
    place: dict[str, Any] = dict(
        name=c.text("name", required=True, max_len=100),
        kana=c.text("kana", max_len=200),
        program=c.choice("program", ref.programs.keys(), required=True),
        area=c.choice("area", {a.key for a in ref.areas}, required=True) if ref.areas
        else c.text("area", required=True, max_len=50),
        group_name=c.text("group_name", max_len=100),
        representative=c.text("representative", max_len=100),
        venue=c.text("venue", max_len=200),
        schedule=c.text("schedule", max_len=200),
        recurrence=schedule_to_json(read_schedule(data.get("recurrence"), "recurrence",
                                                  c.problems)),
        open_to_all=c.boolean("open_to_all", default=True),
        subsidised=c.boolean("subsidised"),
        active=c.boolean("active", default=True),
        sample=c.boolean("sample"),
        startup_id=c.uuid("startup_id"),
        **_open_days(c),
    )
    c.raise_if_any()
    return rebuild(Place, {**meta, **place})


def _open_days(c: Checker) -> dict[str, str]:
    """開設日 and 閉所日: dates, the closing not before the opening ("" or null: not set)."""
    days = {name: c.date(name) if c.data.get(name) != "" else None
            for name in ("opened_on", "closed_on")}
    opened, closed = days["opened_on"], days["closed_on"]
    if opened and closed and closed < opened:
        c.fail("closed_on", closed.isoformat(),
               f"a date on or after the opening date (opened_on, {opened.isoformat()})",
               f"開設日（{opened.isoformat()}）以降の日付")
    return {name: day.isoformat() if day else "" for name, day in days.items()}
