"""A place's grant compliance for a fiscal year: its program's conditions in force that year
(domain.conditions) assessed over its gatherings, with the warnings staff and office act on.

Warnings: a period condition whose current period has not been met yet and ends within the
condition's warning days (`period_ending`); a year figure below its minimum while the year
runs (`low_attendance` for average participants, `year_below` for the others).

Only the days the place was open count (`open_span`: its opening day to its closing day):
no period before it opened or after it closed is met or missed, nor warned about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.conditions import (
    AFTER,
    BEFORE,
    EXEMPT,
    FUTURE,
    MET,
    MISSED,
    OPEN,
    ConditionResult,
    Occasion,
    PeriodResult,
    assess_set,
)
from core.domain.fiscal import Span, fiscal_year_bounds
from core.domain.reference import Program

UNITS = {"average_participants": ("人", " people"), "gatherings": ("回", " gatherings"),
         "opening_days_per_week": ("日/週", " days a week")}
__all__ = ["AFTER", "BEFORE", "EXEMPT", "FUTURE", "MET", "MISSED", "OPEN", "Compliance",
           "PeriodResult", "Warning", "assess", "ending_soon"]


@dataclass(frozen=True)
class Warning:
    code: str  # period_ending | low_attendance | year_below
    en: str
    ja: str
    span: Span | None = None
    days_left: int | None = None
    condition: str = ""

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Compliance:
    program: str
    fiscal_year: int
    assessed: bool  # False for a program with no conditions in force that year
    conditions: tuple[ConditionResult, ...]
    warnings: tuple[Warning, ...]
    average_participants: float | None

    @property
    def periods(self) -> tuple[PeriodResult, ...]:
        """The periods of the first period condition (the grid the console draws)."""
        first = next((c for c in self.conditions if c.kind == "period"), None)
        return first.periods if first else ()

    @property
    def met(self) -> int:
        return sum(c.met_periods for c in self.conditions)

    @property
    def missed(self) -> int:
        return sum(c.missed_periods for c in self.conditions)

    @property
    def exempt(self) -> int:
        """Periods not counted: before opening, after closing, or partial and exempt."""
        return sum(p.state in (BEFORE, AFTER, EXEMPT) for c in self.conditions
                   for p in c.periods)

    @property
    def state(self) -> str:
        """The year as a whole: missed if any condition is, met once all are (exempt when
        none counts: the place was not open that year)."""
        states = {c.state for c in self.conditions}
        for state in (MISSED, OPEN, FUTURE, MET):
            if state in states:
                return state
        return EXEMPT if states else FUTURE

    def current(self, today: dt.date) -> PeriodResult | None:
        return next((p for p in self.periods if today in p.span), None)


def ending_soon(program: Program, fiscal_year: int, today: dt.date, *,
                open_span: Span | None) -> list[Span]:
    """The days of each period that holds `today` and ends within its condition's warning
    days: the only periods `assess` can warn of as ending (`period_ending`). Found from
    the conditions and the dates alone, so that a caller asks for the gatherings of these
    days, not of the whole year (home at 50,000 records read a year of them for this)."""
    conditions = program.conditions_in(fiscal_year)
    out = []
    for spec in conditions.periods if conditions else ():
        for span in spec.spans(fiscal_year):
            days = span.overlap(open_span)
            if days is not None and today in days and (days.end - today).days + 1 <= spec.warn_days:
                out.append(days)
    return out


def assess(program: Program, gatherings: Iterable[Occasion], fiscal_year: int,
           today: dt.date, *, open_span: Span | None) -> Compliance:
    """Compliance of one place's gatherings for one fiscal year, as of `today`, under the
    conditions in force that year, counting only the days of `open_span` (the place's
    `Place.open_span`; None: every day). Asked for by name at every call: a caller that
    forgot the place's dates would count the months before it opened as missed."""
    conditions = program.conditions_in(fiscal_year)
    held = list(gatherings)
    if not conditions:
        return Compliance(program.key, fiscal_year, False, (), (), None)
    results = assess_set(conditions, held, fiscal_year, today, open_span)
    warnings: list[Warning] = []
    for spec, result in zip(conditions.periods, results, strict=False):
        for r in result.periods:
            if r.state != OPEN:
                continue
            days = r.days  # a closing place's period ends on its last day open
            days_left = (days.end - today).days + 1  # today included: 1 on the last day
            if days_left <= spec.warn_days:
                warnings.append(Warning(
                    "period_ending",
                    en=f"{spec.label.en}: this period ({days.start:%m/%d}–{days.end:%m/%d}) "
                       f"still needs {r.needed} qualifying gathering(s) and ends in "
                       f"{days_left} day(s).",
                    ja=f"{spec.label.ja}: 今期（{days.start.month}月{days.start.day}日〜"
                       f"{days.end.month}月{days.end.day}日）はあと{r.needed}回の対象となる"
                       f"開催が必要です。残り{days_left}日です。",
                    span=days, days_left=days_left, condition=spec.key))
    for year, result in zip(conditions.year, results[len(conditions.periods):], strict=True):
        if result.state == OPEN and result.value is not None and result.needed > 0:
            ja_unit, en_unit = UNITS[year.measure]
            warnings.append(Warning(
                "low_attendance" if year.measure == "average_participants" else "year_below",
                en=f"{result.label.en}: {result.value:.1f}{en_unit} so far, below "
                   f"{result.minimum:g}{en_unit}.",
                ja=f"{result.label.ja}: 現在{result.value:.1f}{ja_unit}で、{result.minimum:g}"
                   f"{ja_unit}を下回っています。", condition=result.key))
    counted = Span(*fiscal_year_bounds(fiscal_year)).overlap(open_span)
    in_year = [g for g in held if g.held and g.day in counted] if counted else []
    sessions = sum(g.sessions for g in in_year)  # a month's report: its opening days
    average_participants = (sum(g.participants for g in in_year) / sessions
                            if sessions else None)
    return Compliance(program.key, fiscal_year, True, results, tuple(warnings),
                      average_participants)
