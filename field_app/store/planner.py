"""The questions of a staff member's week, answered from the store: today's expected
gatherings in my places, the ones that passed with no record, plans, grant periods about
to close, places not visited for a while, and the week's days; for places recorded by
monthly report, the week's bands and the months whose report is owed. Each is a few TinyDB
queries and the pure functions of domain.week and domain.monthly; views only render the
answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.domain.compliance import assess, ending_soon
from core.domain.fiscal import fiscal_year_of
from core.domain.gathering import Gathering
from core.domain.monthly import Band, Month, bands, first_of, month, owed, reports
from core.domain.place import Place
from core.domain.reference import Reference
from core.domain.visit_plan import VisitPlan
from core.domain.week import Day, Slot, expected_at, missed, not_visited, slots, week
from field_app.store.repository import Repository

NOT_VISITED_DAYS, MISSED_LOOKBACK_DAYS = 90, 28  # when the data does not say
REPORT_LOOKBACK_MONTHS = 3


@dataclass(frozen=True)
class Closing:
    """A grant period of one of my places that ends soon with no qualifying gathering."""

    place: Place
    end: dt.date
    days_left: int


class Planner:
    def __init__(self, records: Repository, reference: Reference,
                 today: dt.date | None = None) -> None:
        self.records = records
        self.reference = reference
        self.today = today or records.today
        self._mine: list[Place] | None = None

    @property
    def assigned(self) -> bool:
        """False when the office has assigned nothing: "my places" are then all places."""
        return self.records.assignment() is not None

    @property
    def mine(self) -> list[Place]:
        if self._mine is None:
            self._mine = self.records.my_places()
        return self._mine

    def today_slots(self) -> list[Slot]:
        """Today's expected gatherings in my places, each with its record if made."""
        day = self.today
        return slots(expected_at(self.mine, day, day, self.reference.programs),
                     self.records.gatherings_between(day, day))

    def missed(self) -> list[Slot]:
        """Expected gatherings of my places in the last weeks with no record; none from
        before this tablet was first used (a new tablet owes no back records)."""
        lookback = self.reference.limit("missed_lookback_days", MISSED_LOOKBACK_DAYS)
        since = self.records.in_use_since()
        if since is not None:
            lookback = max(0, min(lookback, (self.today - since).days))
        start = self.today - dt.timedelta(days=lookback)
        return missed(self.mine, self.records.gatherings_between(start, self.today),
                      self.today, lookback, self.reference.programs)

    def reports_owed(self) -> list[Month]:
        """The months of my places recorded monthly that are over with no report: each
        month once, not each opening day; none that ended before this tablet was first
        used."""
        months = self.reference.limit("report_lookback_months", REPORT_LOOKBACK_MONTHS)
        start = first_of(first_of(self.today) - dt.timedelta(days=31 * months))
        return owed(self.mine, self.records.month_reports(start, self.today),
                    self.reference.programs, self.today, months, self.records.in_use_since())

    def month(self, place: Place, first: dt.date) -> Month | None:
        """A month of a place recorded monthly, with its report if recorded (None: the
        place is not recorded monthly)."""
        program = self.reference.programs.get(place.program)
        if program is None or not program.monthly:
            return None
        return month(place, first, program,
                     reports(self.records.month_reports(first, first, place.id)))

    def plans_ahead(self, days: int = 7) -> list[VisitPlan]:
        """Open plans from today for `days` days, and open ones left from before today."""
        start = self.today - dt.timedelta(days=30)
        found = self.records.plans_between(start, self.today + dt.timedelta(days=days - 1))
        return [p for p in found if p.open]

    def closing(self) -> list[Closing]:
        """My places with a grant period that ends within its condition's warning days and
        still lacks a qualifying gathering. Only those periods' gatherings are read: the
        rest of the year's cannot make a period end (`ending_soon`)."""
        year = fiscal_year_of(self.today)
        ending = []
        for place in self.mine:
            program = self.reference.programs.get(place.program)
            if program is None:
                continue
            spans = ending_soon(program, year, self.today, open_span=place.open_span)
            if spans:
                ending.append((place, program, spans))
        if not ending:
            return []
        by_place: dict[str, list[Gathering]] = {}
        for g in self.records.gatherings_between(
                min(s.start for _, _, spans in ending for s in spans),
                max(s.end for _, _, spans in ending for s in spans)):
            by_place.setdefault(g.place_id, []).append(g)
        out = []
        for place, program, _ in ending:
            result = assess(program, by_place.get(place.id, []), year, self.today,
                            open_span=place.open_span)
            for w in result.warnings:
                if w.code == "period_ending" and w.span is not None and w.days_left:
                    out.append(Closing(place, w.span.end, w.days_left))
                    break
        return sorted(out, key=lambda c: (c.days_left, c.place.kana))

    def not_visited(self) -> list[tuple[Place, dt.date | None]]:
        """My places not visited for the data's limit; not one that has closed."""
        limit = self.reference.limit("not_visited_days", NOT_VISITED_DAYS)
        since = self.today - dt.timedelta(days=limit + 365)  # "last visit" up to a year back
        still = [p for p in self.mine if not p.closed_on or p.closed_on >= self.today.isoformat()]
        return not_visited(still, self.records.last_visits(since), self.today, limit)

    def week(self, monday: dt.date) -> list[Day]:
        sunday = monday + dt.timedelta(days=6)
        return week(monday, self.mine, self.records.gatherings_between(monday, sunday),
                    self.records.plans_between(monday, sunday),
                    self.records.notes_between(monday, sunday), self.reference.programs)

    def bands(self, monday: dt.date) -> list[Band]:
        """My places recorded monthly across the week from `monday`, one band each, with
        the report of each month the week touches."""
        firsts = first_of(monday), first_of(monday + dt.timedelta(days=6))
        return bands(monday, self.mine, self.records.month_reports(*firsts),
                     self.reference.programs)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
