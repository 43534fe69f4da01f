"""A place's usual schedule as data, and the gatherings it makes one expect (DESIGN §4).

A schedule is recurrence rules (weekly on weekdays, the nth weekday of every N months such
as 第2火曜 or 隔月第1日曜, a day of the month, every N weeks from a first date), each with
its times; exceptions (a date cancelled, or moved to another date and times); closed spans
(年末年始: either dates, or month-days that recur every year). `expected` answers, for any
span, which gatherings the schedule expects: pure, so the tablet answers it offline.

A rule that names a day some month does not have (a fifth Tuesday, the 31st of June) makes
no gathering that month: a group meeting "on the 31st" does not meet on the 30th instead.
Weekdays are numbered as Python does: 0 is Monday, 6 is Sunday.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.errors import ValidationError
from core.domain.gathering import minutes_between
from core.domain.problem import Problem
from core.domain.validation import Checker

WEEKLY, MONTHLY_NTH, MONTHLY_DAY, EVERY_N_WEEKS = (
    "weekly", "monthly_nth", "monthly_day", "every_n_weeks")
FREQS = (WEEKLY, MONTHLY_NTH, MONTHLY_DAY, EVERY_N_WEEKS)
CANCELLED, MOVED = "cancelled", "moved"
LAST = -1  # nth: the last such weekday of the month (最終土曜)
MAX_RULES, MAX_EXCEPTIONS = 10, 200
MAX_SPAN_DAYS = 800  # `expected` refuses longer spans: a caller's bug, not a question


@dataclass(frozen=True)
class Rule:
    freq: str
    start_time: str
    end_time: str
    weekdays: tuple[int, ...] = ()  # weekly
    nth: tuple[int, ...] = ()  # monthly_nth: 1..5 or LAST
    weekday: int = 0  # monthly_nth
    day: int = 1  # monthly_day
    every_months: int = 1  # monthly_*: 2 for 隔月
    first_month: int = 4  # monthly_* with every_months > 1: a month it meets in
    interval: int = 2  # every_n_weeks
    anchor: dt.date | None = None  # every_n_weeks: one date it meets on

    def dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        if self.freq == WEEKLY:
            return [d for d in _days(start, end) if d.weekday() in self.weekdays]
        if self.freq == EVERY_N_WEEKS:
            assert self.anchor is not None
            step = 7 * self.interval
            return [d for d in _days(start, end) if (d - self.anchor).days % step == 0]
        out = []
        for year, month in _months(start, end):
            if (month - self.first_month) % self.every_months:
                continue
            if self.freq == MONTHLY_DAY:
                days = [self.day] if self.day <= calendar.monthrange(year, month)[1] else []
            else:
                days = [d for n in self.nth if (d := nth_weekday(year, month, self.weekday, n))]
            out += [dt.date(year, month, d) for d in days
                    if start <= dt.date(year, month, d) <= end]
        return sorted(set(out))


@dataclass(frozen=True)
class Exception_:
    """One date's change: cancelled, or moved to `to` (with new times if given)."""

    date: dt.date
    action: str
    to: dt.date | None = None
    start_time: str | None = None
    end_time: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Closed:
    """A span with no gatherings: `start`/`end` are dates, or (month, day) every year."""

    start: dt.date | tuple[int, int]
    end: dt.date | tuple[int, int]
    note: str = ""

    def __contains__(self, day: dt.date) -> bool:
        if isinstance(self.start, dt.date) and isinstance(self.end, dt.date):
            return self.start <= day <= self.end
        md = (day.month, day.day)
        s, e = self.start, self.end
        assert isinstance(s, tuple) and isinstance(e, tuple)
        return s <= md <= e if s <= e else md >= s or md <= e  # wraps the year end


@dataclass(frozen=True)
class Schedule:
    rules: tuple[Rule, ...] = ()
    exceptions: tuple[Exception_, ...] = ()
    closed: tuple[Closed, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules) or any(e.action == MOVED for e in self.exceptions)


@dataclass(frozen=True, order=True)
class Expected:
    """A gathering the schedule expects: a place, a date, its times."""

    date: dt.date
    start_time: str
    end_time: str
    place_id: str = ""
    moved_from: dt.date | None = None


def expected(schedule: Schedule, start: dt.date, end: dt.date, place_id: str = ""
             ) -> list[Expected]:
    """Every gathering `schedule` expects from `start` to `end` (both included), by date."""
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValueError(f"span of {(end - start).days} days; ask for at most {MAX_SPAN_DAYS}")
    changed = {e.date: e for e in schedule.exceptions}
    found: dict[tuple[dt.date, str], Expected] = {}
    for rule in schedule.rules:
        for day in rule.dates(start, end):
            if day in changed or any(day in c for c in schedule.closed):
                continue
            found.setdefault((day, rule.start_time),
                             Expected(day, rule.start_time, rule.end_time, place_id))
    for e in schedule.exceptions:
        if e.action != MOVED or e.to is None or not start <= e.to <= end:
            continue
        base = _usual_times(schedule, e.date)
        times = (e.start_time or base[0], e.end_time or base[1])
        found[(e.to, times[0])] = Expected(e.to, *times, place_id, moved_from=e.date)
    return sorted(found.values())


def nth_weekday(year: int, month: int, weekday: int, n: int) -> int | None:
    """The day of the month of the nth `weekday` (LAST: the last); None if there is none."""
    last_day = calendar.monthrange(year, month)[1]
    first = (weekday - dt.date(year, month, 1).weekday()) % 7 + 1
    days = list(range(first, last_day + 1, 7))
    if n == LAST:
        return days[-1]
    return days[n - 1] if 1 <= n <= len(days) else None


def _usual_times(schedule: Schedule, day: dt.date) -> tuple[str, str]:
    for rule in schedule.rules:
        if day in rule.dates(day, day):
            return rule.start_time, rule.end_time
    first = schedule.rules[0] if schedule.rules else None
    return (first.start_time, first.end_time) if first else ("10:00", "12:00")


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# reading and checking ------------------------------------------------------------------

def parse_schedule(data: Any, name: str = "recurrence") -> Schedule:
    """Check a schedule as sent by the office; raises ValidationError with every problem,
    each named by its path (`recurrence.rules[0].weekdays`)."""
    problems: list[Problem] = []
    schedule = read_schedule(data, name, problems)
    if problems:
        raise ValidationError(problems)
    return schedule


def read_schedule(data: Any, name: str, problems: list[Problem]) -> Schedule:
    """As `parse_schedule`, noting problems in `problems` (for a record's own Checker)."""
    if data is None:
        return Schedule()
    c = _sub(data, name, problems, ("rules", "exceptions", "closed"))
    if c is None:
        return Schedule()
    rules = tuple(r for i, raw in enumerate(_list(c, "rules", MAX_RULES))
                  if (r := _rule(raw, f"{name}.rules[{i}]", problems)))
    exceptions = tuple(e for i, raw in enumerate(_list(c, "exceptions", MAX_EXCEPTIONS))
                       if (e := _exception(raw, f"{name}.exceptions[{i}]", problems)))
    closed = tuple(s for i, raw in enumerate(_list(c, "closed", MAX_EXCEPTIONS))
                   if (s := _closed(raw, f"{name}.closed[{i}]", problems)))
    seen: set[dt.date] = set()
    for i, e in enumerate(exceptions):
        if e.date in seen:
            problems.append(Problem(f"{name}.exceptions[{i}].date", e.date.isoformat(),
                                    "one exception per date", "日付ごとに1件"))
        seen.add(e.date)
    _flush(c, name, problems)
    return Schedule(rules, exceptions, closed)


def schedule_to_json(schedule: Schedule) -> dict[str, Any] | None:
    """The stored form (the inverse of `parse_schedule`); None for no schedule."""
    if not schedule.rules and not schedule.exceptions and not schedule.closed:
        return None

    def md(v: dt.date | tuple[int, int]) -> str:
        return v.isoformat() if isinstance(v, dt.date) else f"{v[0]:02d}-{v[1]:02d}"

    rules = []
    for r in schedule.rules:
        out: dict[str, Any] = {"freq": r.freq, "start_time": r.start_time,
                               "end_time": r.end_time}
        if r.freq == WEEKLY:
            out["weekdays"] = list(r.weekdays)
        elif r.freq == EVERY_N_WEEKS:
            out.update(interval=r.interval, anchor=r.anchor.isoformat() if r.anchor else None)
        else:
            if r.freq == MONTHLY_NTH:
                out.update(nth=list(r.nth), weekday=r.weekday)
            else:
                out["day"] = r.day
            out.update(every_months=r.every_months, first_month=r.first_month)
        rules.append(out)
    exceptions = []
    for e in schedule.exceptions:
        ex: dict[str, Any] = {"date": e.date.isoformat(), "action": e.action}
        if e.action == MOVED and e.to is not None:
            ex["to"] = e.to.isoformat()
            ex.update({k: v for k, v in (("start_time", e.start_time),
                                         ("end_time", e.end_time)) if v})
        if e.note:
            ex["note"] = e.note
        exceptions.append(ex)
    closed = [{"from": md(s.start), "to": md(s.end), **({"note": s.note} if s.note else {})}
              for s in schedule.closed]
    return {"rules": rules, "exceptions": exceptions, "closed": closed}


def _sub(data: Any, name: str, problems: list[Problem], fields: tuple[str, ...]
         ) -> Checker | None:
    if not isinstance(data, Mapping):
        problems.append(Problem(name, repr(data)[:40], "an object", "オブジェクト"))
        return None
    c = Checker(data)
    c.only(fields)
    return c


def _flush(c: Checker, name: str, problems: list[Problem]) -> None:
    """Move `c`'s problems to `problems`, each named by its full path."""
    problems += [p.under(name) for p in c.problems]
    c.problems.clear()


def _list(c: Checker, name: str, limit: int) -> list[Any]:
    value = c.data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        c.fail(name, value, "a list", "リスト")
        return []
    if len(value) > limit:
        c.fail(name, len(value), f"at most {limit} entries", f"{limit}件以内")
        return []
    return value


def _times(c: Checker) -> tuple[str, str]:
    start = c.time("start_time", required=True)
    end = c.time("end_time", required=True)
    if start and end and minutes_between(start, end) <= 0:
        c.fail("end_time", end, f"a time after the start ({start})", f"開始時刻 ({start}) より後の時刻")
    return start or "", end or ""


def _ints(c: Checker, name: str, allowed: range | tuple[int, ...], en: str, ja: str
          ) -> tuple[int, ...]:
    value = c.data.get(name)
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and v in allowed for v in value):
        c.fail(name, value, en, ja)
        return ()
    if len(set(value)) != len(value):
        c.fail(name, value, "each value once", "重複のない値")
    return tuple(sorted(set(value)))


def _rule(raw: Any, name: str, problems: list[Problem]) -> Rule | None:
    c = _sub(raw, name, problems, ("freq", "start_time", "end_time", "weekdays", "nth",
                                   "weekday", "day", "every_months", "first_month",
                                   "interval", "anchor"))
    if c is None:
        return None
    freq = c.choice("freq", FREQS, required=True)
    start, end = _times(c)
    rule: Rule | None = None
    if freq == WEEKLY:
        days = _ints(c, "weekdays", range(7), "weekdays 0 (Mon) to 6 (Sun), at least one",
                     "曜日 0（月）〜6（日）を1つ以上")
        rule = Rule(freq, start, end, weekdays=days)
    elif freq in (MONTHLY_NTH, MONTHLY_DAY):
        every = c.integer("every_months", minimum=1, maximum=12, default=1)
        first = c.integer("first_month", minimum=1, maximum=12, default=4)
        if freq == MONTHLY_NTH:
            nth = _ints(c, "nth", (1, 2, 3, 4, 5, LAST),
                        "which weeks: 1 to 5, or -1 for the last", "第何週か: 1〜5、最終は -1")
            weekday = c.integer("weekday", required=True, minimum=0, maximum=6)
            rule = Rule(freq, start, end, nth=nth, weekday=weekday, every_months=every,
                        first_month=first)
        else:
            day = c.integer("day", required=True, minimum=1, maximum=31)
            rule = Rule(freq, start, end, day=day, every_months=every, first_month=first)
    elif freq == EVERY_N_WEEKS:
        interval = c.integer("interval", required=True, minimum=2, maximum=12, default=2)
        anchor = c.date("anchor", required=True)
        rule = Rule(freq, start, end, interval=interval, anchor=anchor)
    ok = not c.problems
    _flush(c, name, problems)
    return rule if ok else None


def _exception(raw: Any, name: str, problems: list[Problem]) -> Exception_ | None:
    c = _sub(raw, name, problems, ("date", "action", "to", "start_time", "end_time", "note"))
    if c is None:
        return None
    day = c.date("date", required=True)
    action = c.choice("action", (CANCELLED, MOVED), required=True)
    to = c.date("to", required=action == MOVED)
    start, end = c.time("start_time"), c.time("end_time")
    if start and end and minutes_between(start, end) <= 0:
        c.fail("end_time", end, f"a time after the start ({start})", f"開始時刻 ({start}) より後の時刻")
    if action == CANCELLED and (to or start or end):
        c.fail("to", c.data.get("to") or start or end, "no new date or times for a cancellation",
               "中止には振替日・時刻を指定しません")
    note = c.text("note", max_len=200)
    ok = not c.problems and day is not None
    _flush(c, name, problems)
    return Exception_(day, action, to, start, end, note) if ok and day else None


def _closed(raw: Any, name: str, problems: list[Problem]) -> Closed | None:
    c = _sub(raw, name, problems, ("from", "to", "note"))
    if c is None:
        return None
    ends = [_day_or_month_day(c, key) for key in ("from", "to")]
    note = c.text("note", max_len=200)
    start, end = ends
    if start is not None and end is not None:
        if type(start) is not type(end):
            c.fail("to", c.data.get("to"), "the same form as `from` (both YYYY-MM-DD or MM-DD)",
                   "from と同じ形式（どちらも YYYY-MM-DD か MM-DD）")
        elif isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            c.fail("to", c.data.get("to"), "on or after `from`", "from 以降の日付")
    ok = not c.problems
    _flush(c, name, problems)
    return Closed(start, end, note) if ok and start is not None and end is not None else None


def _day_or_month_day(c: Checker, key: str) -> dt.date | tuple[int, int] | None:
    value = c.data.get(key)
    if isinstance(value, str) and len(value) == 5 and value[2] == "-":
        try:
            dt.date(2000, int(value[:2]), int(value[3:]))  # 2000 is a leap year: 02-29 is fine
            return int(value[:2]), int(value[3:])
        except ValueError:
            pass
        c.fail(key, value, "a date YYYY-MM-DD, or MM-DD for every year",
               "日付 YYYY-MM-DD、毎年なら MM-DD")
        return None
    return c.date(key, required=True)
