"""The SQLite writer lock, between real processes and between threads of one."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from hub.db.writer_lock import WriterLock


def _bump(database: str, counter: str, times: int) -> None:
    lock = WriterLock(database)
    for _ in range(times):
        with lock:
            # read, wait, write: without the lock two holders lose each other's updates
            value = int(Path(counter).read_text())
            time.sleep(0.0005)
            Path(counter).write_text(str(value + 1))


def test_processes_and_threads_take_turns(tmp_path: Path) -> None:
    database, counter = str(tmp_path / "hub.sqlite3"), tmp_path / "count"
    counter.write_text("0")
    context = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
    procs = [context.Process(target=_bump, args=(database, str(counter), 40)) for _ in range(3)]
    for p in procs:
        p.start()
    threads = [threading.Thread(target=_bump, args=(database, str(counter), 40)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert int(counter.read_text()) == 6 * 40
    assert (tmp_path / "hub.sqlite3.writer-lock").exists()


def test_the_lock_is_reentrant_and_released_on_error(tmp_path: Path) -> None:
    lock = WriterLock(str(tmp_path / "hub.sqlite3"))
    with lock, lock:
        pass
    try:
        with lock:
            raise RuntimeError("a failed transaction")
    except RuntimeError:
        pass
    # another process can take it now
    context = multiprocessing.get_context("spawn")
    counter = tmp_path / "count"
    counter.write_text("0")
    p = context.Process(target=_bump, args=(str(tmp_path / "hub.sqlite3"), str(counter), 1))
    p.start()
    p.join(timeout=60)
    assert p.exitcode == 0 and counter.read_text() == "1"


def test_an_in_memory_database_needs_no_file(tmp_path: Path) -> None:
    with WriterLock(":memory:"), WriterLock(None):
        pass
