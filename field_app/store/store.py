"""The device's record store: records, the outbox, reference data.

One writer: every change goes through a single background thread, so the UI
hands a save over and returns at once (`save_async`), and no two writes race.
Reads come from memory. Every save of a field record also marks it pending in
the outbox at its new rev, in the same durable journal line; sync acknowledges
(id, rev), and a record edited while its push was in flight stays pending.

One editing session, one rev: a form's saves carry its session, and a save by the session
that wrote the record's current rev replaces that rev in place while it waits in the
outbox unsent; once that rev has been handed to a push (in flight, acknowledged, or a push
that failed with the hub perhaps holding it) the next save makes a new rev, so the hub
never sees two bodies under one (id, rev). Sessions and what was handed to a push are
kept in memory: a restart ends every session, and the next save makes a new rev.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tinydb.queries import QueryLike

from core.domain import clock
from core.domain.gathering import MONTH
from core.domain.kinds import FIELD_KINDS, KINDS, restore
from core.domain.photo import Photo
from core.domain.record import Record, new_id, new_meta, utc_now
from core.domain.retention import Policy, archive_due, stub, stub_due
from field_app.store.archive import (
    ARCHIVED,
    Archive,
    Place,
    archived_summary,
    visit,
    with_visits,
    year_of,
)
from field_app.store.errors import StoreClosedError, StoreError, StoreSealedError
from field_app.store.imaging import prepare
from field_app.store.index import Index, Indexes, latest_per_place
from field_app.store.journal import DocCodec, JournalStorage, Op, PlainCodec
from field_app.store.migrations import STORE_DIR, migrate
from field_app.store.photo_settings import PhotoSettings, photo_settings
from field_app.store.photos import PHOTO_DIR, SETTINGS_META, PhotoRefused, PhotoSource, Shelf
from field_app.store.sealing import AesGcmSealer, SealingCodec
from field_app.store.segments import SegmentSealer
from field_app.store.snapshot import Parsed
from field_app.store.tables import RecordDB

log = logging.getLogger(__name__)
T = TypeVar("T")

OUTBOX, QUARANTINE, META, DRAFTS = "outbox", "quarantine", "meta", "drafts"
SEAL_MARK, SEAL_CHECK = "sealing", "ibasho-sealed-v1"
RETENTION_FOLD = 1000  # records stubbed or archived at once that make the journal fold
# In an outbox (or quarantine) entry: the record waits for the hub but its document has moved
# to a yearly archive, at this [year, offset, length] (archive.Place); see apply_retention.
PARKED = "archived"
VISITED = "visited"  # and, if it was a visit, `place|day` (archive.visit): see acknowledge
# "id|year" -> {"rev"}: a record saved again (at rev) while it waited in that year's archive;
# its copies there older than rev are not what it is (it may be edited to another year)
STALE = "archive_stale"


@dataclass(frozen=True)
class Saved:
    id: str
    rev: int


@dataclass(frozen=True)
class Quarantined:
    id: str
    kind: str
    rev: int
    reasons: tuple[dict[str, Any], ...]
    at: str


class Store:
    def __init__(
        self, data_dir: str | Path, *, codec: DocCodec | None = None,
        compact_min_bytes: int = 8 << 20, photos: PhotoSettings | None = None,
        ahead: Parsed | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"codec_": codec, "compact_min_bytes": compact_min_bytes}
        migrate(self.data_dir, **options)
        # `ahead`: the snapshot parsed while the PIN was typed (snapshot.Ahead), taken if
        # it is still the file there
        self._db = RecordDB(self.data_dir / STORE_DIR, storage=JournalStorage, ahead=ahead,
                            **options)
        self._storage: JournalStorage = self._db.storage  # type: ignore[assignment]
        # a concern reduced to a stub is no record to list (repository.ConcernStub)
        self._indexes = Indexes(self._storage.read,
                                lambda doc: None if doc.get("stub") else restore(doc))
        self._storage.observer = self._indexes
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ibasho-store")
        # Writes run one at a time, in the order handed over: on the writer thread, or on a
        # caller that waits for its write anyway when none is queued ahead (`_run`).
        self._writing = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queued = 0  # writes handed to the writer thread and not finished
        self._archive = Archive(self.data_dir / "archive", codec or PlainCodec())
        self._closed = False
        self._sealing = isinstance(codec, SealingCodec)
        # What a form held when the disk refused to keep it (full): in memory only, so that
        # closing and reopening the form still shows what was typed while the app runs.
        # Dropped once a later save or draft of the same record reaches the disk.
        self._unsaved: dict[str, dict[str, Any]] = {}
        self._session_of: dict[str, str] = {}  # record id -> the form session that wrote it
        self._offered: dict[str, int] = {}  # record id -> the last rev handed to a push
        # photos are sealed under a key of their own, derived from the data key; a store
        # that is not sealed keeps none (photos.py)
        sealer = codec.sealer if isinstance(codec, SealingCodec) else None
        self.photos = Shelf(
            self.data_dir / PHOTO_DIR,
            SegmentSealer(sealer.derive(b"photos")) if isinstance(sealer, AesGcmSealer) else None,
            photos or photo_settings(), self._tables, lambda: self.device_id)
        try:
            self._check_seal()
        except BaseException:
            self.close()
            raise
        if self._get(META, "device") is None:
            # `since`: the first day this tablet was used; nothing before it was "missed"
            since = clock.today().isoformat()
            self._run(lambda: self._write([(META, "device", {"id": new_id(), "since": since})]))

    def _check_seal(self) -> None:
        """A store that was ever opened sealed says so, with a check value sealed under the
        key: opened without the codec it is refused plainly, not read as garbage that fails
        later. Opened sealed for the first time, everything is rewritten sealed at once."""
        mark = self._get(META, SEAL_MARK)
        if mark is not None and not self._sealing:
            raise StoreSealedError(self.data_dir)
        if mark is not None and mark.get("check") != SEAL_CHECK:
            raise StoreError("the sealed records do not open with this key",
                             message_ja="この鍵では暗号化された記録を開けません。")
        if mark is None and self._sealing:
            def reseal() -> None:
                self._storage.compact()  # a book written before its first PIN, sealed now
                self._write([(META, SEAL_MARK, {"id": SEAL_MARK, "check": SEAL_CHECK})])

            self._run(reseal)

    # Lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        with self._writing:  # a caller's own write finishes first
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def device_id(self) -> str:
        doc = self._get(META, "device")
        assert doc is not None
        return str(doc["id"])

    # Writing (always on the writer thread) -------------------------------------------

    def save(self, record: Record) -> Saved:
        """Save a field record durably and mark it pending; returns after fsync."""
        if record.kind not in FIELD_KINDS:
            raise StoreError(f"{record.kind} records are written by the office, not saved here")
        doc = record.to_dict()
        return self._run(lambda: self._save(doc))

    def save_async(self, record: Record, *, session: str | None = None) -> Future[Saved]:
        """Hand a save to the writer thread; the Future fails with a StoreError. With a
        form's `session`, a save after the session's first may keep the rev (the module's
        note): the Future's Saved says which rev was written."""
        if record.kind not in FIELD_KINDS:
            raise StoreError(f"{record.kind} records are written by the office, not saved here")
        doc = record.to_dict()
        return self._submit(lambda: self._save(doc, session))

    def _save(self, doc: dict[str, Any], session: str | None = None, also: Iterable[Op] = ()
              ) -> Saved:
        kind, rid, rev = str(doc["kind"]), str(doc["id"]), int(doc["rev"])
        current = self._get(kind, rid)
        # waiting in an archive, its entry knows its rev: saved again, it lives in the store
        known = current if current is not None else self._parked(kind, rid)
        if current is not None and session is not None and self._session_of.get(rid) == session:
            # the session's own record: its rev, not the screen's guess, decides the next
            rev = self._next_rev(rid, int(current["rev"]))
            doc = {**doc, "rev": rev}
        elif known is not None and int(known["rev"]) >= rev:
            raise StoreError(
                f"{kind} {rid}: rev {rev} is not newer than the saved rev {known['rev']}",
                message_ja="この記録はすでに新しい内容で保存されています。画面を開き直してください。")
        if kind == "concern":
            # The office part is the office's: it comes only by pull. A screen or draft opened
            # before the last pull carries an older one, and the cursor has moved past it.
            doc = {**doc, "office": current.get("office") if current is not None else None}
        ops: list[Op] = [(kind, rid, doc), (OUTBOX, rid, {"kind": kind, "rev": rev}), *also]
        if current is None and known is not None:  # in the same line: what it leaves there
            ops.append((STALE, _stale_key(rid, int(known[PARKED][0])), {"rev": rev}))
        if self._get(QUARANTINE, rid) is not None:
            ops.append((QUARANTINE, rid, None))  # an edit is the fix: try sending it again
        if self._get(DRAFTS, rid) is not None:
            ops.append((DRAFTS, rid, None))  # in the same line: the draft goes only if this lands
        self._keep(rid, doc, lambda: self._write(ops))
        if session is not None:
            self._session_of[rid] = session
        else:  # written by someone else: an open form of it must not carry on over this
            self._session_of.pop(rid, None)
        return Saved(rid, rev)

    def _next_rev(self, rid: str, current: int) -> int:
        """The same rev while it waits in the outbox and no push has taken it; else the
        next (DESIGN §5: edited while its push is in flight, it stays pending at a new rev)."""
        entry = self._get(OUTBOX, rid)
        waiting = entry is not None and int(entry["rev"]) == current
        return current if waiting and self._offered.get(rid) != current else current + 1

    def _keep(self, rid: str, doc: dict[str, Any], write: Callable[[], None]) -> None:
        """Write; if the disk refuses, hold `doc` in memory as this record's draft."""
        try:
            write()
        except StoreError:
            self._unsaved[rid] = dict(doc)
            raise
        self._unsaved.pop(rid, None)

    def put_reference(self, records: Iterable[Record | Mapping[str, Any]]) -> int:
        """Store office-owned records (places, the office part of concerns) as given."""
        docs = [r.to_dict() if isinstance(r, Record) else dict(r) for r in records]

        def write() -> int:
            ops: list[Op] = [(str(d["kind"]), str(d["id"]), d) for d in docs]
            if ops:
                self._write(ops)
            return len(ops)

        return self._run(write)

    def acknowledge(self, acks: Iterable[tuple[str, int]]) -> int:
        """The hub has these (id, rev): drop them from the outbox unless edited since."""
        pairs = list(acks)

        def write() -> int:
            ops: list[Op] = []
            visits: list[str] = []
            for rid, rev in pairs:
                entry = self._get(OUTBOX, rid)
                if entry is not None and int(entry["rev"]) == rev:
                    ops.append((OUTBOX, rid, None))
                    if VISITED in entry:  # waited in an archive: now it is archived for good
                        visits.append(str(entry[VISITED]))
            dropped = [rid for _, rid, _ in ops]
            if visits:  # in the same line: "not visited" counts them on
                ops.append((META, ARCHIVED, with_visits(self._get(META, ARCHIVED), visits)))
            if ops:
                self._write(ops)
            for rid in dropped:  # out of the outbox, it is never saved over in place
                self._offered.pop(rid, None)
            return len(dropped)

        return self._run(write)

    def offer_again(self) -> int:
        """Mark pending again, at their current revs, the records this device wrote and
        still holds in full: the hub it syncs with was restored from a backup and may lack
        some it once acknowledged (it keeps what it lacks, answers `duplicate` for the rest).
        Nothing is removed. Not offered: what already waits or was refused (it goes its own
        way), a concern reduced to a stub (the hub's full record must not be overwritten by
        it), records of another device. Returns how many were marked."""

        def write() -> int:
            me = self.device_id
            with self._storage.lock:
                tables = self._storage.read()
                waiting = tables.get(OUTBOX, {}).keys() | tables.get(QUARANTINE, {}).keys()
                ops: list[Op] = [
                    (OUTBOX, rid, {"kind": kind, "rev": int(doc["rev"])})
                    for kind in FIELD_KINDS for rid, doc in tables.get(kind, {}).items()
                    if rid not in waiting and not doc.get("stub") and doc.get("device_id") == me]
            again = self.photos.offer_again_ops()
            if ops or again:
                self._write([*ops, *again])
            for _, rid, entry in ops:  # the hub had these revs once: never reused
                self._offered[rid] = int(entry["rev"]) if entry else 0
            return len(ops)

        return self._run(write)

    def quarantine(self, rid: str, rev: int, reasons: Iterable[Mapping[str, Any]]) -> bool:
        """The hub refused (id, rev) for good: keep it aside with the reasons, unsent."""
        why = [dict(r) for r in reasons]

        def write() -> bool:
            entry = self._get(OUTBOX, rid)
            if entry is None or int(entry["rev"]) != rev:
                return False  # edited since: the new rev gets its own chance
            kept = {"kind": entry["kind"], "rev": rev, "reasons": why, "at": utc_now()}
            # its document is in an archive: the fix opens it from there
            kept.update((k, entry[k]) for k in (PARKED, VISITED) if k in entry)
            self._write([(OUTBOX, rid, None), (QUARANTINE, rid, kept)])
            return True

        return self._run(write)

    def set_office_parts(self, parts: Mapping[str, Mapping[str, Any] | None]) -> int:
        """Apply the office's part of concerns (pulled from the hub); not pushed back."""
        given = {rid: (dict(body) if body is not None else None) for rid, body in parts.items()}

        def write() -> int:
            ops: list[Op] = []
            for rid, body in given.items():
                doc = self._get("concern", rid)
                if doc is not None and doc.get("office") != body:
                    ops.append(("concern", rid, {**doc, "office": body}))
            if ops:
                self._write(ops)
            return len(ops)

        return self._run(write)

    def remove_reference(self, kind: str, ids: Iterable[str]) -> int:
        """Drop office-owned records the hub no longer has (e.g. sample places)."""
        if kind in FIELD_KINDS:
            raise StoreError(f"{kind} records are never removed by sync")
        keys = list(ids)

        def write() -> int:
            ops: list[Op] = [(kind, k, None) for k in keys if self._get(kind, k) is not None]
            if ops:
                self._write(ops)
            return len(ops)

        return self._run(write)

    # Retention: stubs and archives (DESIGN §8) --------------------------------------------

    def apply_retention(self, today: dt.date, policy: Policy) -> tuple[int, int]:
        """Reduce closed concerns to stubs and archive old records, only those the hub has.
        Returns (stubbed, archived). Old records still waiting for the hub also leave memory
        for the archives, and keep waiting (`_parkable`); they are not counted: nothing of
        them is reduced or gone from the device."""
        return self.apply_retention_async(today, policy).result()

    def apply_retention_async(self, today: dt.date, policy: Policy) -> Future[tuple[int, int]]:
        def due() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
            """(concerns to stub, synced records to archive, waiting records to park)"""
            # runs at every unlock while home is being built: only what is due is copied
            with self._storage.lock:
                tables = self._storage.read()
                outbox = tables.get(OUTBOX, {})
                aside = tables.get(QUARANTINE, {}).keys() | tables.get(DRAFTS, {}).keys()
                unsynced = outbox.keys() | aside
                # refused, in a draft, in a form, or refused by a full disk: what staff are
                # working on stays at hand
                busy = aside | self._session_of.keys() | self._unsaved.keys()
                stubs = [dict(d) for d in tables.get("concern", {}).values()
                         if d["id"] not in unsynced and stub_due(d, today, policy)]
                old: list[dict[str, Any]] = []
                parked: list[dict[str, Any]] = []
                for kind in ("gathering", "visit_note"):
                    for d in tables.get(kind, {}).values():
                        if not archive_due(d, today, policy):
                            continue
                        rid = d["id"]
                        if rid not in unsynced:
                            old.append(dict(d))
                        elif rid in outbox and rid not in busy and _parkable(d):
                            parked.append(dict(d))
                return stubs, old, parked

        def write() -> tuple[int, int]:
            stubs, old, parked = due()
            # durable first: a crash here leaves a copy, never none
            placed = (self._archive.add(old + parked) if old or parked else None) or {}
            ops: list[Op] = [("concern", d["id"], stub(d)) for d in stubs]
            ops += [(d["kind"], d["id"], None) for d in old + parked]
            with self._storage.lock:  # filed again in the same year: its newer rev is what shows
                stale = self._storage.read().get(STALE, {})
                ops += [(STALE, key, None) for key in (_stale_key(d["id"], year_of(d))
                                                      for d in old + parked) if key in stale]
            for d in parked:  # still waiting: the entry says where its document went
                entry = self._get(OUTBOX, d["id"])
                assert entry is not None  # the writer thread: nothing acknowledged meanwhile
                # where its line went; no more than its year if not told (read whole then)
                entry[PARKED] = list(placed.get(d["id"]) or Place(year_of(d), -1, 0))
                if (visited := visit(d)) is not None:
                    entry[VISITED] = visited
                ops.append((OUTBOX, d["id"], entry))
            if old or parked:  # in the same line: what the archives hold, for the screens
                ops.append((META, ARCHIVED, archived_summary(self._get(META, ARCHIVED),
                                                             old, parked)))
            if ops:
                self._write(ops)
            if len(ops) >= RETENTION_FOLD:
                # the snapshot is mostly what just left: folded now, the next opening reads
                # what the store holds, not years of history and their deletions
                self._storage.compact()
            return len(stubs), len(old)

        return self._submit(write)

    def _parked(self, kind: str, rid: str) -> dict[str, Any] | None:
        """The outbox or quarantine entry of `rid` if its document waits in an archive."""
        with self._storage.lock:
            tables = self._storage.read()
            for table in (OUTBOX, QUARANTINE):
                entry = tables.get(table, {}).get(rid)
                if entry is not None:
                    return dict(entry) if PARKED in entry and entry["kind"] == kind else None
        return None

    def _unpark(self, entries: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """The documents of these parked entries (id -> entry), read from the archives."""
        found = self._archive.fetch({rid: Place(*e[PARKED]) for rid, e in entries.items()})
        for rid in entries.keys() - found.keys():
            log.error("record %s waits for the hub but its archived copy does not read", rid)
        return found

    def archived(self, year: int) -> list[dict[str, Any]]:
        """Records archived from `year`: read (and unsealed) only when asked for, with those
        still waiting there for the hub (`waiting_ids` says which)."""
        return self._fresh(year, self._archive.read(year))

    def _fresh(self, year: int, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`docs` of `year`'s archive without the copies superseded elsewhere (STALE)."""
        with self._storage.lock:
            stale = self._storage.read().get(STALE, {})
            if not stale:
                return docs
            marks = [stale.get(_stale_key(d["id"], year)) for d in docs]
        return [d for d, mark in zip(docs, marks, strict=True)
                if mark is None or int(d["rev"]) >= int(mark["rev"])]

    def archived_years(self) -> list[int]:
        """The years that have archived records, oldest first."""
        return self._archive.years()

    def archived_between(self, kind: str, start: str, end: str, *, days: tuple[str, ...] = ("date",),
                         place: str | None = None, limit: int | None = None
                         ) -> list[dict[str, Any]]:
        """Archived records of `kind` with one of `days` in [start, end] (of `place`), read
        from the yearly archives when a screen asks for those days, the newest year first,
        up to the year that brings `limit` of them; nothing is read for days after the
        newest archived one. A record also in the store (saved again since) is the store's."""
        summary = self._get(META, ARCHIVED) or {}
        through = str(summary.get("through", ""))
        covered = set(summary.get("days") or ("date",))
        if start > through and covered.issuperset(days):
            return []
        # a record is filed under the year of its date; another of its days may be later
        first = int(start[:4] or 0) - (1 if days != ("date",) else 0)
        found: list[dict[str, Any]] = []
        for year in reversed(self._archive.years()):
            if limit is not None and len(found) >= limit:
                break
            if first <= year <= int(min(end, through)[:4]):
                found += [d for d in self.archived(year) if d.get("kind") == kind
                          and (place is None or d.get("place_id") == place)
                          and any(start <= str(d.get(day) or "") <= end for day in days)]
        with self._storage.lock:
            here = self._storage.read().get(kind, {})
            return [d for d in found if d["id"] not in here]

    def _keys(self, table: str) -> list[str]:
        with self._storage.lock:
            return list(self._storage.read().get(table, {}))

    # Drafts: what a form holds while it is not (yet) a valid record. Kept durably so that
    # nothing typed is lost, never pushed.

    def put_draft(self, doc: Mapping[str, Any]) -> Future[None]:
        data = dict(doc)
        rid = str(data["id"])
        return self._submit(lambda: self._keep(
            rid, data, lambda: self._write([(DRAFTS, rid, data)])))

    def discard_draft(self, rid: str) -> Future[bool]:
        """Throw away what a form held for `rid` and never saved (the user said so): the draft
        on disk and what the disk refused. A saved record of `rid` stays as it was saved.
        True if there was something to throw away."""
        def write() -> bool:
            held = self._unsaved.pop(rid, None) is not None
            if self._get(DRAFTS, rid) is None:
                return held
            self._write([(DRAFTS, rid, None)])
            return True

        return self._submit(write)

    def draft(self, rid: str) -> dict[str, Any] | None:
        """What the form last held for `rid` that is not a saved record: what the disk
        refused if it did, else the draft kept on disk."""
        held = self._unsaved.get(rid)
        return dict(held) if held is not None else self._get(DRAFTS, rid)

    def drafts(self) -> list[dict[str, Any]]:
        """Every draft, and what the disk refused, newest first."""
        found = {d["id"]: d for d in self.all(DRAFTS)}
        found.update({rid: dict(d) for rid, d in list(self._unsaved.items())})
        return sorted(found.values(), key=lambda d: str(d.get("updated_at", "")), reverse=True)

    def is_unsaved(self, rid: str) -> bool:
        """Did the disk refuse the last save or draft of `rid` (and none has landed since)?"""
        return rid in self._unsaved

    def meta(self, key: str) -> dict[str, Any] | None:
        return self._get(META, key)

    def set_meta(self, key: str, value: Mapping[str, Any] | None) -> None:
        """Durably, waiting for the disk: not for the UI's event path (`set_meta_async`)."""
        doc = dict(value) if value is not None else None
        self._run(lambda: self._write([(META, key, doc)]))

    def set_meta_async(self, key: str, value: Mapping[str, Any] | None) -> Future[None]:
        doc = dict(value) if value is not None else None
        return self._submit(lambda: self._write([(META, key, doc)]))

    def _submit(self, fn: Callable[[], T]) -> Future[T]:
        if self._closed:
            raise StoreClosedError()
        with self._queue_lock:
            self._queued += 1

        def job() -> T:
            try:
                with self._writing:
                    return fn()
            finally:
                with self._queue_lock:
                    self._queued -= 1

        try:
            return self._writer.submit(job)
        except RuntimeError:  # shut down meanwhile
            with self._queue_lock:
                self._queued -= 1
            raise StoreClosedError() from None

    def _run(self, fn: Callable[[], T]) -> T:
        """A write the caller waits for. With nothing queued ahead it runs on the caller's
        own thread (two thread switches fewer, a third of a small save); otherwise it
        takes its turn on the writer thread."""
        if self._closed:
            raise StoreClosedError()
        with self._queue_lock:
            idle = self._queued == 0 and self._writing.acquire(blocking=False)
        if not idle:
            return self._submit(fn).result()
        try:
            if self._closed:
                raise StoreClosedError()
            return fn()
        finally:
            self._writing.release()

    def _write(self, ops: Iterable[Op]) -> None:
        """Through TinyDB's tables, as one durable journal line (all or none)."""
        with self._storage.batch():
            for table, key, doc in ops:
                if doc is None:
                    self._db.table(table).delete(key)
                else:
                    self._db.table(table).put(key, doc)

    # Reading (from memory, any thread) -------------------------------------------------

    def _get(self, table: str, key: str) -> dict[str, Any] | None:
        with self._storage.lock:
            doc = self._storage.read().get(table, {}).get(key)
            return dict(doc) if doc is not None else None

    def get(self, kind: str, rid: str) -> dict[str, Any] | None:
        """The record as saved; one still waiting for the hub is read from the archive its
        document moved to (apply_retention), one synced and archived is not."""
        doc = self._get(kind, rid)
        if doc is None and kind in PARKABLE:
            entry = self._parked(kind, rid)
            if entry is not None:
                doc = self._unpark({rid: entry}).get(rid)
        return doc

    def load(self, kind: str, rid: str) -> Record | None:
        doc = self.get(kind, rid)
        return restore(doc) if doc is not None else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        with self._storage.lock:
            return [dict(d) for d in self._storage.read().get(kind, {}).values()]

    def records(self, kind: str) -> list[Record]:
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}")
        return [restore(d) for d in self.all(kind)]

    def find(self, kind: str, cond: QueryLike) -> list[dict[str, Any]]:
        with self._storage.lock:
            return [dict(d) for d in self._db.table(kind).search(cond)]

    def indexed(self, kind: str, index: str,
                fn: Callable[[Index, Mapping[str, dict[str, Any]]], T]) -> T:
        """`fn(index, documents of kind)` under the lock: a lookup instead of a scan
        (field_app.store.index). `fn` copies what it hands back."""
        with self._storage.lock:
            return fn(self._indexes.get(kind, index), self._storage.read().get(kind, {}))

    def lookup(self, kind: str, index: str, low: str | None = None, high: str | None = None,
               *, latest: int | None = None) -> list[Record]:
        """Records of `kind` by an index (field_app.store.index), in [low, high]; with
        `latest`, those with the highest values (at least that many where there are)."""
        with self._storage.lock:
            return self._indexes.records(kind, index, low, high, latest)

    def count(self, kind: str) -> int:
        with self._storage.lock:
            return len(self._storage.read().get(kind, {}))

    # The outbox ----------------------------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Records waiting to be pushed, at their current revs, oldest first (those whose
        document moved to an archive read from there, outside the lock)."""
        out: list[dict[str, Any] | str] = []
        parked: dict[str, dict[str, Any]] = {}
        with self._storage.lock:
            tables = self._storage.read()
            for rid, entry in tables.get(OUTBOX, {}).items():
                doc = tables.get(entry["kind"], {}).get(rid)
                if doc is not None:
                    out.append(dict(doc))
                elif PARKED in entry:
                    out.append(rid)
                    parked[rid] = dict(entry)
                if limit is not None and len(out) >= limit:
                    break
        if not parked:
            return out  # type: ignore[return-value]
        found = self._unpark(parked)
        return [found[d] if isinstance(d, str) else d for d in out
                if not isinstance(d, str) or d in found]

    def sending(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The records a push is about to send, as `pending`, each marked as handed to a
        push at its rev, in turn with the writes: a save after this makes a new rev rather
        than changing the body the hub may already hold under this one."""

        def take() -> list[dict[str, Any]]:
            docs = self.pending(limit)
            marks = self.photos.pushed_ops(docs)  # the hub may hold these from now on
            if marks:
                self._write(marks)
            for doc in docs:
                self._offered[str(doc["id"])] = int(doc["rev"])
            return docs

        return self._run(take)

    def outbox_ids(self) -> list[str]:
        return self._keys(OUTBOX)

    def waiting_ids(self) -> set[str]:
        """Records the hub has not taken: pending or refused."""
        with self._storage.lock:
            tables = self._storage.read()
            return set(tables.get(OUTBOX, {})) | set(tables.get(QUARANTINE, {}))

    def pending_count(self) -> int:
        return self.count(OUTBOX)

    def waiting_visits(self) -> dict[str, str]:
        """Each place's latest day staff were there by the records that wait for the hub in
        the archives (the store's own and the archived ones are counted elsewhere)."""
        with self._storage.lock:
            latest = latest_per_place(self._indexes.get(OUTBOX, VISITED), {})
            refused = [str(e[VISITED]) for e in self._storage.read().get(QUARANTINE, {}).values()
                       if VISITED in e]
        return dict(with_visits({"visits": latest}, refused)["visits"])

    def quarantined(self) -> list[Quarantined]:
        with self._storage.lock:
            entries = list(self._storage.read().get(QUARANTINE, {}).items())
        return [Quarantined(rid, e["kind"], e["rev"], tuple(e["reasons"]), e["at"])
                for rid, e in entries]

    # Photos: sealed files beside the store (photos.py) ---------------------------------------

    def _tables(self, names: tuple[str, ...]) -> dict[str, dict[str, dict[str, Any]]]:
        with self._storage.lock:
            tables = self._storage.read()
            return {name: dict(tables.get(name, {})) for name in names}

    def attach_photo(self, owner_kind: str, owner_id: str, source: bytes | Path, name: str, *,
                     author: str) -> Saved:
        """Keep the picture in `source` (its bytes, or a path to it) with the saved record
        `owner_id`: shrunk, stripped of its metadata, sealed, and its `photo` record saved
        (pending for sync). The same picture picked twice for one record is kept once.
        Slow (the picture is decoded): never on the UI's event path."""
        shelf = self.photos
        shelf.check_owner(owner_kind, self.get(owner_kind, owner_id))
        shelf.check_budget(0)
        kept = prepare(source, name, shelf.settings)
        sha = hashlib.sha256(kept.jpeg).hexdigest()
        photo = Photo(**new_meta("photo", self.device_id, author), record_id=owner_id,
                      record_kind=owner_kind, sha256=sha, size=len(kept.jpeg), width=kept.width,
                      height=kept.height, taken_on=(kept.taken_on or clock.today()).isoformat())

        def keep() -> Saved:
            same = next((d for d in shelf.of(owner_id) if d.get("sha256") == sha), None)
            if same is not None:
                return Saved(str(same["id"]), int(same["rev"]))
            if shelf.entry(sha) is not None:  # already here for another record
                return self._save(photo.to_dict())
            shelf.check_budget(len(kept.jpeg) + len(kept.thumbnail))
            sizes = shelf.write(sha, kept.jpeg, kept.thumbnail)
            try:
                return self._save(photo.to_dict(), also=shelf.kept_ops(sha, len(kept.jpeg), sizes))
            except BaseException:
                shelf.unlink(sha)
                raise

        return self._run(keep)

    def remove_photo(self, rid: str) -> Future[bool]:
        """Take photo `rid` off its record, with its files unless another record shows the
        same picture. Only before a push has taken it (the hub may hold it after that: it
        stays at the office). False if there was no such photo."""
        shelf = self.photos

        def write() -> bool:
            if not shelf.removable(rid, rid in self._offered):
                raise PhotoRefused(
                    "this photo was sent: it stays at the office and cannot be removed here",
                    message_ja="この写真は送信済みのため外せません（事務所に残ります）。")
            ops, sha = shelf.remove_ops(rid)
            if not ops:
                return False
            self._write(ops)
            self._unsaved.pop(rid, None)
            self._session_of.pop(rid, None)
            if sha is not None:
                shelf.unlink(sha)
            return True

        return self._submit(write)

    def photo_removable(self, rid: str) -> bool:
        return self.photos.removable(rid, rid in self._offered)

    def photos_to_send(self, limit: int = 50, *, at_office: bool = False) -> list[PhotoSource]:
        """Kept photos whose `photo` record the hub has accepted and whose bytes it has not
        confirmed, oldest first, each read in pieces. None while the staff member holds
        photos until the office and this is not a pass at the office."""
        hold = bool((self.meta(SETTINGS_META) or {}).get("hold_until_office"))
        return list(self.photos.to_send(limit, hold, at_office))

    def photo_sent(self, sha256: str) -> None:
        """The hub has this photo whole (its copy's hash checked): it is not sent again, and
        past the retention only its thumbnail stays here."""
        def write() -> None:
            ops = self.photos.sent_ops(sha256, utc_now())
            if ops:
                self._write(ops)

        self._run(write)

    def photos_waiting(self) -> tuple[int, int]:
        """(photos the hub has not confirmed yet, their bytes): for the sync screen."""
        return self.photos.waiting()

    def prune_photos(self, today: dt.date | None = None) -> Future[int]:
        """Photos the hub has had for longer than the retention keep only their thumbnail;
        files nothing accounts for (a crash mid-attach) go. Returns how many were reduced."""
        day = today or clock.today()
        shelf = self.photos

        def write() -> int:
            ops, shas = shelf.prune_ops(day)
            if ops:
                self._write(ops)  # first: a crash after it leaves a file the sweep removes
            for sha in shas:
                shelf.unlink(sha, thumbnail=False)
            shelf.sweep()
            return len(shas)

        return self._submit(write)


PARKABLE = ("gathering", "visit_note")


def _parkable(doc: Mapping[str, Any]) -> bool:
    """May this old record, still waiting for the hub, wait in its year's archive? Only if
    every screen that shows it also reads the archives (repository.py): not a month's
    report (the months' bands and reports owed), not a visit note with a follow-up (home's
    list, however old) or of a start-up (its page)."""
    if doc.get("kind") == "gathering":
        return doc.get("covers") != MONTH
    return doc.get("kind") == "visit_note" and not doc.get("follow_up_on") \
        and not doc.get("startup_id")


def _stale_key(rid: str, year: int) -> str:
    return f"{rid}|{year}"
