"""Japan time: the one rule for every date or time a person reads (DESIGN §4).

Instants are kept in UTC with their zone. What a person reads, and "today" for every date
of record, is Japan time (UTC+9; Japan has had no daylight saving since 1951) wherever
the tablet, the hub or the console happens to run: a hub on a UTC server at 23:30 is
already on the next day for the staff who read it, and so is a tablet whose clock zone
was never set."""

from __future__ import annotations

import datetime as dt

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def now(at: dt.datetime | None = None) -> dt.datetime:
    """The time in Japan now (or at the instant `at`, for a caller that has one)."""
    return local(at) if at is not None else dt.datetime.now(JST)


def today(at: dt.datetime | None = None) -> dt.date:
    """Today's date in Japan: the day every date of record is measured against."""
    return now(at).date()


def local(instant: dt.datetime | str) -> dt.datetime:
    """A stored instant in Japan time. An instant without a zone is UTC (how this project
    stores them); an unreadable text raises ValueError."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(JST)


def minute(instant: dt.datetime | str) -> str:
    """An instant as a person reads it: Japan time to the minute, `2026-12-07 08:30`.
    Text that is not an instant is shown as it is, never hidden."""
    try:
        return f"{local(instant):%Y-%m-%d %H:%M}"
    except (ValueError, TypeError):
        return str(instant)
