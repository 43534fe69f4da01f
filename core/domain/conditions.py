"""A program's grant conditions as data, versioned by fiscal year (DESIGN §4, second plan).

A condition set holds period conditions — in each period (week, month, N months aligned to
the fiscal year, half year, fiscal year) at least `count` qualifying gatherings — and year
conditions: average participants, number of gatherings, opening days per week on average.
What qualifies a gathering is data too: minimum minutes, activities (all of / any of),
minimum participants, an opening window (open from 9:00 to 17:00). Where a council's rule
says おおむね (about), the tolerance is data: periods that may be missed in a year, or how
far below its minimum a year figure may be. Gatherings recorded as not held never qualify.

A month's report (gathering.MONTH, for a program recorded monthly) counts as the sessions it
stands for: its opening days are that many qualifying gatherings, days open and sessions an
average is taken over; its 延べ participants are the month's. A minimum of participants is
met by its average per opening day.

The rules change in April: a program carries a list of condition sets, each from a fiscal
year on; a year is assessed with the set in force that year. No council's rules need code.

A place counts only while it is open (from its opening day to its closing day): a period
wholly before or after is not counted at all (`before`, `after`). How a period it was open
for only part of is counted is data on the condition (`partial`): `pro_rata` needs the
count scaled by the share of the period's days it was open, rounded up; `exempt` does not
count that period. Year figures are taken over the days it was open, and a number of
gatherings a year is scaled the same way.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter
from typing import Any, Protocol

from core.domain.errors import ValidationError
from core.domain.fiscal import Span, fiscal_year_bounds, month_periods, weeks
from core.domain.label import Label
from core.domain.problem import Problem
from core.domain.validation import TIME_RE, Checker

MET, MISSED, OPEN, FUTURE = "met", "missed", "open", "future"
# not counted, neither met nor missed: a period before the place opened, after it closed,
# or one it was open for part of that the condition exempts (or that then needs none)
BEFORE, AFTER, EXEMPT = "before", "after", "exempt"
NOT_COUNTED = frozenset((BEFORE, AFTER, EXEMPT))
PRO_RATA = "pro_rata"
PARTIAL = (PRO_RATA, EXEMPT)
PERIODS = {"week": 0, "month": 1, "months": 0, "half": 6, "fiscal_year": 12}
MEASURES = ("average_participants", "gatherings", "opening_days_per_week")
MONTH_REPORT = "month"  # Occasion.covers of a month's report (gathering.MONTH)


class Occasion(Protocol):
    """What a condition looks at in a gathering: a Gathering record, or its Facts."""

    @property
    def id(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def start_time(self) -> str: ...
    @property
    def end_time(self) -> str: ...
    @property
    def held(self) -> bool: ...
    @property
    def activities(self) -> Sequence[str]: ...
    @property
    def participants(self) -> int: ...
    @property
    def minutes(self) -> int: ...
    @property
    def day(self) -> dt.date: ...
    @property
    def covers(self) -> str: ...
    @property
    def sessions(self) -> int: ...


@dataclass(frozen=True)
class Qualifies:
    """What makes a gathering count for a condition."""

    min_minutes: int = 0
    activities_all: tuple[str, ...] = ()
    activities_any: tuple[str, ...] = ()
    min_participants: int = 0
    window: tuple[str, str] | None = None  # open at least from .. to (HH:MM)

    def __call__(self, g: Occasion) -> bool:
        if not g.held or g.minutes < self.min_minutes \
                or g.participants < self.min_participants * g.sessions:
            return False
        if not all(a in g.activities for a in self.activities_all):
            return False
        if self.activities_any and not any(a in g.activities for a in self.activities_any):
            return False
        return self.window is None or (g.start_time <= self.window[0]
                                       and g.end_time >= self.window[1])

    def among(self, gatherings: Iterable[Occasion]) -> list[Occasion]:
        """The gatherings that count, in order: the same as calling this on each (tested),
        one test at a time over the whole list, where a call for each was a fifth of a
        year's report."""
        least_minutes, least_people = self.min_minutes, self.min_participants
        found = [g for g in gatherings if g.held and g.minutes >= least_minutes]
        if least_people:  # a month's report: its average per opening day
            found = [g for g in found if g.participants >= least_people * g.sessions]
        for a in self.activities_all:
            found = [g for g in found if a in g.activities]
        if self.activities_any:
            wanted = frozenset(self.activities_any)
            found = [g for g in found if not wanted.isdisjoint(g.activities)]
        if self.window is not None:
            opens, closes = self.window
            found = [g for g in found if g.start_time <= opens and g.end_time >= closes]
        return found


@dataclass(frozen=True)
class PeriodCondition:
    key: str
    label: Label
    period: str  # week | month | months | half | fiscal_year
    months: int = 0  # for `months`: the period's length (2: six periods from April)
    count: int = 1
    qualifies: Qualifies = Qualifies()
    allowed_misses: int = 0  # おおむね: periods a year may miss and still meet it
    warn_days: int = 14
    partial: str = PRO_RATA  # a period the place was open for part of: pro_rata | exempt

    def spans(self, fiscal_year: int) -> tuple[Span, ...]:
        if self.period == "week":
            return weeks(fiscal_year)
        months = self.months if self.period == "months" else PERIODS[self.period]
        return month_periods(fiscal_year, months)


@dataclass(frozen=True)
class YearCondition:
    key: str
    label: Label
    measure: str  # average_participants | gatherings | opening_days_per_week
    minimum: float
    tolerance: float = 0.0  # おおむね: how far below the minimum still meets it
    qualifies: Qualifies = Qualifies()


@dataclass(frozen=True)
class ConditionSet:
    from_fiscal_year: int
    periods: tuple[PeriodCondition, ...] = ()
    year: tuple[YearCondition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.periods or self.year)


def in_force(versions: Sequence[ConditionSet], fiscal_year: int) -> ConditionSet:
    """The set in force in `fiscal_year`: the latest that began on or before it."""
    found = [v for v in versions if v.from_fiscal_year <= fiscal_year]
    return max(found, key=lambda v: v.from_fiscal_year) if found else ConditionSet(fiscal_year)


# results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodResult:
    span: Span
    state: str  # met | missed | open (current, not yet met) | future | before | after | exempt
    qualifying: tuple[str, ...]  # ids of the gatherings that count
    not_held: tuple[str, ...] = ()  # ids of expected gatherings recorded as not held
    needed: int = 0  # qualifying gatherings still needed (open and future periods)
    required: int = 0  # qualifying gatherings the period needs (pro rata when partial)
    counted: Span | None = None  # the days counted, when the place was open for only some

    @property
    def days(self) -> Span:
        """The days this period counts: all of it, or the part the place was open."""
        return self.counted or self.span


@dataclass(frozen=True)
class ConditionResult:
    key: str
    label: Label
    kind: str  # period | year
    state: str  # for the year as of today: met | missed | open | future | exempt (none counted)
    periods: tuple[PeriodResult, ...] = ()
    value: float | None = None  # a year condition's figure so far
    minimum: float = 0.0
    needed: float = 0.0  # what is still needed to meet it (gatherings, or the figure's gap)
    by: dt.date | None = None  # by when (the open period's or the year's last day)

    @property
    def met_periods(self) -> int:
        return sum(p.state == MET for p in self.periods)

    @property
    def missed_periods(self) -> int:
        return sum(p.state == MISSED for p in self.periods)


_ID, _DAY, _START = attrgetter("id"), attrgetter("day"), attrgetter("start_time")
_SESSIONS = attrgetter("sessions")


def assess_set(conditions: ConditionSet, gatherings: Iterable[Occasion], fiscal_year: int,
               today: dt.date, open_span: Span | None = None) -> tuple[ConditionResult, ...]:
    """Each condition's result for the year as of `today`, counting only the days of
    `open_span` (the place's opening day to its closing day; None: every day)."""
    # by date, then start: two stable sorts on the values themselves (no key tuples)
    ordered = sorted(gatherings, key=_START)
    ordered.sort(key=_DAY)
    days = list(map(_DAY, ordered))  # sorted too: each period is a slice found by bisection
    out = [_period(c, ordered, days, fiscal_year, today, open_span) for c in conditions.periods]
    out += [_year(c, ordered, days, fiscal_year, today, open_span) for c in conditions.year]
    return tuple(out)


def _scaled(count: float, part: Span, whole: Span) -> int:
    """`count` for `part` of `whole`, by the share of days, rounded up (in whole numbers:
    no float can make 1 × 31/31 into 2)."""
    numerator = Fraction(count).limit_denominator(1000) * part.days
    return -(-numerator.numerator // (numerator.denominator * whole.days))


def _period(c: PeriodCondition, ordered: list[Occasion], days: list[dt.date],
            fiscal_year: int, today: dt.date, open_span: Span | None) -> ConditionResult:
    results = []
    for span in c.spans(fiscal_year):
        part = span.overlap(open_span)
        if part is None:  # wholly before the opening or after the closing
            assert open_span is not None
            results.append(PeriodResult(span, BEFORE if span.end < open_span.start else AFTER,
                                        ()))
            continue
        within = ordered[bisect_left(days, part.start):bisect_right(days, part.end)]
        qualifying = c.qualifies.among(within)
        hits = tuple(map(_ID, qualifying))
        cancelled = tuple([g.id for g in within if not g.held])
        partial = part != span
        required = c.count
        if partial:
            required = 0 if c.partial == EXEMPT else _scaled(c.count, part, span)
        needed = max(0, required - sum(map(_SESSIONS, qualifying)))
        if not required:
            state = EXEMPT
        elif not needed:
            state = MET
        elif part.end < today:
            state = MISSED
        elif part.start > today:
            state = FUTURE
        else:
            state = OPEN
        results.append(PeriodResult(span, state, hits, cancelled, needed, required,
                                    part if partial else None))
    counted = [r for r in results if r.state not in NOT_COUNTED]
    missed = sum(r.state == MISSED for r in counted)
    current = next((r for r in counted if r.state == OPEN), None)
    undecided = any(r.state in (OPEN, FUTURE) for r in counted)
    if not counted:
        state = EXEMPT
    elif missed > c.allowed_misses:
        state = MISSED
    elif not undecided:
        state = MET
    elif all(r.state == FUTURE for r in counted):
        state = FUTURE
    else:
        state = OPEN
    return ConditionResult(c.key, c.label, "period", state, tuple(results),
                           needed=current.needed if current else 0,
                           by=current.days.end if current else None)


def _year(c: YearCondition, ordered: list[Occasion], days: list[dt.date], fiscal_year: int,
          today: dt.date, open_span: Span | None) -> ConditionResult:
    year = Span(*fiscal_year_bounds(fiscal_year))
    span = year.overlap(open_span)
    if span is None:  # not open at all that year: nothing to count
        return ConditionResult(c.key, c.label, "year", EXEMPT, minimum=c.minimum)
    first, last = span.start, span.end
    counted = c.qualifies.among(ordered[bisect_left(days, first):bisect_right(days, last)])
    elapsed_end = min(today, last)
    sessions = sum(map(_SESSIONS, counted))
    minimum = c.minimum
    if c.measure == "average_participants":
        value = sum(g.participants for g in counted) / sessions if sessions else None
    elif c.measure == "gatherings":
        value = float(sessions)
        if span != year:  # a number a year: the share of the year the place was open
            minimum = float(_scaled(c.minimum, span, year))
    else:  # opening_days_per_week: days open, over the weeks of the year gone by
        open_days = len({g.day for g in counted if g.covers != MONTH_REPORT}) + sum(
            g.sessions for g in counted if g.covers == MONTH_REPORT)
        gone = max(1, ((elapsed_end - first).days + 1)) / 7 if today >= first else 0
        value = open_days / gone if gone else None
    threshold = minimum - c.tolerance
    reached = value is not None and value >= threshold
    if today < first:
        state = FUTURE
    elif today > last:
        state = MET if reached else MISSED
    elif reached and c.measure == "gatherings":
        state = MET  # a count only grows; an average or a rate can still fall
    else:
        state = OPEN
    needed = max(0.0, threshold - (value or 0.0))
    return ConditionResult(c.key, c.label, "year", state, value=value, minimum=minimum,
                           needed=needed, by=last if state == OPEN else None)


# reading and checking --------------------------------------------------------------------

def parse_versions(data: Any, activities: Iterable[str], name: str = "conditions"
                   ) -> tuple[ConditionSet, ...]:
    """Check a program's condition sets; raises ValidationError naming each problem by its
    path (`conditions[0].periods[1].count`)."""
    problems: list[Problem] = []
    found = read_versions(data, frozenset(activities), name, problems)
    if problems:
        raise ValidationError(problems)
    return found


def read_versions(data: Any, activities: frozenset[str], name: str,
                  problems: list[Problem]) -> tuple[ConditionSet, ...]:
    if data is None:
        return ()
    if not isinstance(data, list) or len(data) > 50:
        problems.append(Problem(name, repr(data)[:40], "a list of condition sets (at most 50)",
                                "条件の版のリスト（50件以内）"))
        return ()
    out, seen = [], set()
    for i, raw in enumerate(data):
        where = f"{name}[{i}]"
        c = _checker(raw, where, problems, ("from_fiscal_year", "periods", "year"))
        if c is None:
            continue
        fy = c.integer("from_fiscal_year", required=True, minimum=2000, maximum=2100)
        if fy in seen:
            c.fail("from_fiscal_year", fy, "one set per fiscal year", "年度ごとに1つ")
        seen.add(fy)
        periods = tuple(p for j, r in enumerate(_items(c, "periods"))
                        if (p := _period_condition(r, f"{where}.periods[{j}]", activities,
                                                   problems)))
        year = tuple(y for j, r in enumerate(_items(c, "year"))
                     if (y := _year_condition(r, f"{where}.year[{j}]", activities, problems)))
        _flush(c, where, problems)
        out.append(ConditionSet(fy, periods, year))
    return tuple(sorted(out, key=lambda s: s.from_fiscal_year))


def versions_to_json(versions: Iterable[ConditionSet]) -> list[dict[str, Any]]:
    def qual(q: Qualifies) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if q.min_minutes:
            out["min_minutes"] = q.min_minutes
        if q.activities_all:
            out["activities_all"] = list(q.activities_all)
        if q.activities_any:
            out["activities_any"] = list(q.activities_any)
        if q.min_participants:
            out["min_participants"] = q.min_participants
        if q.window:
            out["window"] = {"from": q.window[0], "to": q.window[1]}
        return out

    def label(lbl: Label) -> dict[str, str]:
        return {"ja": lbl.ja, "en": lbl.en}

    return [{"from_fiscal_year": v.from_fiscal_year,
             "periods": [{"key": p.key, "label": label(p.label), "period": p.period,
                          **({"months": p.months} if p.period == "months" else {}),
                          "count": p.count, "qualifies": qual(p.qualifies),
                          "allowed_misses": p.allowed_misses, "warn_days": p.warn_days,
                          "partial": p.partial}
                         for p in v.periods],
             "year": [{"key": y.key, "label": label(y.label), "measure": y.measure,
                       "minimum": y.minimum, "tolerance": y.tolerance,
                       "qualifies": qual(y.qualifies)} for y in v.year]}
            for v in versions]


def _checker(raw: Any, name: str, problems: list[Problem], fields: tuple[str, ...]
             ) -> Checker | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(name, repr(raw)[:40], "an object", "オブジェクト"))
        return None
    c = Checker(raw)
    c.only(fields)
    return c


def _flush(c: Checker, name: str, problems: list[Problem]) -> None:
    problems += [p.under(name) for p in c.problems]
    c.problems.clear()


def _items(c: Checker, key: str) -> list[Any]:
    value = c.data.get(key, [])
    if not isinstance(value, list) or len(value) > 20:
        c.fail(key, value, "a list of at most 20 conditions", "20件以内の条件のリスト")
        return []
    return value


def _label(c: Checker) -> Label:
    raw = c.data.get("label")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("ja"), str) \
            or not str(raw.get("ja", "")).strip() or len(str(raw.get("ja"))) > 200 \
            or not isinstance(raw.get("en", ""), str) or len(str(raw.get("en", ""))) > 200:
        c.fail("label", raw, "{ja, en}: what the condition says, in words",
               "{ja, en}: 条件の説明")
        return Label("", "")
    return Label(str(raw["ja"]), str(raw.get("en") or raw["ja"]))


def _qualifies(c: Checker, activities: frozenset[str], name: str,
               problems: list[Problem]) -> Qualifies:
    raw = c.data.get("qualifies", {})
    q = _checker(raw, f"{name}.qualifies", problems,
                 ("min_minutes", "activities_all", "activities_any", "min_participants",
                  "window"))
    if q is None:
        return Qualifies()
    window = None
    w = raw.get("window")
    if w is not None:
        if not isinstance(w, Mapping) or set(w) != {"from", "to"} or not all(
                isinstance(w[k], str) and TIME_RE.match(w[k]) for k in ("from", "to")) \
                or w["from"] >= w["to"]:
            q.fail("window", w, "{from: HH:MM, to: HH:MM} with from before to",
                   "{from: 開始, to: 終了}（HH:MM、開始が先）")
        else:
            window = (str(w["from"]), str(w["to"]))
    out = Qualifies(
        min_minutes=q.integer("min_minutes", maximum=24 * 60),
        activities_all=q.choices("activities_all", activities),
        activities_any=q.choices("activities_any", activities),
        min_participants=q.integer("min_participants", maximum=10_000),
        window=window)
    _flush(q, f"{name}.qualifies", problems)
    return out


def _key(c: Checker) -> str:
    key = c.text("key", required=True, max_len=40)
    if key and not key.replace("_", "").isalnum():
        c.fail("key", key, "letters, digits and _", "英数字と _")
    return key


def _period_condition(raw: Any, name: str, activities: frozenset[str],
                      problems: list[Problem]) -> PeriodCondition | None:
    c = _checker(raw, name, problems, ("key", "label", "period", "months", "count",
                                       "qualifies", "allowed_misses", "warn_days", "partial"))
    if c is None:
        return None
    key, label = _key(c), _label(c)
    period = c.choice("period", PERIODS.keys(), required=True)
    months = 0
    if period == "months":
        months = c.integer("months", required=True, minimum=1, maximum=12)
        if months and 12 % months:
            c.fail("months", months, "a divisor of 12 (1, 2, 3, 4, 6 or 12)",
                   "12の約数（1・2・3・4・6・12）")
    elif "months" in c.data:
        c.fail("months", c.data["months"], "months only with period 'months'",
               "months は period が months のときだけ")
    condition = PeriodCondition(
        key, label, period, months, count=c.integer("count", minimum=1, maximum=366, default=1),
        qualifies=_qualifies(c, activities, name, problems),
        allowed_misses=c.integer("allowed_misses", maximum=53),
        warn_days=c.integer("warn_days", maximum=90, default=14),
        partial=c.choice("partial", PARTIAL, default=PRO_RATA))
    ok = not c.problems
    _flush(c, name, problems)
    return condition if ok else None


def _year_condition(raw: Any, name: str, activities: frozenset[str],
                    problems: list[Problem]) -> YearCondition | None:
    c = _checker(raw, name, problems, ("key", "label", "measure", "minimum", "tolerance",
                                       "qualifies"))
    if c is None:
        return None
    key, label = _key(c), _label(c)
    measure = c.choice("measure", MEASURES, required=True)
    numbers = []
    for field, required in (("minimum", True), ("tolerance", False)):
        value = c.data.get(field, None if required else 0)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 <= value <= 100_000:
            c.fail(field, value, "a number from 0 to 100000", "0〜100000の数")
            value = 0
        numbers.append(float(value))
    condition = YearCondition(key, label, measure, numbers[0], numbers[1],
                              _qualifies(c, activities, name, problems))
    ok = not c.problems
    _flush(c, name, problems)
    return condition if ok else None
