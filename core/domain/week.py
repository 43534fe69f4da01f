"""A staff member's days: what the schedules expect, what was recorded, what was planned,
and which expected gatherings passed with no record (pure: the tablet answers offline).

An expected gathering counts as recorded when the place has a gathering record on that date
(held or recorded as not held); one recorded on another date does not cover it.

A place recorded by monthly report (domain.monthly) has no slots, missed or not: its week is
one band and its month one report. Given the programs, these functions leave it out, and a
month's report is never a slot's record nor a gathering of its first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.domain.fiscal import Span
from core.domain.gathering import Gathering
from core.domain.monthly import is_monthly
from core.domain.place import Place
from core.domain.reference import Program
from core.domain.schedule import Expected, expected
from core.domain.visit_note import VisitNote
from core.domain.visit_plan import VisitPlan


@dataclass(frozen=True)
class Slot:
    """One expected gathering, and the record that answers it (None: nothing yet)."""

    expected: Expected
    record: Gathering | None = None

    @property
    def place_id(self) -> str:
        return self.expected.place_id


@dataclass
class Day:
    date: dt.date
    slots: list[Slot] = field(default_factory=list)
    unscheduled: list[Gathering] = field(default_factory=list)  # recorded, not expected
    plans: list[VisitPlan] = field(default_factory=list)
    meetings: list[VisitNote] = field(default_factory=list)  # notes naming this next meeting
    notes: list[VisitNote] = field(default_factory=list)  # visit notes of the day

    @property
    def empty(self) -> bool:
        return not (self.slots or self.unscheduled or self.plans or self.meetings or self.notes)

    def agenda(self) -> list[tuple[str, Slot | Gathering | VisitPlan | VisitNote]]:
        """The day in time order, each item tagged with what it is (`slot`, `unscheduled`,
        `plan`, `meeting`, `note`): a 10:00 visit comes before a 17:00 gathering. What has no
        time of its own follows, in that order of kinds."""
        items: list[tuple[str, Slot | Gathering | VisitPlan | VisitNote, str | None]] = [
            *(("slot", s, s.expected.start_time) for s in self.slots),
            *(("unscheduled", g, g.start_time) for g in self.unscheduled),
            *(("plan", p, p.start_time) for p in self.plans),
            *(("meeting", n, None) for n in self.meetings),
            *(("note", n, None) for n in self.notes)]
        order = {kind: i for i, kind in enumerate(AGENDA_KINDS)}
        ranked = sorted(enumerate(items), key=lambda e: (
            e[1][2] or "~", order[e[1][0]], e[0]))  # "~" sorts after every HH:MM
        return [(kind, item) for _, (kind, item, _) in ranked]


AGENDA_KINDS = ("slot", "unscheduled", "plan", "meeting", "note")


def by_session(places: Iterable[Place], programs: Mapping[str, Program] | None
               ) -> list[Place]:
    """The places whose sessions are recorded one by one (all of them, with no programs)."""
    return [p for p in places if programs is None or not is_monthly(p, programs)]


def expected_at(places: Iterable[Place], start: dt.date, end: dt.date,
                programs: Mapping[str, Program] | None = None) -> list[Expected]:
    """Every gathering the places' schedules expect from `start` to `end`, by date/time:
    none before a place opened or after it closed (nothing is owed for those days), and,
    given the programs, none of a place recorded monthly."""
    found: list[Expected] = []
    asked = Span(start, end)
    for p in by_session(places, programs):
        if p.active and p.recurrence and (days := asked.overlap(p.open_span)) is not None:
            found += expected(p.usual, days.start, days.end, p.id)
    return sorted(found, key=lambda e: (e.date, e.start_time, e.place_id))


def slots(expecting: Iterable[Expected], gatherings: Iterable[Gathering]) -> list[Slot]:
    recorded: dict[tuple[str, dt.date], Gathering] = {}
    for g in sorted(gatherings, key=lambda g: (g.date, g.start_time)):
        if not g.monthly:
            recorded.setdefault((g.place_id, g.day), g)
    return [Slot(e, recorded.get((e.place_id, e.date))) for e in expecting]


def missed(places: Iterable[Place], gatherings: Iterable[Gathering], today: dt.date,
           lookback_days: int, programs: Mapping[str, Program] | None = None) -> list[Slot]:
    """Expected gatherings before today, within `lookback_days`, with no record, newest
    first."""
    start = today - dt.timedelta(days=lookback_days)
    gone = slots(expected_at(places, start, today - dt.timedelta(days=1), programs),
                 gatherings)
    return sorted((s for s in gone if s.record is None),
                  key=lambda s: (s.expected.date, s.expected.start_time), reverse=True)


def not_visited(places: Iterable[Place], last_visit: Mapping[str, dt.date], today: dt.date,
                limit_days: int) -> list[tuple[Place, dt.date | None]]:
    """Places with no staff visit for more than `limit_days` (None: none in the window),
    longest first."""
    out: list[tuple[Place, dt.date | None]] = []
    for p in places:
        last = last_visit.get(p.id)
        if last is None or (today - last).days > limit_days:
            out.append((p, last))
    return sorted(out, key=lambda item: (item[1] or dt.date.min, item[0].kana or item[0].name))


def week(monday: dt.date, places: Iterable[Place], gatherings: Iterable[Gathering],
         plans: Iterable[VisitPlan], notes: Iterable[VisitNote],
         programs: Mapping[str, Program] | None = None) -> list[Day]:
    """Seven days from `monday`: each day's expected gatherings (with their records), the
    gatherings recorded outside the schedule, open plans, meetings and visit notes. Places
    recorded monthly are the week's bands (monthly.bands), not a day's items."""
    sunday = monday + dt.timedelta(days=6)
    days = {monday + dt.timedelta(days=i): Day(monday + dt.timedelta(days=i)) for i in range(7)}
    held = [g for g in gatherings if monday <= g.day <= sunday and not g.monthly]
    answered: set[str] = set()
    for s in slots(expected_at(places, monday, sunday, programs), held):
        days[s.expected.date].slots.append(s)
        if s.record is not None:
            answered.add(s.record.id)
    for g in held:
        if g.id not in answered:
            days[g.day].unscheduled.append(g)
    for plan in plans:
        day = dt.date.fromisoformat(plan.date)
        if day in days and not plan.cancelled:
            days[day].plans.append(plan)
    for n in notes:
        if n.next_meeting_on and (d := dt.date.fromisoformat(n.next_meeting_on)) in days:
            days[d].meetings.append(n)
        if (d := dt.date.fromisoformat(n.date)) in days:
            days[d].notes.append(n)
    return [days[d] for d in sorted(days)]
