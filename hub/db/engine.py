"""Connecting to the hub's database: SQLite (one file, WAL) by default, PostgreSQL to scale out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# an execution option for a connection whose transactions only read: on SQLite a plain BEGIN,
# which does not take the write lock (in WAL, readers never wait for the writer)
READ_ONLY = "ibasho_read_only"


def connect(url: str) -> Engine:
    """The engine. A failed statement's error never quotes its parameters (a concern's
    text, an audit row's actor and subject), so it cannot carry them into a log."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at checkpoint, no corruption
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            # Take the write lock at BEGIN: a read-then-write transaction must not fail with
            # SQLITE_BUSY half-way, as it can when a deferred BEGIN upgrades to a writer.
            # A connection marked READ_ONLY only reads (WAL readers never wait for writers).
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                             hide_parameters=True)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///… or postgresql+psycopg://…")


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
