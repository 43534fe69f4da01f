"""Photos' bytes on the hub: uploads (tus, content-addressed), their checks, and how long
they are kept.

A photo record (core/domain/photo.py) is pushed like any record; its bytes follow, sent by
a device that pushed a photo record declaring them (same SHA-256, same size). They are
kept where the data lives — rows of `photo_chunks`, at most PIECE bytes each, in the
database — so any number of hubs on one PostgreSQL serve them. An upload is one
`photo_blobs` row: how long it is and how much has arrived (tus's offset). Bytes that
arrived before a broken connection are kept: that is the resume. Once all have arrived the
hub checks them (hub/photo_check.py); a photo that fails is deleted whole, nothing kept.
Two devices sending the same bytes share one upload."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from core.reference_data import photo_settings
from hub import hub_settings
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.devices import Device
from hub.errors import Conflict, HubError, NotFound
from hub.photo_check import Pixels, check, refused

PIECE = 256 << 10  # bytes one chunk row holds at most: what a request holds in memory
CONTENT_TYPE = "image/jpeg"

b, c, k = schema.photo_blobs, schema.photo_chunks, schema.photo_claims


@dataclass(frozen=True)
class Upload:
    sha256: str
    length: int
    received: int
    complete: bool

    @property
    def location(self) -> str:
        return self.sha256


def _problem(field: str, value: object, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": str(value)[:64], "expected_en": en, "expected_ja": ja}


def declared(conn: Connection, device: Device, sha256: str, length: int,
             photo_id: str = "") -> str:
    """The id of this device's photo record that declares these bytes (its sha256 and
    size); Conflict (409) if it pushed none: the hub takes only bytes a record names."""
    r = schema.records.c
    query = select(r.id, r.body).where(r.kind == "photo", r.device_id == device.id)
    if photo_id:
        query = query.where(r.id == photo_id[:36])
    else:  # the record's stored text holds its hash as `"sha256":"…"` (keys sorted)
        query = query.where(r.body.contains(f'"sha256":"{sha256}"'))
    sizes = []
    for row in conn.execute(query):
        body = json.loads(row.body)
        if body.get("sha256") == sha256:
            if body.get("size") == length:
                return str(row.id)
            sizes.append(body.get("size"))
    if sizes:
        raise Conflict(f"Upload-Length {length} is not the size its photo record declares "
                       f"({sizes[0]} bytes)",
                       message_ja="写真の記録のサイズと送信するデータの長さが一致しません。",
                       problems=[_problem("Upload-Length", length,
                                          f"{sizes[0]}: the size in the photo record",
                                          f"写真の記録のサイズ（{sizes[0]}バイト）")])
    raise Conflict("no photo record pushed by this device declares these bytes: push the "
                   "photo record first, then its bytes",
                   message_ja="この端末から送られた写真の記録に、このデータはありません。"
                              "先に写真の記録を同期してください。",
                   problems=[_problem("sha256", sha256,
                                      "the sha256 of a photo record this device pushed",
                                      "この端末が送った写真の記録のSHA-256")])


def find(conn: Connection, sha256: str) -> Upload | None:
    row = conn.execute(select(b.c.sha256, b.c.length, b.c.received, b.c.complete)
                       .where(b.c.sha256 == sha256)).first()
    return Upload(row.sha256, int(row.length), int(row.received), bool(row.complete)) \
        if row else None


def create(conn: Connection, device: Device, sha256: str, length: int, photo_id: str
           ) -> Upload:
    """Start an upload, or join the one these bytes have already (any device's)."""
    found = find(conn, sha256)
    now = utcnow()
    if found is None:
        conn.execute(insert(b).values(sha256=sha256, length=length, received=0,
                                      complete=False, content_type=CONTENT_TYPE,
                                      created_at=now, updated_at=now))
        found = Upload(sha256, length, 0, False)
    elif found.length != length:  # the same hash can only be the same bytes
        raise Conflict(f"these bytes are being received with Upload-Length {found.length}",
                       message_ja="同じデータが別の長さで受信されています。",
                       problems=[_problem("Upload-Length", length, str(found.length),
                                          str(found.length))])
    claimed = conn.execute(select(k.c.photo_id).where(
        k.c.sha256 == sha256, k.c.device_id == device.id)).first()
    if claimed is None:
        conn.execute(insert(k).values(sha256=sha256, device_id=device.id, photo_id=photo_id,
                                      claimed_at=now))
    return found


def claimed(conn: Connection, device: Device, sha256: str) -> Upload:
    """The upload of these bytes, if this device declared them; NotFound otherwise (a
    device learns nothing of what others sent)."""
    mine = conn.execute(select(k.c.sha256).where(
        k.c.sha256 == sha256, k.c.device_id == device.id)).first()
    found = find(conn, sha256) if mine else None
    if found is None:
        raise NotFound("no upload of these bytes: create it first (POST)",
                       message_ja="このデータの送信はまだ始まっていません。")
    return found


def append(conn: Connection, sha256: str, at: int, data: bytes) -> int:
    """Keep `data` at offset `at`; the new offset. Conflict if the upload is not at `at`
    (another request moved it on): the client asks where it is (HEAD) and goes on."""
    moved = conn.execute(update(b).where(
        b.c.sha256 == sha256, b.c.received == at, b.c.complete.is_(False),
        b.c.length >= at + len(data)).values(received=at + len(data), updated_at=utcnow()))
    if moved.rowcount != 1:
        now = find(conn, sha256)
        raise offset_mismatch(at, now.received if now else 0)
    conn.execute(insert(c).values(sha256=sha256, start=at, bytes=data))
    return at + len(data)


def offset_mismatch(sent: int, held: int) -> Conflict:
    return Conflict(f"Upload-Offset {sent} is not where this upload is ({held}): ask (HEAD) "
                    "and go on from there",
                    message_ja="送信位置が一致しません。受信済みの位置から再開してください。",
                    problems=[_problem("Upload-Offset", sent, str(held), str(held))],
                    headers={"Upload-Offset": str(held)})


def discard(conn: Connection, sha256: str) -> None:
    conn.execute(delete(c).where(c.c.sha256 == sha256))
    conn.execute(delete(k).where(k.c.sha256 == sha256))
    conn.execute(delete(b).where(b.c.sha256 == sha256))


# reading the bytes back -----------------------------------------------------------------


def _starts(conn: Connection, sha256: str) -> list[tuple[int, int]]:
    return [(int(r.start), int(r.size)) for r in conn.execute(
        select(c.c.start, func.length(c.c.bytes).label("size"))
        .where(c.c.sha256 == sha256).order_by(c.c.start))]


def pieces(conn: Connection, sha256: str) -> Iterator[bytes]:
    """The bytes in order, a chunk row at a time (each fetched alone: memory stays one
    row whatever the driver buffers)."""
    for start, _ in _starts(conn, sha256):
        yield bytes(conn.execute(select(c.c.bytes).where(
            c.c.sha256 == sha256, c.c.start == start)).scalar_one())


class ChunkFile(io.RawIOBase):
    """The stored bytes as a seekable file (for Pillow), one chunk row in memory."""

    def __init__(self, conn: Connection, sha256: str) -> None:
        self._conn, self._sha = conn, sha256
        self._index = _starts(conn, sha256)
        self._size = sum(n for _, n in self._index)
        self._pos = 0
        self._held: tuple[int, bytes] = (-1, b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self._size:
            return 0
        start, size = next((s, n) for s, n in self._index if s <= self._pos < s + n)
        if self._held[0] != start:
            self._held = (start, bytes(self._conn.execute(select(c.c.bytes).where(
                c.c.sha256 == self._sha, c.c.start == start)).scalar_one()))
        data = self._held[1]
        count = min(len(buffer), start + size - self._pos)
        buffer[:count] = data[self._pos - start:self._pos - start + count]
        self._pos += count
        return count


def opened(conn: Connection, sha256: str) -> io.BufferedReader:
    return io.BufferedReader(ChunkFile(conn, sha256), buffer_size=64 << 10)


# completing an upload -------------------------------------------------------------------


def examine(conn: Connection, upload: Upload) -> Pixels | HubError:
    """The checks of a fully arrived upload (reads only): its pixels, or the refusal.
    The photo records that declared it must agree with what the bytes are."""
    try:
        pixels = check(lambda: pieces(conn, upload.sha256),
                       lambda: opened(conn, upload.sha256), upload.sha256, upload.length)
    except HubError as exc:
        return exc
    for photo_id in conn.execute(select(k.c.photo_id).where(k.c.sha256 == upload.sha256)
                                 ).scalars():
        body = conn.execute(select(schema.records.c.body).where(
            schema.records.c.id == photo_id)).scalar()
        doc = json.loads(body) if body else {}
        if doc and (doc.get("width"), doc.get("height")) != (pixels.width, pixels.height):
            return refused(f"its pixels are {pixels.width} × {pixels.height}; its photo record "
                           f"says {doc.get('width')} × {doc.get('height')}",
                           "画素数が写真の記録と一致しません",
                           f"{pixels.width}x{pixels.height}", field="width")
    return pixels


def settle(conn: Connection, upload: Upload, outcome: Pixels | HubError) -> Upload:
    """Keep the checked photo, or delete every byte of a refused one."""
    if isinstance(outcome, HubError):
        discard(conn, upload.sha256)
        audit(conn, "hub", "photo_refused", upload.sha256,
              json.dumps({"code": outcome.code, "length": upload.length}))
        return upload
    conn.execute(update(b).where(b.c.sha256 == upload.sha256, b.c.received == b.c.length)
                 .values(complete=True, width=outcome.width, height=outcome.height,
                         updated_at=utcnow()))
    return Upload(upload.sha256, upload.length, upload.length, True)


# how long photos are kept ---------------------------------------------------------------


def keeping(conn: Connection) -> dict[str, int]:
    """Years a photo's bytes are kept after the day it was taken (hub setting
    `retention.photo_years`, by default the data's), and days an unfinished upload waits."""
    data = photo_settings()
    doc = json.loads(hub_settings.get(conn, "retention") or "{}")
    return {"photo_years": int(doc.get("photo_years", data["keep_years"])),
            "unfinished_days": int(data["unfinished_days"])}


def purge(conn: Connection, actor: str, today: dt.date) -> dict[str, int]:
    """Delete the bytes of photos taken more than `photo_years` before today (their records
    stay, saying the picture is no longer kept, and they leave any report choice), and
    uploads left unfinished for `unfinished_days`. Audited with the counts."""
    keep = keeping(conn)
    try:
        before = today.replace(year=today.year - keep["photo_years"])
    except ValueError:  # 29 February
        before = today.replace(year=today.year - keep["photo_years"], day=28)
    r = schema.records.c
    newest: dict[str, str] = {}
    old_ids: list[str] = []
    for row in conn.execute(select(r.id, r.body).where(r.kind == "photo")):
        doc = json.loads(row.body)
        sha, day = str(doc.get("sha256")), str(doc.get("taken_on") or "")
        newest[sha] = max(newest.get(sha, ""), day)
        if day < before.isoformat():
            old_ids.append(str(row.id))
    expired = [sha for sha, day in newest.items() if day < before.isoformat()]
    stale = list(conn.execute(select(b.c.sha256).where(
        b.c.complete.is_(False),
        b.c.updated_at < utcnow() - dt.timedelta(days=keep["unfinished_days"]))).scalars())
    gone = [sha for sha in expired if find(conn, sha) is not None]
    for sha in [*gone, *stale]:
        discard(conn, sha)
    if old_ids:
        conn.execute(delete(schema.report_photos).where(
            schema.report_photos.c.photo_id.in_(old_ids)))
    counts = {"photos": len(gone), "unfinished": len(stale)}
    if gone or stale:
        audit(conn, actor, "photos_expired", "", json.dumps(counts))
    return counts


def stored(conn: Connection, shas: list[str]) -> dict[str, Upload]:
    """The uploads of these bytes (complete or arriving), by hash."""
    out: dict[str, Upload] = {}
    for start in range(0, len(shas), 500):
        for row in conn.execute(select(b.c.sha256, b.c.length, b.c.received, b.c.complete)
                                .where(b.c.sha256.in_(shas[start:start + 500]))):
            out[row.sha256] = Upload(row.sha256, int(row.length), int(row.received),
                                     bool(row.complete))
    return out

