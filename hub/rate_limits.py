"""Rate limits kept in the database, so every hub process shares them.

An attempt is counted before it is checked, in one statement (an upsert that returns the
new count): however many requests arrive at once, each sees the count the ones before it
left, and the sixth attempt in a window is refused even while the first five are still
being checked. Counting after checking let dozens of parallel guesses through on
PostgreSQL, where each read the count before any had written it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    most: int  # attempts allowed per window
    window: dt.timedelta


def take(conn: Connection, bucket: str, limit: Limit, now: dt.datetime | None = None) -> int:
    """Count one attempt in `bucket`. Returns 0 when it is allowed, else the seconds to
    wait before the window ends. Commit the transaction before doing the attempt's work, so
    that concurrent attempts see this one."""
    now = now or utcnow()
    table = schema.rate_limits
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    expired = table.c.window_start <= now - limit.window
    stmt = dialect.insert(table).values(bucket=bucket, window_start=now, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.bucket],
        set_={"count": case((expired, 1), else_=table.c["count"] + 1),
              "window_start": case((expired, now), else_=table.c.window_start)},
    ).returning(table.c["count"], table.c.window_start)
    row = conn.execute(stmt).one()
    if int(row[0]) <= limit.most:
        return 0
    start = row[1] if row[1].tzinfo else row[1].replace(tzinfo=dt.UTC)
    return max(1, int((start + limit.window - now).total_seconds()) + 1)


def clear(conn: Connection, bucket: str) -> None:
    conn.execute(delete(schema.rate_limits).where(schema.rate_limits.c.bucket == bucket))


def refusal(wait: int) -> TooManyRequests:
    return TooManyRequests(f"too many attempts; try again in {wait} s",
                           message_ja=f"試行回数が多すぎます。{wait}秒後にもう一度お試しください。",
                           headers={"Retry-After": str(wait)})
