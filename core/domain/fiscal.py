"""Japanese fiscal years (年度, April to March) and the periods rules count in."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def fiscal_year_of(day: dt.date) -> int:
    """FY2026 runs from 2026-04-01 to 2027-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[dt.date, dt.date]:
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


@dataclass(frozen=True)
class Span:
    """A closed range of days, both ends included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap(self, other: Span | None) -> Span | None:
        """The days both spans hold (None: none); `None` as `other` is every day."""
        if other is None:
            return self
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Span(start, end) if start <= end else None


def month_periods(fy: int, months: int) -> tuple[Span, ...]:
    """The fiscal year cut into `months`-month periods from April (2 -> six periods)."""
    if months <= 0 or 12 % months:
        raise ValueError(f"months must divide 12, got {months}")
    spans = []
    for i in range(12 // months):
        first = _add_months(fy, 4, i * months)
        last_y, last_m = _add_months(fy, 4, (i + 1) * months - 1)
        spans.append(Span(dt.date(*first, 1),
                          dt.date(last_y, last_m, calendar.monthrange(last_y, last_m)[1])))
    return tuple(spans)


def weeks(fy: int) -> tuple[Span, ...]:
    """Monday-to-Sunday weeks whose Monday falls in the fiscal year."""
    start, end = fiscal_year_bounds(fy)
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    out = []
    while monday <= end:
        out.append(Span(monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    return tuple(out)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1
