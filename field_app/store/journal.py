"""A TinyDB storage that survives crashes and does not slow down with age.

TinyDB's JSONStorage rewrites the whole file in place on every write, so a save
costs O(database) and a crash mid-write can destroy every record (DESIGN §5).
This storage keeps the tables in memory and on disk as

    snapshot.jsonl       the whole state as of generation G, one document per line
                         between a header and a counting footer (replaced atomically)
    journal-G.log        one line per change since that snapshot, each fsynced

A journal line is `<crc32 hex> <json>\\n`: `{"seq": n, "ops": [[table, key, doc|null], ...]}`.
A save appends one line and fdatasyncs it (O(size of the change)); memory changes
only after the line is on disk. A torn last line is an unacknowledged save and is
dropped at open; damage anywhere else means the files are kept aside, not guessed at.
When the journal outgrows the snapshot it is folded into a new snapshot
(temp file, fsync, rename, fsync of the directory), so opening stays fast.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol

from tinydb.storages import Storage

from field_app.store import codec
from field_app.store.errors import (
    StoreClosedError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
)
from field_app.store.snapshot import FORMAT, SNAPSHOT, Parsed, Unreadable, parse, signature

__all__ = ["FORMAT", "SNAPSHOT", "DocCodec", "JournalStorage", "Op", "PlainCodec", "Tables",
           "fsync_dir", "journal_name"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK = "lock"
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
FREEZE_BYTES = 8 << 20  # a snapshot this big is loaded with the collector paused

Tables = dict[str, dict[str, dict[str, Any]]]
Op = tuple[str, str, Mapping[str, Any] | None]  # (table, key, document or None to delete)


class DocCodec(Protocol):
    """Turns a document into its on-disk form and back (sealing, DESIGN §8)."""

    def encode(self, table: str, doc: Mapping[str, Any]) -> Mapping[str, Any]: ...

    def decode(self, table: str, doc: Mapping[str, Any]) -> dict[str, Any]: ...


class Observer(Protocol):
    """What keeps itself in step with the tables in memory (the store's indexes)."""

    def changed(self, table: str, key: str, old: Mapping[str, Any] | None,
                new: Mapping[str, Any] | None) -> None: ...

    def reset(self) -> None: ...


class PlainCodec:
    def encode(self, table: str, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        return doc

    def decode(self, table: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        return doc if isinstance(doc, dict) else dict(doc)


def journal_name(generation: int) -> str:
    return f"journal-{generation:08d}.log"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalStorage(Storage):
    def __init__(
        self,
        directory: str | Path,
        *,
        codec_: DocCodec | None = None,
        compact_min_bytes: int = 8 << 20,
        initial: Tables | None = None,
        ahead: Parsed | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.codec: DocCodec = codec_ or PlainCodec()
        self.compact_min_bytes = compact_min_bytes
        self.lock = threading.RLock()  # guards the in-memory tables, never held across I/O
        self._tables: Tables = {}
        self._generation = 0
        self._seq = 0
        self._snapshot_bytes = 0
        self._journal_size = 0
        self._journal_fd: int | None = None
        self._broken: str | None = None
        self._batch: list[Op] | None = None  # table writes waiting for one journal line
        self._frozen = False  # loading froze the heap (no_collections): thawed at close
        self._ahead = ahead  # the snapshot parsed before this opening (snapshot.Ahead)
        self.on_commit: Callable[[set[str]], None] | None = None  # after memory changed
        self.observer: Observer | None = None  # told of each document changed in memory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_fd = self._take_lock()
        try:
            if initial is not None:  # a migration hands over the whole state
                self._tables = initial
                self._open_journal()
                self.compact()
            else:
                self._load()
                self._open_journal()
        except Unreadable as exc:
            self._release_lock()
            raise self._keep_aside(str(exc)) from exc
        except BaseException:
            self.close()
            raise

    # TinyDB's Storage interface -------------------------------------------------

    def read(self) -> Tables:
        """The live tables. Callers hold `self.lock` while they look at them."""
        return self._tables

    def write(self, data: Mapping[str, Any]) -> None:
        """TinyDB's generic write path (whole database): a durable full snapshot."""
        with self.lock:
            self._tables = {t: dict(docs) for t, docs in data.items()}
            if self.observer is not None:
                self.observer.reset()
        self.compact()

    def close(self) -> None:
        # a closed store holds no records: whoever still has the object (a screen, a
        # worker) keeps nothing decrypted in memory, and the next open's collection does
        # not walk them
        with self.lock:
            self._tables = {}
            if self.observer is not None:
                self.observer.reset()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        self._release_lock()

    # The fast path ----------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes made inside go to the disk as one journal line at the end, all or
        none (a save and its outbox entry). Memory changes only then: inside, reads still
        see the state before. A batch inside a batch is part of the outer one."""
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
            ops = self._batch
        finally:
            self._batch = None
        if ops:
            self._commit(ops)

    def apply(self, ops: Iterable[Op]) -> None:
        """Make `ops` durable (one journal line, fdatasync), then apply them in memory;
        inside a batch, add them to it."""
        if self._batch is not None:
            self._batch.extend(ops)
            return
        self._commit(list(ops))

    def _commit(self, ops: list[Op]) -> None:
        if self._journal_fd is None:
            raise StoreClosedError()
        if self._broken:
            raise StoreError(f"store needs reopening: {self._broken}",
                             message_ja="記録帳を開き直す必要があります。アプリを再起動してください。")
        encoded = [[t, k, None if d is None else self.codec.encode(t, d)] for t, k, d in ops]
        payload = codec.dumps({"seq": self._seq + 1, "ops": encoded})
        line = b"%08x " % zlib.crc32(payload) + payload + b"\n"
        start = self._journal_size
        try:
            _write_all(self._journal_fd, line)
            os.fdatasync(self._journal_fd)
        except OSError as exc:
            self._roll_back(start)
            path = self.directory / journal_name(self._generation)
            if exc.errno in FULL_ERRNOS:
                raise StoreFullError(path) from exc
            raise StoreError(f"could not write {path}: {exc.strerror}",
                             message_ja=f"記録を保存できませんでした（{exc.strerror}）。") from exc
        self._seq += 1
        self._journal_size = start + len(line)
        with self.lock:
            observer = self.observer
            for table, key, doc in ops:
                if doc is None:
                    old = self._tables.get(table, {}).pop(key, None)
                    new = None
                else:
                    docs = self._tables.setdefault(table, {})
                    old, new = docs.get(key), dict(doc)
                    docs[key] = new
                if observer is not None:
                    observer.changed(table, key, old, new)
            if self.on_commit is not None:  # under the lock: no reader caches the old state
                self.on_commit({table for table, _, _ in ops})
        if self._journal_size > max(self.compact_min_bytes, self._snapshot_bytes):
            try:
                self.compact()
            except StoreError as exc:  # the save itself is durable; folding can wait
                log.warning("journal compaction postponed: %s", exc)
                self.compact_min_bytes = self._journal_size * 2

    def compact(self) -> None:
        """Fold the journal into a new snapshot; a crash at any step loses nothing."""
        generation = self._generation + 1
        with self.lock:
            items = [(t, k, d) for t, docs in self._tables.items() for k, d in docs.items()]
        tmp = self.directory / (SNAPSHOT + ".tmp")
        new_journal = self.directory / journal_name(generation)
        try:
            size = self._write_snapshot(tmp, generation, items)
            new_fd = os.open(new_journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.replace(tmp, self.directory / SNAPSHOT)
            fsync_dir(self.directory)
        except OSError as exc:
            for leftover in (tmp, new_journal):
                leftover.unlink(missing_ok=True)
            if exc.errno in FULL_ERRNOS:
                raise StoreFullError(tmp) from exc
            raise StoreError(f"could not write {tmp}: {exc.strerror}") from exc
        old_fd, old_generation = self._journal_fd, self._generation
        self._journal_fd, self._generation = new_fd, generation
        self._journal_size, self._seq, self._snapshot_bytes = 0, 0, size
        if old_fd is not None:
            os.close(old_fd)
        (self.directory / journal_name(old_generation)).unlink(missing_ok=True)

    def _write_snapshot(self, path: Path, generation: int, items: list[tuple[str, str, Any]]) -> int:
        """One document per line, between a header and a footer that counts them.

        Line by line (not one big JSON value) keeps the memory peak of writing and
        reading near the size of the data itself; the footer tells a cut-off copy."""
        with open(path, "wb", buffering=1 << 20) as f:
            f.write(codec.dumps({"format": FORMAT, "generation": generation}) + b"\n")
            for table, key, doc in items:
                f.write(codec.dumps([table, key, self.codec.encode(table, doc)]) + b"\n")
            f.write(codec.dumps({"end": len(items)}) + b"\n")
            f.flush()
            os.fsync(f.fileno())
            return f.tell()

    @property
    def journal_bytes(self) -> int:
        return self._journal_size

    # Loading ------------------------------------------------------------------------

    def _load(self) -> None:
        snapshot = self.directory / SNAPSHOT
        # only a big store pays for the collection and the freeze (a full collection of
        # the process costs more than it saves on a few thousand documents)
        big = snapshot.exists() and snapshot.stat().st_size >= FREEZE_BYTES
        self._frozen = big
        with no_collections() if big else nullcontext():
            if snapshot.exists():
                self._read_snapshot(snapshot)
            self._replay(self.directory / journal_name(self._generation))
        for stale in self.directory.glob("journal-*.log"):
            if stale.name != journal_name(self._generation):
                stale.unlink()  # folded into the snapshot by an interrupted compaction
        (self.directory / (SNAPSHOT + ".tmp")).unlink(missing_ok=True)

    def _read_snapshot(self, path: Path) -> None:
        ahead, self._ahead = self._ahead, None
        parsed = ahead if ahead is not None and ahead.signature == signature(path) else parse(path)
        items, parsed.items = parsed.items, []  # each parsed document goes once decoded
        tables = self._tables
        decode = self.codec.decode
        plain = type(self.codec) is PlainCodec  # its decode would hand back the same dict
        for i, (table, key, doc) in enumerate(items):
            docs = tables.get(table)
            if docs is None:
                docs = tables[table] = {}
            docs[key] = doc if plain else decode(table, doc)
            items[i] = None  # type: ignore[call-overload]
        self._snapshot_bytes = parsed.size
        self._generation = parsed.generation

    def _replay(self, path: Path) -> None:
        if not path.exists():
            return
        raw = path.read_bytes()
        complete = raw[: raw.rfind(b"\n") + 1]  # a tail without its newline never finished
        lines = complete.split(b"\n")[:-1]
        offset = 0
        for index, line in enumerate(lines):
            entry = _parse_line(line)
            if entry is None or entry.get("seq") != self._seq + 1:
                if index == len(lines) - 1:
                    complete = complete[:offset]  # damaged last line: an unacknowledged save
                    break
                raise Unreadable(f"{path.name} is damaged at line {index + 1}")
            for table, key, doc in entry["ops"]:
                if doc is None:
                    self._tables.get(table, {}).pop(key, None)
                else:
                    self._tables.setdefault(table, {})[key] = self.codec.decode(table, doc)
            self._seq += 1
            offset += len(line) + 1
        if len(complete) != len(raw):
            log.warning("dropping %d bytes of an unfinished save at the end of %s",
                        len(raw) - len(complete), path)
            with open(path, "r+b") as f:
                f.truncate(len(complete))
                os.fsync(f.fileno())
        self._journal_size = len(complete)

    def _open_journal(self) -> None:
        path = self.directory / journal_name(self._generation)
        existed = path.exists()
        self._journal_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._journal_size = os.fstat(self._journal_fd).st_size
        if not existed:
            fsync_dir(self.directory)

    def _roll_back(self, size: int) -> None:
        """Cut a half-written line off, so the journal stays appendable."""
        assert self._journal_fd is not None
        try:
            os.ftruncate(self._journal_fd, size)
            os.fdatasync(self._journal_fd)
        except OSError as exc:  # the torn tail will be dropped at the next open
            self._broken = f"could not roll back a failed write: {exc.strerror}"

    # The lock and damaged files --------------------------------------------------------

    def _take_lock(self) -> int | None:
        if fcntl is None:
            return None
        fd = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreLockedError(self.directory) from exc
        return fd

    def _release_lock(self) -> None:
        if getattr(self, "_lock_fd", None) is not None:
            assert self._lock_fd is not None
            os.close(self._lock_fd)
            self._lock_fd = None

    def _keep_aside(self, reason: str) -> StoreCorruptError:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = self.directory.with_name(f"{self.directory.name}.unreadable-{stamp}")
        self.directory.rename(kept)
        log.error("store unreadable (%s); kept at %s", reason, kept)
        return StoreCorruptError(reason, kept)


@contextmanager
def no_collections() -> Iterator[None]:
    """Loading builds every document at once, and the cyclic garbage collector would walk
    the growing heap again and again (half the time of opening 50,000 records) to find
    nothing: documents hold no cycles. It is paused meanwhile; what was loaded is then
    moved out of its sight (gc.freeze) while the store is open, so that neither the next
    collection nor any later one walks the whole store again. Garbage already waiting is
    collected first, so that freezing keeps none of it; closing the storage thaws what was
    frozen (`thaw`), so that what became garbage meanwhile is collected again.
    (Documents are freed by reference counting in any case.)"""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def _parse_line(line: bytes) -> dict[str, Any] | None:
    if len(line) < 10 or line[8:9] != b" ":
        return None
    payload = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(payload):
            return None
        entry = codec.loads(payload)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("ops"), list):
        return None
    return entry


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
