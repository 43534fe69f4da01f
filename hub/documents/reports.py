"""The office's yearly activity report (実績報告) and the monthly summary, computed from the
gatherings the hub holds. Pure aggregation over records; reading and writing are edges."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from core.domain.compliance import Compliance, assess
from core.domain.fiscal import fiscal_year_bounds
from core.domain.gathering import Facts
from core.domain.gathering import facts as gathering_facts
from core.domain.place import open_span_of
from core.domain.reference import Reference
from core.domain.visit_note import CONSULTATION, MEETING, OTHER, VISIT, contacts
from hub import collector
from hub.db import schema

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass
class PlaceReport:
    place_id: str
    name: str
    program: str
    gatherings: int = 0  # sessions held (a month's report: its opening days)
    not_held: int = 0  # expected gatherings recorded as not held
    attendance: Counter[str] = field(default_factory=Counter)
    first_time: int = 0
    helpers: int = 0
    activities: Counter[str] = field(default_factory=Counter)
    periods_met: int = 0
    periods_missed: int = 0
    assessed: bool = False
    by_month: Counter[int] = field(default_factory=Counter)  # month -> gatherings
    participants_by_month: Counter[int] = field(default_factory=Counter)
    compliance: Compliance | None = None
    # the staff's contacts (core/domain/visit_note.py contacts): days staff visited,
    # consultations, the group's meetings, other contacts
    staff_visits: int = 0
    consultations: int = 0
    meetings: int = 0
    other_contacts: int = 0
    opened_on: str = ""  # the place's 開設日 and 閉所日: only the days between are assessed
    closed_on: str = ""

    @property
    def participants(self) -> int:
        return sum(self.attendance.values())

    def average(self, category: str) -> float:
        return self.attendance[category] / self.gatherings if self.gatherings else 0.0


def gatherings_in(conn: Connection, fiscal_year: int) -> Iterator[dict[str, Any]]:
    """The fiscal year's gatherings, read by their day (not every gathering ever held)."""
    start, end = fiscal_year_bounds(fiscal_year)
    r = schema.records.c
    day: ColumnElement[Any] = r.day
    if conn.dialect.name == "sqlite" and _most_in(conn, start.isoformat(), end.isoformat()):
        # SQLite's planner cannot tell a year's share of the days (PostgreSQL's can): when
        # it is most of what the hub holds, reading the table through is quicker than
        # following the index to each row (0.15 s against 0.25 s for 66,000 of 100,000)
        day = func.coalesce(r.day, "")  # the same values, with the index out of the plan
    # on the statement, not the connection: the rest of the transaction must not stream
    rows = conn.execute(select(r.body).where(r.kind == "gathering",
                                             day.between(start.isoformat(), end.isoformat()))
                        .execution_options(stream_results=True, yield_per=5000))
    yield from map(orjson.loads, rows.scalars())


def _most_in(conn: Connection, start: str, end: str) -> bool:
    """Whether more than a third of the stored gatherings fall between the two days (two
    counts over the (kind, day) index, a few milliseconds)."""
    r = schema.records.c
    gatherings = r.kind == "gathering"
    within = conn.execute(select(func.count()).where(gatherings, r.day.between(start, end)))
    every = conn.execute(select(func.count()).where(gatherings))
    return int(within.scalar_one()) * 3 > int(every.scalar_one())


def notes_in(conn: Connection, fiscal_year: int) -> list[dict[str, Any]]:
    """The fiscal year's visit notes, read by their day."""
    start, end = fiscal_year_bounds(fiscal_year)
    r = schema.records.c
    return [orjson.loads(b) for b in conn.execute(select(r.body).where(
        r.kind == "visit_note", r.day.between(start.isoformat(), end.isoformat()))).scalars()]


def places(conn: Connection) -> list[dict[str, Any]]:
    return [json.loads(b) for (b,) in conn.execute(select(schema.places.c.body))]


@dataclass(slots=True)
class _Tally:
    """One place's year while its gatherings are read."""
    facts: list[Facts] = field(default_factory=list)
    attendance: dict[str, int] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    months: dict[int, int] = field(default_factory=dict)  # month -> gatherings
    people: dict[int, int] = field(default_factory=dict)  # month -> participants
    not_held: int = 0
    held: int = 0  # sessions held: a month's report counts its opening days
    first_time: int = 0
    helpers: int = 0
    visited: list[str] = field(default_factory=list)  # days of gatherings staff were at


def activity_report(place_docs: Iterable[Mapping[str, Any]], gatherings: Iterable[Mapping[str, Any]],
                    ref: Reference, fiscal_year: int, today: dt.date,
                    notes: Iterable[Mapping[str, Any]] = ()) -> list[PlaceReport]:
    """One report per place for the fiscal year, in kana order."""
    reports = {p["id"]: PlaceReport(p["id"], p["name"], p["program"],
                                    opened_on=p.get("opened_on") or "",
                                    closed_on=p.get("closed_on") or "")
               for p in sorted(place_docs, key=lambda p: p.get("kana") or p["name"])}
    # Each gathering is looked at once: counted, and kept only as the Facts the conditions
    # need (not its whole document). The counts go to plain dicts first: Counter.update
    # costs more than the adding, over a year of gatherings.
    tallies = {pid: _Tally() for pid in reports}
    tally_of = tallies.get
    for g in gatherings:
        tally = tally_of(g["place_id"])
        if tally is None:
            continue
        facts = gathering_facts(g)
        tally.facts.append(facts)
        if not facts.held:
            tally.not_held += 1
            continue
        attended = tally.attendance
        for k, v in g["attendance"].items():
            attended[k] = attended.get(k, 0) + v
        if g.get("staff_visited"):
            tally.visited.append(facts.date)
        tally.first_time += g["first_time"]
        tally.helpers += g["helpers"]
        done = tally.activities
        for a in facts.activities:
            done[a] = done.get(a, 0) + 1
        month, sessions = facts.day.month, facts.sessions
        tally.held += sessions
        held = tally.months
        held[month] = held.get(month, 0) + sessions
        came = tally.people
        came[month] = came.get(month, 0) + facts.participants
    kept: dict[str, list[Facts]] = {}
    for place_id, r in reports.items():
        tally = tallies[place_id]
        kept[place_id] = tally.facts
        r.not_held, r.first_time, r.helpers = tally.not_held, tally.first_time, tally.helpers
        r.gatherings = tally.held
        r.attendance.update(tally.attendance)
        r.activities.update(tally.activities)
        r.by_month.update(tally.months)
        r.participants_by_month.update(tally.people)
    counted = contacts(notes, ((pid, day) for pid, t in tallies.items() for day in t.visited))
    for place_id, r in reports.items():
        made = counted.get(place_id, Counter())
        r.staff_visits, r.consultations = made[VISIT], made[CONSULTATION]
        r.meetings, r.other_contacts = made[MEETING], made[OTHER]
    for r in reports.values():
        program = ref.programs.get(r.program)
        if program is None:
            continue
        found = assess(program, kept.get(r.place_id, []), fiscal_year, today,
                       open_span=open_span_of({"opened_on": r.opened_on,
                                               "closed_on": r.closed_on}))
        r.assessed, r.periods_met, r.periods_missed = found.assessed, found.met, found.missed
        r.compliance = found
    return list(reports.values())


def build(conn: Connection, ref: Reference, fiscal_year: int, today: dt.date) -> list[PlaceReport]:
    with collector.paused():
        return activity_report(places(conn), gatherings_in(conn, fiscal_year), ref, fiscal_year,
                               today, notes_in(conn, fiscal_year))


def attendance(conn: Connection, place_id: str, fiscal_year: int) -> dict[str, Counter[str]]:
    """One place's attendance by category, month by month ("2026-04" -> counts)."""
    months: dict[str, Counter[str]] = {}
    for m in MONTHS:
        months[f"{fiscal_year + (m < 4)}-{m:02d}"] = Counter()
    for g in gatherings_in(conn, fiscal_year):
        if g["place_id"] == place_id and g.get("held", True):
            months[g["date"][:7]].update({k: int(v) for k, v in g["attendance"].items()})
    return months
