"""Writing many rows of one table inside the caller's transaction, the fast way each
database offers: COPY on PostgreSQL, the driver's own executemany on SQLite.

A push writes a hundred records at a time; through SQLAlchemy's executemany each row is
compiled, bound and sent on its own, and that cost was a third of the hub's time per
record. The rows and the transaction are the same either way: a COPY that fails (a record
id another hub process took a moment earlier) raises the same IntegrityError, and the
caller's transaction rolls back as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

# SQLite's limit on one statement's parameters (32766 since 3.32; 999 before)
_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT every row (all with the same keys) in the open transaction."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, rows)
    elif conn.dialect.name == "sqlite":
        # each value as SQLAlchemy would store it (a DateTime is text in its own format)
        d = conn.dialect
        binds = [(c, table.c[c].type.dialect_impl(d).bind_processor(d)) for c in columns]
        bound: dict[tuple[str, Any], Any] = {}  # a batch's rows share their time: bind it once

        def value(column: str, bind: Any, raw: Any) -> Any:
            if bind is None:
                return raw
            key = (column, raw)
            try:
                return bound[key]
            except KeyError:
                bound[key] = bind(raw)
                return bound[key]
            except TypeError:  # a value that cannot be a key (none in our tables today)
                return bind(raw)

        # Many rows to one statement: the driver lets other threads run at every step it
        # takes, and the writer, holding SQLite's one lock, would wait to run again at each
        # of a hundred steps while the other threads check records
        group = max(1, _MAX_VARIABLES // len(columns))
        row_marks = "(" + ", ".join("?" for _ in columns) + ")"
        for start in range(0, len(rows), group):
            chunk = rows[start:start + group]
            conn.exec_driver_sql(
                f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES '
                + ", ".join(row_marks for _ in chunk),
                tuple(value(c, bind, row[c]) for row in chunk for c, bind in binds))
    else:  # pragma: no cover - only the two databases above are supported
        conn.execute(insert(table), list(rows))


def _copy(conn: Connection, table: Table, columns: list[str],
          rows: Sequence[Mapping[str, Any]]) -> None:
    import psycopg  # the PostgreSQL driver; the hub on SQLite never imports it

    # table and column names come from schema.py, never from a request
    statement = f'COPY {table.name} ({", ".join(columns)}) FROM STDIN'
    raw = conn.connection.driver_connection
    assert raw is not None  # an open transaction has its driver connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
