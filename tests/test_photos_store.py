"""Activity photos in the tablet's store: shrunk, stripped and sealed before they are kept,
read in pieces for sending, sent only after their record, pruned to a thumbnail once the
hub has had them for the retention. Real files, real Pillow, real AES-GCM; a real hub
(SQLite and PostgreSQL) accepts the records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from core.domain import clock
from core.domain.photo import LONG_SIDE
from field_app.store import Store, open_sealed
from field_app.store.imaging import PhotoError, metadata_markers
from field_app.store.photo_settings import photo_settings
from field_app.store.photos import FILES, PhotoRefused
from sync.client import enrol
from tests.factories import concern, gathering, visit_note
from tests.hubs import Hub, sync_once

# what a plaintext picture on the disk would show: a JPEG's start and JFIF/EXIF headers,
# a PNG's signature (long enough that sealed bytes never show one by chance)
MAGIC = (b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"JFIF\x00", b"Exif\x00\x00",
         b"\x89PNG\r\n\x1a\n")


def picture(width: int = 4000, height: int = 3000, *, gps: bool = True,
            taken: str | None = "2026:05:01 10:00:00", fmt: str = "JPEG",
            orientation: int = 1) -> bytes:
    """A photo as a phone takes it: a gradient, GPS position, the day it was taken, a
    comment, an orientation, a colour profile."""
    base = Image.linear_gradient("L").resize((width, height))
    img = Image.merge("RGB", (base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), base))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (35.0, 42.0, 7.5), 3: "E", 4: (139.0, 34.0, 12.25)}
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if fmt == "JPEG":
        img.save(out, "JPEG", exif=exif.tobytes(), comment=b"at Kobayashi-san's house",
                 icc_profile=icc)
    else:
        img.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def every_byte(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def files(data_dir: Path) -> set[str]:
    folder = data_dir / "photos"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def sealed_store(path: Path) -> Store:
    return open_sealed(path, os.urandom(32))


def with_gathering(store: Store) -> str:
    g = gathering(device_id=store.device_id)
    store.save(g)
    return g.id


def kept_bytes(store: Store, sha: str) -> bytes:
    entry = store.photos.entry(sha)
    assert entry is not None
    source = store.photos.source(sha, int(entry["size"]), "-")
    return source.read(0, source.size)


def test_a_photo_is_kept_small_upright_sealed_and_without_any_metadata(tmp_path: Path) -> None:
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        saved = store.attach_photo("gathering", owner, picture(orientation=6), "IMG_0001.JPG",
                                   author="山田 花子")
        png = store.attach_photo("gathering", owner, picture(1200, 900, fmt="PNG"), "scan.png",
                                 author="山田 花子")
        on_disk = every_byte(tmp_path)
        for magic in MAGIC:
            assert magic not in on_disk, magic
        record = store.get("photo", saved.id)
        assert record is not None
        kept = kept_bytes(store, record["sha256"])
        import hashlib

        assert hashlib.sha256(kept).hexdigest() == record["sha256"] and len(kept) == record["size"]
        img = Image.open(io.BytesIO(kept))
        assert img.format == "JPEG" and max(img.size) <= LONG_SIDE
        assert img.size == (1536, 2048) == (record["width"], record["height"])  # turned upright
        assert metadata_markers(kept) == []
        assert not img.getexif() and not img.info.get("icc_profile")
        assert set(img.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
        assert b"Kobayashi" not in kept and b"PhoneMaker" not in kept
        assert record["taken_on"] == "2026-05-01" and record["use"] == "record_only"
        assert record["record_kind"] == "gathering" and record["record_id"] == owner
        thumb = store.photos.thumbnail(record["sha256"])
        assert thumb is not None and max(Image.open(io.BytesIO(thumb)).size) <= 320
        assert metadata_markers(thumb) == []
        png_record = store.get("photo", png.id)
        assert png_record is not None and png_record["taken_on"] == "2026-05-01"
        assert metadata_markers(kept_bytes(store, png_record["sha256"])) == []
        assert store.outbox_ids()[-2:] == [saved.id, png.id]  # pending like any record


def test_a_photo_with_no_day_of_its_own_is_dated_today_in_japan(tmp_path: Path) -> None:
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        plain = store.attach_photo("gathering", owner, picture(800, 600, taken=None, gps=False),
                                   "a.jpg", author="a")
        future = store.attach_photo("gathering", owner, picture(600, 800, taken="2099:01:01 09:00:00"),
                                    "b.jpg", author="a")
        for saved in (plain, future):
            assert store.get("photo", saved.id)["taken_on"] == clock.today().isoformat()  # type: ignore[index]


def test_bad_pictures_are_refused_by_name_with_nothing_kept(tmp_path: Path) -> None:
    def png(side: int) -> bytes:  # a PNG that says side x side pixels, with almost no data
        def chunk(name: bytes, data: bytes) -> bytes:
            return struct.pack("!I", len(data)) + name + data + struct.pack("!I", zlib.crc32(name + data))

        ihdr = struct.pack("!IIBBBBB", side, side, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))

    truncated = picture(1600, 1200)[:4000]
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        before = store.pending_count()
        for data, name, said in ((b"%PDF-1.7\n1 0 obj", "report.jpg", "画像として読めません"),
                                 (png(100_000), "bomb.png", "画素数が多すぎます"),
                                 (png(9_000), "81mp.png", "画素数が多すぎます"),
                                 (truncated, "cut.jpg", "壊れている"),
                                 (b"", "empty.jpg", "画像として読めません")):
            with pytest.raises(PhotoError) as info:
                store.attach_photo("gathering", owner, data, name, author="a")
            assert name in info.value.message_ja and said in info.value.message_ja
            assert name in info.value.message
        assert store.pending_count() == before and store.count("photo") == 0
        assert files(tmp_path) == set()


def test_photos_belong_to_activities_and_are_kept_only_sealed(tmp_path: Path) -> None:
    with sealed_store(tmp_path / "a") as store:
        c = concern(device_id=store.device_id)
        store.save(c)
        with pytest.raises(PhotoRefused) as info:
            store.attach_photo("concern", c.id, picture(400, 300), "a.jpg", author="a")
        assert "開催記録・訪問記録・立ち上げ相談" in info.value.message_ja
        with pytest.raises(PhotoRefused, match="save the record"):
            store.attach_photo("gathering", "f" * 8, picture(400, 300), "a.jpg", author="a")
    with Store(tmp_path / "b") as plain:  # no PIN yet: nothing to seal with, nothing kept
        owner = with_gathering(plain)
        with pytest.raises(PhotoRefused, match="sealed"):
            plain.attach_photo("gathering", owner, picture(400, 300), "a.jpg", author="a")
        assert plain.count("photo") == 0


def test_a_kept_photo_reads_the_same_over_any_range(tmp_path: Path) -> None:
    noise = Image.frombytes("RGB", (1500, 1000), random.Random(7).randbytes(1500 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        saved = store.attach_photo("gathering", owner, out.getvalue(), "noise.jpg", author="a")
        sha = store.get("photo", saved.id)["sha256"]  # type: ignore[index]
        kept = kept_bytes(store, sha)
        assert len(kept) > 3 * 64 * 1024  # several segments
        entry = store.photos.entry(sha)
        assert entry is not None
        source = store.photos.source(sha, int(entry["size"]), saved.id)
        size, seg = len(kept), 64 * 1024
        ranges = [(0, 0), (0, 1), (0, size), (0, size + 100), (size - 1, 1), (size, 10),
                  (size + 5, 3), (seg - 1, 2), (seg, seg), (seg - 3, 2 * seg + 7), (1, size - 2)]
        rng = random.Random(11)
        ranges += [(rng.randrange(size), rng.randrange(3 * seg)) for _ in range(200)]
        pos, chunks = 0, []
        while pos < size:  # as the sender reads: one piece after another
            n = rng.choice((1, 1000, 65_536, 1 << 20))
            chunks.append(source.read(pos, n))
            pos += n
        assert b"".join(chunks) == kept
        for offset, length in ranges:
            assert source.read(offset, length) == kept[offset:offset + length], (offset, length)
        with pytest.raises(ValueError):
            source.read(-1, 5)


def test_photos_go_only_once_their_record_is_accepted(tmp_path: Path, hub: Hub) -> None:
    """The store offers a photo's bytes only once the hub has its record; a sync pass then
    sends them (tus) and the hub holds them whole; photos held until the office wait for an
    office pass; a restored hub is offered them again."""
    store = sealed_store(tmp_path / "tablet")
    try:
        enrol(store, hub.url, hub.code(), "tablet")
        token = store.meta("hub")["token"]  # type: ignore[index]
        owner = with_gathering(store)
        saved = store.attach_photo("gathering", owner, picture(1600, 1200), "a.jpg", author="a")
        sha = store.get("photo", saved.id)["sha256"]  # type: ignore[index]
        size = store.photos_waiting()[1]
        assert store.photos_to_send() == [] and store.photos_waiting()[0] == 1
        report = sync_once(store, hub.url, token)  # the record first, then its bytes
        assert store.pending_count() == 0 and report.photos_sent == 1
        assert store.photos_to_send() == [] and store.photos_waiting() == (0, 0)
        assert held_whole(hub, sha) == size
        # edited (a caption): the record goes again, the bytes the hub holds do not
        record = store.load("photo", saved.id)
        assert record is not None
        store.save(dataclasses.replace(record, caption="昼食づくり", rev=record.rev + 1))
        assert sync_once(store, hub.url, token).photos_sent == 0
        # held until the office: the record goes on an ordinary pass, the bytes wait
        store.set_meta("photo_settings", {"hold_until_office": True})
        second = store.attach_photo("gathering", owner, picture(800, 600), "b.jpg", author="a")
        other = store.get("photo", second.id)["sha256"]  # type: ignore[index]
        assert sync_once(store, hub.url, token).photos_sent == 0 and store.pending_count() == 0
        assert store.photos_to_send() == []
        [source] = store.photos_to_send(at_office=True)
        assert (source.sha256, source.photo_id) == (other, second.id)  # type: ignore[attr-defined]
        assert held_whole(hub, other) is None
        store.set_meta("photo_settings", {"hold_until_office": False})
        assert sync_once(store, hub.url, token).photos_sent == 1
        assert held_whole(hub, other) is not None and store.photos_waiting() == (0, 0)
        # a restored hub may lack it: offered again while the photo is whole here
        assert store.offer_again() >= 1
        assert store.photos_waiting()[0] == 2
    finally:
        store.close()


def test_refused_and_other_devices_photos_are_not_sent(tmp_path: Path) -> None:
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        refused = store.attach_photo("gathering", owner, picture(900, 600), "a.jpg", author="a")
        store.sending()
        assert store.quarantine(refused.id, refused.rev, [{"field": "record_id", "value": owner,
                                                           "expected_en": "x", "expected_ja": "x"}])
        assert store.photos_to_send() == []
        shown = store.attach_photo("gathering", owner, picture(600, 900), "b.jpg", author="a")
        store.acknowledge([(shown.id, shown.rev)])
        assert [s.photo_id for s in store.photos_to_send()] == [shown.id]  # type: ignore[attr-defined]
        assert len(store.photos_to_send(limit=1)) == 1


def test_a_photo_is_removed_until_a_push_takes_it_and_then_stays(tmp_path: Path) -> None:
    key = os.urandom(32)
    with open_sealed(tmp_path, key) as store:
        owner = with_gathering(store)
        other = visit_note(device_id=store.device_id)
        store.save(other)
        data = picture(1000, 800)
        first = store.attach_photo("gathering", owner, data, "a.jpg", author="a")
        assert store.attach_photo("gathering", owner, data, "a.jpg", author="a") == first
        again = store.attach_photo("visit_note", other.id, data, "a.jpg", author="a")
        sha = store.get("photo", first.id)["sha256"]  # type: ignore[index]
        assert store.photo_removable(first.id)
        assert store.remove_photo(first.id).result() is True
        assert store.get("photo", first.id) is None and first.id not in store.outbox_ids()
        assert store.photos.thumbnail(sha) is not None  # still shown with the visit note
        assert store.remove_photo(again.id).result() is True
        assert store.photos.entry(sha) is None and files(tmp_path) == set()
        taken = store.attach_photo("gathering", owner, picture(700, 500), "b.jpg", author="a")
        store.sending()  # a push has it: the hub may hold it from now on
        assert not store.photo_removable(taken.id)
        with pytest.raises(PhotoRefused) as info:
            store.remove_photo(taken.id).result()
        assert "事務所に残ります" in info.value.message_ja
    with open_sealed(tmp_path, key) as store:  # after a restart too
        assert not store.photo_removable(taken.id)
        record = store.get("photo", taken.id)
        assert record is not None
        assert store.photos.thumbnail(record["sha256"]) is not None  # the same key opens it


def test_past_the_retention_only_the_thumbnail_stays(tmp_path: Path) -> None:
    days = photo_settings().retention_days_after_sent
    with sealed_store(tmp_path) as store:
        owner = with_gathering(store)
        sent = store.attach_photo("gathering", owner, picture(1600, 1200), "a.jpg", author="a")
        kept = store.attach_photo("gathering", owner, picture(1200, 1600), "b.jpg", author="a")
        store.acknowledge([(sent.id, sent.rev), (kept.id, kept.rev)])
        sha = store.get("photo", sent.id)["sha256"]  # type: ignore[index]
        other = store.get("photo", kept.id)["sha256"]  # type: ignore[index]
        store.photo_sent(sha)
        used = store.photos.used()
        day = clock.today()
        assert store.prune_photos(day + dt.timedelta(days=days - 1)).result() == 0
        stray = tmp_path / "photos" / ".leftover.sealed.0a1b.tmp"
        stray.write_bytes(b"sealed bytes of a write a crash cut short")
        orphan = tmp_path / "photos" / f"{'e' * 64}.sealed"
        orphan.write_bytes(b"a file whose journal line never landed")
        assert store.prune_photos(day + dt.timedelta(days=days)).result() == 1
        assert files(tmp_path) == {f"{sha}.thumb.sealed", f"{other}.sealed", f"{other}.thumb.sealed"}
        assert store.photos.thumbnail(sha) is not None
        assert store.photos.used() < used
        assert [s.sha256 for s in store.photos_to_send()] == [other]
        assert store.photos_waiting() == (1, store.photos.entry(other)["size"])  # type: ignore[index]
        assert store.get("photo", sent.id) is not None  # the record stays, and syncs as ever
        assert store.get(FILES, sha)["sealed"] == 0  # type: ignore[index]


def test_the_budget_refuses_a_photo_that_would_pass_it(tmp_path: Path) -> None:
    small = dataclasses.replace(photo_settings(), budget_mb=1)
    with open_sealed(tmp_path, os.urandom(32), photos=small) as store:
        owner = with_gathering(store)
        noise = Image.frombytes("RGB", (2000, 1500), random.Random(3).randbytes(2000 * 1500 * 3))
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=95)
        with pytest.raises(PhotoRefused) as info:
            store.attach_photo("gathering", owner, out.getvalue(), "big.jpg", author="a")
        assert "1 MB" in info.value.message_ja
        assert store.count("photo") == 0 and files(tmp_path) == set()


def held_whole(hub: Hub, sha: str) -> int | None:
    """The size of the photo the hub holds whole under `sha`, or None."""
    from sqlalchemy import text

    with hub.engine.connect() as conn:
        row = conn.execute(text("SELECT length, complete FROM photo_blobs WHERE sha256 = :s"),
                           {"s": sha}).first()
    return int(row.length) if row is not None and row.complete else None
