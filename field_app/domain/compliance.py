"""Grant conditions as pure functions over gatherings and program data (DESIGN §4).

ibasho: each of the six 2-month periods of the fiscal year needs at least one
gathering of at least 120 minutes; warn when the current period has none and
ends within 14 days. ikiiki salon: each week needs a gathering of at least 120
minutes with exercise; warn when the average attendance is below 5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from field_app.domain.fiscal import Span, month_periods, weeks
from field_app.domain.gathering import Gathering
from field_app.domain.reference import Program, Rule

MET, MISSED, OPEN, FUTURE = "met", "missed", "open", "future"


@dataclass(frozen=True)
class PeriodResult:
    span: Span
    state: str  # met | missed | open (current, none yet) | future
    qualifying: tuple[str, ...]  # ids of the gatherings that satisfy the rule
    not_held: tuple[str, ...] = ()  # ids of expected gatherings recorded as not held


@dataclass(frozen=True)
class Warning:
    code: str  # period_ending | low_attendance
    en: str
    ja: str
    span: Span | None = None
    days_left: int | None = None

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Compliance:
    program: str
    fiscal_year: int
    assessed: bool  # False for programs without a frequency rule
    periods: tuple[PeriodResult, ...]
    warnings: tuple[Warning, ...]
    average_participants: float | None

    @property
    def met(self) -> int:
        return sum(p.state == MET for p in self.periods)

    @property
    def missed(self) -> int:
        return sum(p.state == MISSED for p in self.periods)

    def current(self, today: dt.date) -> PeriodResult | None:
        return next((p for p in self.periods if today in p.span), None)


def qualifies(g: Gathering, rule: Rule) -> bool:
    if not g.held or g.minutes < rule.min_minutes:
        return False
    return rule.required_activity is None or rule.required_activity in g.activities


def assess(
    program: Program, gatherings: Iterable[Gathering], fiscal_year: int, today: dt.date
) -> Compliance:
    """Compliance of one place's gatherings for one fiscal year, as of `today`."""
    rule = program.rule
    if rule.kind == "periodic":
        spans = month_periods(fiscal_year, rule.months)
    elif rule.kind == "weekly":
        spans = weeks(fiscal_year)
    else:
        return Compliance(program.key, fiscal_year, False, (), (), None)
    ordered = sorted(gatherings, key=lambda g: (g.date, g.start_time))
    results = []
    for span in spans:
        hits = tuple(g.id for g in ordered if g.day in span and qualifies(g, rule))
        cancelled = tuple(g.id for g in ordered if g.day in span and not g.held)
        if hits:
            state = MET
        elif span.end < today:
            state = MISSED
        elif span.start > today:
            state = FUTURE
        else:
            state = OPEN
        results.append(PeriodResult(span, state, hits, cancelled))
    warnings: list[Warning] = []
    for r in results:
        if r.state == OPEN and rule.kind == "periodic":
            days_left = (r.span.end - today).days + 1  # today included: 1 on the last day
            if days_left <= rule.warn_days:
                warnings.append(Warning(
                    "period_ending",
                    en=f"This period ({r.span.start:%m/%d}–{r.span.end:%m/%d}) has no gathering of "
                       f"{rule.min_minutes} minutes or more yet and ends in {days_left} day(s).",
                    ja=f"今期（{r.span.start.month}月{r.span.start.day}日〜{r.span.end.month}月"
                       f"{r.span.end.day}日）はまだ{rule.min_minutes // 60}時間以上の開催がありません。"
                       f"残り{days_left}日です。",
                    span=r.span, days_left=days_left))
    in_year = [g for g in ordered if g.held and spans[0].start <= g.day <= spans[-1].end]
    average = (sum(g.participants for g in in_year) / len(in_year)) if in_year else None
    minimum = rule.min_average_participants
    if minimum is not None and average is not None and average < minimum:
        warnings.append(Warning(
            "low_attendance",
            en=f"Average attendance {average:.1f} is below {minimum:g}.",
            ja=f"平均参加者数が{average:.1f}人で、{minimum:g}人を下回っています。"))
    return Compliance(program.key, fiscal_year, True, tuple(results), tuple(warnings), average)
