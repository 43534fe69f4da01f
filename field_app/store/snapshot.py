"""Reading a store's snapshot file: its lines parsed and checked, not yet decoded.

Parsing needs no key: it is half of opening the sealed store at 50,000 records (the other
half is unsealing). So the app parses the snapshot on a thread while the PIN is typed and
scrypt runs (`Ahead`: scrypt leaves Python's lock, the two share the tablet's cores), and
the opening that follows takes what was parsed if the file is still the one that was
(`Parsed.signature`: the same inode, size and modification time; the snapshot is only
ever replaced whole, by a rename), or reads it again.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from field_app.store import codec

FORMAT = 2  # on-disk layout version; format 1 was TinyDB's JSONStorage (see migrations)
SNAPSHOT = "snapshot.jsonl"
READ_CHUNK = 1 << 20  # snapshot bytes parsed at once


class Unreadable(Exception):
    """Raised inside loading; turned into StoreCorruptError after the files are moved aside."""


@dataclass
class Parsed:
    signature: tuple[int, int, int]
    generation: int
    items: list[list[Any]]  # [table, key, document] for each stored document, in order
    size: int


def signature(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def parse(path: Path) -> Parsed:
    """The snapshot at `path`, every line parsed and checked (header, one [table, key,
    document] a line, a footer counting them, nothing after it)."""
    sign = signature(path)
    count = 0
    out: list[list[Any]] = []
    with open(path, "rb") as f:
        try:
            header = codec.loads(f.readline())
        except ValueError as exc:
            raise Unreadable(f"{SNAPSHOT} has no readable header") from exc
        if (not isinstance(header, dict) or header.get("format") != FORMAT
                or not isinstance(header.get("generation"), int)):
            raise Unreadable(f"{SNAPSHOT} has an unknown format")
        footer, after_footer, number = None, False, 1  # line 1: the header
        while footer is None:
            lines = f.readlines(READ_CHUNK)
            if not lines:
                break
            items = _items(lines, number + 1)
            for i, item in enumerate(items):
                number += 1
                # type() is, not isinstance: parsed JSON has no subclasses, and this runs
                # once per stored document at every opening
                if type(item) is dict:
                    footer, after_footer = item, i < len(items) - 1
                    break
                if not (type(item) is list and len(item) == 3 and type(item[2]) is dict):
                    raise Unreadable(f"{SNAPSHOT} is damaged at line {number}")
                out.append(item)
                count += 1
        if footer is None or footer.get("end") != count or after_footer or f.read(1):
            raise Unreadable(f"{SNAPSHOT} is incomplete ({count} records, no proper end)")
        size = f.tell()
    return Parsed(sign, header["generation"], out, size)


def _items(lines: list[bytes], first: int) -> list[Any]:
    """Snapshot lines parsed: a chunk at once (one JSON array, a fraction of the calls), or
    line by line to name the damaged one when the chunk is not exactly one value a line."""
    try:
        items = codec.loads(b"[" + b",".join(lines) + b"]")
        if isinstance(items, list) and len(items) == len(lines):
            return items
    except ValueError:
        pass
    out = []
    for number, line in enumerate(lines, start=first):
        try:
            out.append(codec.loads(line))
        except ValueError as exc:
            raise Unreadable(f"{SNAPSHOT} is damaged at line {number}") from exc
    return out


class Ahead:
    """The snapshot of the store in `directory` parsed on a thread of its own, once until
    taken: begun when the lock screen's PIN is first typed into, taken by the opening."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: tuple[threading.Thread, list[Parsed | None]] | None = None

    def start(self, directory: Path) -> None:
        with self._lock:
            if self._run is not None:
                return
            result: list[Parsed | None] = [None]

            def work() -> None:
                # no snapshot, or a damaged one: the opening reads it and says so
                with contextlib.suppress(OSError, Unreadable):
                    result[0] = parse(Path(directory) / SNAPSHOT)

            thread = threading.Thread(target=work, name="store-parse-ahead", daemon=True)
            self._run = (thread, result)
        thread.start()

    def take(self, timeout: float = 30.0) -> Parsed | None:
        """What was parsed (waiting for it), once; None if nothing was begun or it failed."""
        with self._lock:
            run, self._run = self._run, None
        if run is None:
            return None
        thread, result = run
        thread.join(timeout)
        return None if thread.is_alive() else result[0]
