"""SQLite's one writer, taken in turn by the hub's threads and its worker processes.

Every hub transaction on SQLite takes the write lock at BEGIN. Left to SQLite, a writer
that finds it held sleeps and polls (its busy handler: up to 100 ms a time), so under load
most of a push's time would be spent asleep beside a free lock. Instead the hub's threads
queue on a lock of this process, and the processes of `serve --workers N` on an advisory
lock of a file beside the database (flock: the kernel wakes the next one as soon as it is
released). Anything else that writes — the CLI, a second hub not started by `serve` —
still meets SQLite's busy handler, and waits its turn there.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType


class WriterLock:
    """A reentrant lock held by one thread of one process at a time."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0  # read and written only by the thread holding `_threads`
        self._path = Path(f"{database}.writer-lock") if database and database != ":memory:" \
            else None
        self._fd: int | None = None
        self._pid = 0  # a forked child opens its own: a shared descriptor is a shared lock

    def __enter__(self) -> WriterLock:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                if self._fd is None or self._pid != os.getpid():
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                    self._pid = os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits without the GIL
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
