"""Activity photos on the tablet: sealed files beside the store, and what the store knows
of them (DESIGN §5, third plan).

A photo is two sealed files under `<data dir>/photos/`, named by the SHA-256 of the kept
JPEG: `<sha>.sealed` (the photo, while it is whole here) and `<sha>.thumb.sealed` (its
thumbnail, kept for good). They are sealed in segments (`segments.py`) under a key derived
from the device's data key, so not one JPEG byte is plaintext on the disk and a photo is
read in pieces when it is sent. The store's tables keep the rest: the `photo` record (the
device writes it through the normal record path; it syncs like any record), `photo_files`
(one entry per kept photo: its size, the sealed files' sizes, when the hub confirmed it
whole) and `photo_pushed` (photo records once handed to a push: the hub may hold them, so
they are no longer removed here).

The bytes go after their record: `to_send` lists photos whose record the hub accepted
(neither pending nor refused) and whose bytes it has not confirmed, unless the staff
member holds photos back until the tablet syncs at the office.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from core.domain import clock
from core.domain.photo import ATTACHABLE
from field_app.store.errors import StoreError
from field_app.store.journal import Op
from field_app.store.photo_settings import PhotoSettings
from field_app.store.segments import DamagedError, SealedFile, SegmentSealer

log = logging.getLogger(__name__)

PHOTO_DIR = "photos"
FILES, PUSHED = "photo_files", "photo_pushed"
SETTINGS_META = "photo_settings"  # {"hold_until_office": bool}
OUTBOX, QUARANTINE, DRAFTS = "outbox", "quarantine", "drafts"
Tables = Mapping[str, Mapping[str, Mapping[str, Any]]]


class PhotoSource(Protocol):
    """One kept photo's sealed bytes, read in pieces (the sync side reads these)."""

    sha256: str
    size: int

    def read(self, offset: int, length: int) -> bytes: ...  # plaintext [offset, offset+length)


@dataclass
class SealedPhoto:
    """A kept photo as the sync side sends it: its address, its size, the record that
    declares it, and its plaintext read segment by segment from the sealed file."""

    sha256: str
    size: int
    photo_id: str  # the `photo` record's id (tus Upload-Metadata `photo`)
    file: SealedFile

    def read(self, offset: int, length: int) -> bytes:
        return self.file.read(offset, length)


class PhotoRefused(StoreError):
    """A photo that cannot be attached or removed, in words staff can act on."""


class Shelf:
    """The photo files and the questions about them. Writes to the store's tables are the
    store's (it runs them on its writer); this class says which ops and does the files."""

    def __init__(self, root: Path, sealer: SegmentSealer | None, settings: PhotoSettings,
                 read: Callable[[tuple[str, ...]], dict[str, dict[str, dict[str, Any]]]],
                 device_id: Callable[[], str]) -> None:
        self.root, self.sealer, self.settings = root, sealer, settings
        self._read, self._device_id = read, device_id

    # files ------------------------------------------------------------------------------

    def _full(self, sha: str) -> Path:
        return self.root / f"{sha}.sealed"

    def _thumb(self, sha: str) -> Path:
        return self.root / f"{sha}.thumb.sealed"

    def _sealer(self) -> SegmentSealer:
        if self.sealer is None:
            raise PhotoRefused(
                "photos are kept only sealed: set this device's PIN first",
                message_ja="写真は暗号化して保存します。先にこの端末のPINを設定してください。")
        return self.sealer

    def write(self, sha: str, jpeg: bytes, thumbnail: bytes) -> tuple[int, int]:
        """Seal a photo and its thumbnail into their files; returns their sizes."""
        sealer = self._sealer()
        self.root.mkdir(parents=True, exist_ok=True)
        full = sealer.write(self._full(sha), jpeg, f"photo/{sha}/full".encode())
        try:
            thumb = sealer.write(self._thumb(sha), thumbnail, f"photo/{sha}/thumb".encode())
        except BaseException:
            self.unlink(sha)
            raise
        return full, thumb

    def unlink(self, sha: str, *, thumbnail: bool = True) -> None:
        for path in (self._full(sha), *([self._thumb(sha)] if thumbnail else [])):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def thumbnail(self, sha: str) -> bytes | None:
        """The thumbnail's JPEG bytes (small: opened whole), None when it cannot be read."""
        try:
            return self._sealer().open(self._thumb(sha), f"photo/{sha}/thumb".encode()).read_all()
        except DamagedError as exc:
            log.warning("a photo thumbnail could not be opened: %s", exc.message)
            return None

    def source(self, sha: str, size: int, photo_id: str) -> SealedPhoto:
        opened = self._sealer().open(self._full(sha), f"photo/{sha}/full".encode())
        if opened.size != size:
            raise DamagedError(opened.path, "its size differs from the record's")
        return SealedPhoto(sha, size, photo_id, opened)

    # questions ----------------------------------------------------------------------------

    def _tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self._read(("photo", FILES, PUSHED, OUTBOX, QUARANTINE))

    def of(self, record_id: str) -> list[dict[str, Any]]:
        """The photo records attached to `record_id`, oldest first."""
        photos = self._read(("photo",)).get("photo", {})
        return sorted((dict(d) for d in photos.values() if d.get("record_id") == record_id),
                      key=lambda d: str(d.get("created_at", "")))

    def entry(self, sha: str) -> dict[str, Any] | None:
        found = self._read((FILES,)).get(FILES, {}).get(sha)
        return dict(found) if found is not None else None

    def removable(self, rid: str, offered: bool) -> bool:
        """Never handed to a push (`offered`: this run handed it): the hub cannot hold it."""
        return not offered and rid not in self._read((PUSHED,)).get(PUSHED, {})

    def to_send(self, limit: int, hold: bool, at_office: bool) -> list[SealedPhoto]:
        if hold and not at_office:
            return []
        tables, me = self._tables(), self._device_id()
        waiting = tables.get(OUTBOX, {}).keys() | tables.get(QUARANTINE, {}).keys()
        files = tables.get(FILES, {})
        out: list[SealedPhoto] = []
        seen: set[str] = set()
        for rid, doc in tables.get("photo", {}).items():
            sha = str(doc.get("sha256"))
            entry = files.get(sha)
            if (rid in waiting or doc.get("device_id") != me or sha in seen or entry is None
                    or entry.get("sent_at") or not entry.get("sealed")):
                continue
            seen.add(sha)
            try:
                out.append(self.source(sha, int(entry["size"]), rid))
            except StoreError as exc:  # one damaged file must not stop the others
                log.warning("a kept photo cannot be sent: %s", exc.message)
                continue
            if len(out) >= limit:
                break
        return out

    def waiting(self) -> tuple[int, int]:
        """(photos whose bytes the hub has not confirmed, their bytes)."""
        tables, me = self._tables(), self._device_id()
        files = tables.get(FILES, {})
        shas = {str(d.get("sha256")) for d in tables.get("photo", {}).values()
                if d.get("device_id") == me}
        sizes = [int(e["size"]) for sha, e in files.items()
                 if sha in shas and e.get("sealed") and not e.get("sent_at")]
        return len(sizes), sum(sizes)

    def used(self) -> int:
        """Bytes the photos take on this tablet (sealed photos and thumbnails)."""
        files = self._read((FILES,)).get(FILES, {})
        return sum(int(e.get("sealed") or 0) + int(e.get("thumb") or 0) for e in files.values())

    # what a change writes ---------------------------------------------------------------------

    def check_owner(self, owner_kind: str, owner: Mapping[str, Any] | None) -> None:
        if owner_kind not in ATTACHABLE:  # a concern is about one person: never a photo
            raise PhotoRefused(
                f"photos are attached to a gathering, a visit note or a start-up, not a {owner_kind}",
                message_ja="写真を付けられるのは開催記録・訪問記録・立ち上げ相談だけです。")
        if owner is None:
            raise PhotoRefused(
                "save the record before attaching photos to it",
                message_ja="写真を付ける前に、記録を保存してください（必須の項目を入力してください）。")
        self._sealer()

    def check_budget(self, adding: int) -> None:
        used, budget = self.used(), self.settings.budget_bytes
        if used + adding > budget:
            mb, days = self.settings.budget_mb, self.settings.retention_days_after_sent
            raise PhotoRefused(
                f"the photos on this tablet would pass their budget of {mb} MB; sync so that "
                f"they are sent (a sent photo keeps only its thumbnail here after {days} days)",
                message_ja=f"この端末の写真の容量（{mb} MB）を超えます。同期して写真を送ってください"
                f"（送った写真は{days}日後に縮小版だけになります）。")

    def kept_ops(self, sha: str, size: int, sealed: tuple[int, int]) -> list[Op]:
        entry = {"id": sha, "size": size, "sealed": sealed[0], "thumb": sealed[1],
                 "sent_at": None, "kept_at": clock.now().isoformat()}
        return [(FILES, sha, entry)]

    def sent_ops(self, sha: str, at: str) -> list[Op]:
        entry = self.entry(sha)
        if entry is None or entry.get("sent_at"):
            return []
        return [(FILES, sha, {**entry, "sent_at": at})]

    def pushed_ops(self, docs: list[dict[str, Any]]) -> list[Op]:
        marked = self._read((PUSHED,)).get(PUSHED, {})
        return [(PUSHED, str(d["id"]), {"id": str(d["id"])}) for d in docs
                if d.get("kind") == "photo" and str(d["id"]) not in marked]

    def offer_again_ops(self) -> list[Op]:
        """A restored hub may lack photos it once confirmed: those still whole here go again
        (the hub answers at once for those it has)."""
        files = self._read((FILES,)).get(FILES, {})
        return [(FILES, sha, {**e, "sent_at": None}) for sha, e in files.items()
                if e.get("sent_at") and e.get("sealed")]

    def remove_ops(self, rid: str) -> tuple[list[Op], str | None]:
        """What removing photo record `rid` writes, and the sha whose files then go (None
        when another record still shows the same picture)."""
        tables = self._read(("photo", FILES, OUTBOX, DRAFTS, QUARANTINE))
        doc = tables.get("photo", {}).get(rid)
        if doc is None:
            return [], None
        ops: list[Op] = [("photo", rid, None)]
        ops += [(t, rid, None) for t in (OUTBOX, DRAFTS, QUARANTINE) if rid in tables.get(t, {})]
        sha = str(doc.get("sha256"))
        shared = any(d.get("sha256") == sha for k, d in tables.get("photo", {}).items() if k != rid)
        if shared or sha not in tables.get(FILES, {}):
            return ops, None
        return [*ops, (FILES, sha, None)], sha

    def prune_ops(self, today: dt.date) -> tuple[list[Op], list[str]]:
        """Photos the hub has had for the retention: only their thumbnails stay. Returns
        the entries to write and the shas whose full files then go."""
        days = self.settings.retention_days_after_sent
        files = self._read((FILES,)).get(FILES, {})
        ops: list[Op] = []
        for sha, e in files.items():
            sent = e.get("sent_at")
            if e.get("sealed") and sent and clock.local(str(sent)).date() + dt.timedelta(days=days) <= today:
                ops.append((FILES, sha, {**e, "sealed": 0}))
        return ops, [str(key) for _, key, _ in ops]

    def sweep(self) -> int:
        """Files no entry accounts for (a crash between the files and their journal line, a
        temporary file, a full file past its retention) are removed; returns how many."""
        if not self.root.is_dir():
            return 0
        files = self._read((FILES,)).get(FILES, {})
        gone = 0
        for path in self.root.iterdir():
            name = path.name
            sha = name.split(".", 1)[0]
            entry = files.get(sha)
            keep = entry is not None and (
                (name == f"{sha}.sealed" and bool(entry.get("sealed")))
                or name == f"{sha}.thumb.sealed")
            if not keep and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    gone += 1
        return gone
