"""The hub's one way to run a unit of work: one database transaction.

SQLite has one writer and every writing transaction here takes it at BEGIN: the hub's
threads and worker processes take turns at it on a lock of ours (writer_lock.py). A
transaction that only reads need not wait for the writer there (WAL readers never do).
Database errors become the hub's own: a unique-key race with another hub process is
retried once, then answered 503; an unreachable or busy database 503; a full disk 507."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from hub.db.engine import READ_ONLY
from hub.db.writer_lock import WriterLock
from hub.errors import Unavailable, database_unavailable, describe, is_disk_full

log = logging.getLogger("ibasho.hub")
T = TypeVar("T")


class Database:
    """Runs `fn(conn)` in one transaction: `database(fn)`, or `database(fn, read_only=True)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.one_writer = engine.dialect.name == "sqlite"
        self._writer: contextlib.AbstractContextManager[Any] = \
            WriterLock(engine.url.database) if self.one_writer else contextlib.nullcontext()

    def __call__(self, fn: Callable[[Connection], T], *, read_only: bool = False) -> T:
        for attempt in (1, 2):
            try:
                if read_only and self.one_writer:
                    with self.engine.connect() as conn, \
                            conn.execution_options(**{READ_ONLY: True}).begin():
                        return fn(conn)
                with self._writer, self.engine.begin() as conn:
                    return fn(conn)
            except IntegrityError:
                if attempt == 2:
                    raise Unavailable("busy, try again", headers={"Retry-After": "1"}) from None
            except OperationalError as exc:
                log.warning("database unavailable: %s", describe(exc))  # never its message
                raise database_unavailable(exc) from None
            except Exception as exc:  # a full disk under a COPY: the driver's own error
                if not is_disk_full(exc):
                    raise
                log.warning("database unavailable: %s", describe(exc))
                raise database_unavailable(exc) from None
        raise AssertionError("unreachable")
