"""Places whose openings are recorded by the operator's monthly report (reference.MONTHLY,
a テンミリオンハウス open six days a week): the week shows each as one band across the days it
opens, not a card a day, and a month's report is owed once the month is over — due by the
program's `report_due_day` of the next month — not a record for every opening day.

A month is owed only when the place's schedule expected it open that month, as a session
is owed only when the schedule expected it; a new tablet owes no month that ended before
its first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.domain.fiscal import Span
from core.domain.gathering import Gathering
from core.domain.place import Place
from core.domain.reference import Program
from core.domain.schedule import Expected, expected

RECORDED, RUNNING, OWED, OVERDUE = "recorded", "running", "owed", "overdue"


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def last_of(day: dt.date) -> dt.date:
    return next_month(first_of(day)) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Month:
    """One month of a place recorded monthly, and its report (None: not recorded yet)."""

    place_id: str
    first: dt.date  # the month's first day: the report's date
    opening_days: int  # the days the schedule expects it open that month
    start_time: str  # the usual hours, to start a new report with
    end_time: str
    due: dt.date  # the report is due by this day of the next month
    record: Gathering | None = None

    @property
    def last(self) -> dt.date:
        return last_of(self.first)

    def state(self, today: dt.date) -> str:
        """recorded; running (the month is not over); owed (over, not yet due); overdue."""
        if self.record is not None:
            return RECORDED
        if today <= self.last:
            return RUNNING
        return OVERDUE if today > self.due else OWED


@dataclass(frozen=True)
class Band:
    """A place recorded monthly across one week: the days its schedule expects it open,
    and the month (or the two months) those days fall in."""

    place_id: str
    days: tuple[dt.date, ...]
    start_time: str
    end_time: str
    months: tuple[Month, ...]


def is_monthly(place: Place, programs: Mapping[str, Program]) -> bool:
    program = programs.get(place.program)
    return program is not None and program.monthly


def reports(gatherings: Iterable[Gathering]) -> dict[tuple[str, dt.date], Gathering]:
    """Each place's month's report by (place, the month's first day); the first made if a
    month was reported twice."""
    found: dict[tuple[str, dt.date], Gathering] = {}
    for g in sorted(gatherings, key=lambda g: (g.date, g.created_at)):
        if g.monthly:
            found.setdefault((g.place_id, g.day), g)
    return found


def month(place: Place, first: dt.date, program: Program,
          reported: Mapping[tuple[str, dt.date], Gathering]) -> Month:
    """`place`'s month beginning `first`: what its schedule expects, and its report."""
    opening = _expected(place, first, last_of(first))
    hours = (opening[0].start_time, opening[0].end_time) if opening else ("", "")
    due = next_month(first).replace(day=program.report_due_day or 1)
    return Month(place.id, first, len(opening), *hours, due, reported.get((place.id, first)))


def bands(monday: dt.date, places: Iterable[Place], gatherings: Iterable[Gathering],
          programs: Mapping[str, Program]) -> list[Band]:
    """The week from `monday` of each place recorded monthly that its schedule expects
    open in it: one band a place, by its first opening's time."""
    sunday = monday + dt.timedelta(days=6)
    reported = reports(gatherings)
    out = []
    for p in places:
        program = programs.get(p.program)
        if program is None or not program.monthly:
            continue
        opening = _expected(p, monday, sunday)
        if not opening:
            continue
        firsts = sorted({first_of(e.date) for e in opening})
        out.append(Band(p.id, tuple(e.date for e in opening), opening[0].start_time,
                        opening[0].end_time,
                        tuple(month(p, f, program, reported) for f in firsts)))
    return sorted(out, key=lambda b: (b.start_time, b.place_id))


def owed(places: Iterable[Place], gatherings: Iterable[Gathering],
         programs: Mapping[str, Program], today: dt.date, lookback_months: int,
         since: dt.date | None = None) -> list[Month]:
    """The months of the last `lookback_months` that are over, that the places' schedules
    expected them open in and that have no report yet, the longest owed first; none that
    ended before `since` (the tablet's first day)."""
    reported = reports(gatherings)
    this_month = first_of(today)
    firsts = []
    first = this_month
    for _ in range(lookback_months):
        first = first_of(first - dt.timedelta(days=1))
        if since is None or last_of(first) >= since:
            firsts.append(first)
    out = []
    for p in places:
        program = programs.get(p.program)
        if program is None or not program.monthly:
            continue
        for f in firsts:
            m = month(p, f, program, reported)
            if m.opening_days and m.record is None:
                out.append(m)
    return sorted(out, key=lambda m: (m.first, m.place_id))


def _expected(place: Place, start: dt.date, end: dt.date) -> list[Expected]:
    """What the schedule expects between the two days, none before the place opened or
    after it closed: a month it was open for part of owes a report for that part only."""
    days = Span(start, end).overlap(place.open_span) if place.active and place.recurrence \
        else None
    if days is None:
        return []
    return sorted(expected(place.usual, days.start, days.end, place.id),
                  key=lambda e: (e.date, e.start_time))
