"""Hostile files sent as photos, each declared by a photo record as a tablet would (the
record's own checks pass): every one is refused with a 4xx naming what is wrong, nothing of
it stays in the database, no answer is a 5xx, and the hub's memory stays bounded (no
header is believed before the pixels are counted). On SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import io
import json

import pytest
from sqlalchemy import text

from hub.photo_check import walk
from sync.photos import PhotoRefused, Uploader
from tests.hubs import Field, Hub, hub_client
from tests.photofiles import (
    Source,
    declare,
    jpeg,
    pdf,
    peak_rss_growth,
    png_bomb,
    with_gps,
    with_size,
    zip_polyglot,
)

CLEAN = jpeg(320, 240, seed=11)
HOSTILE = {
    # a few kilobytes whose header claims 4 billion pixels: refused before one is decoded
    "decompression bomb": (with_size(CLEAN, 65_535, 65_535), 422, "pixels"),
    # and one under Pillow's own limit (89 million pixels): only the hub's count stops it
    "decompression bomb under Pillow's limit": (with_size(CLEAN, 9_000, 9_000), 422, "pixels"),
    # 100,000 pixels do not fit a JPEG's header (16 bits): a PNG says it
    "100,000 × 100,000 pixels": (png_bomb(), 415, "photo"),
    "JPEG with a zip behind it": (zip_polyglot(CLEAN), 422, "photo"),
    "JPEG with HTML behind it": (CLEAN + b"<html><script>alert(1)</script></html>", 422, "photo"),
    "a PDF renamed": (pdf(), 415, "photo"),
    "a JPEG cut short": (CLEAN[: len(CLEAN) * 3 // 5], 422, "photo"),
    "EXIF with GPS": (with_gps(), 422, "metadata"),
    "a comment": (jpeg(64, 64, seed=2, comment=b"taken at 3-1 Kasumigaseki"), 422, "metadata"),
    "a larger picture than the tablet keeps": (jpeg(2049, 16, seed=3), 422, "pixels"),
}


def nothing_stored(hub: Hub) -> None:
    for table in ("photo_blobs", "photo_chunks", "photo_claims"):
        assert hub.count(table) == 0, table


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_and_nothing_is_kept(field: Field, hub: Hub, name: str
                                                       ) -> None:
    data, status, where = HOSTILE[name]
    declare(field, hub, data, width=320, height=240)
    up = Uploader(hub_client(hub.url, field.token).http)
    gc.collect()
    with peak_rss_growth() as growth, pytest.raises(PhotoRefused) as refused:
        up.send(Source(data))
    # the hub and this client together, in this process: a bomb believed would be hundreds
    # of megabytes even decoded at an eighth of its size
    assert growth[0] < 48 << 20, growth
    assert refused.value.status == status, refused.value.message
    assert refused.value.message_ja and "保存していません" in refused.value.message_ja
    assert refused.value.problems[0]["field"] == where
    nothing_stored(hub)
    with hub.engine.connect() as conn:
        [(detail,)] = conn.execute(text("SELECT detail FROM audit WHERE action = "
                                        "'photo_refused'")).all()
    assert json.loads(detail)["length"] == len(data)


def test_bytes_that_are_not_their_address_are_refused_460(field: Field, hub: Hub) -> None:
    """A photo whose bytes changed on the way (or were swapped) is not kept under the
    address it claimed."""
    data = jpeg(seed=12)
    other = bytearray(data)
    other[len(other) // 2] ^= 0xFF
    record = declare(field, hub, data)

    class Swapped(Source):
        @property
        def sha256(self) -> str:
            return record.sha256

    with pytest.raises(PhotoRefused) as refused:
        Uploader(hub_client(hub.url, field.token).http).send(Swapped(bytes(other)))
    assert refused.value.status == 460 and refused.value.problems[0]["field"] == "sha256"
    nothing_stored(hub)


def test_zero_bytes_are_refused(field: Field, hub: Hub
                                                                  ) -> None:
    from sync.protocol import PHOTOS_PATH, tus_metadata

    http = hub_client(hub.url, field.token).http
    empty = http.post(PHOTOS_PATH, headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": "0",
        "Upload-Metadata": tus_metadata({"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
                                                   "649b934ca495991b7852b855"})})
    assert empty.status_code == 400 and empty.json()["error"]["problems"][0]["field"] == \
        "Upload-Length"
    nothing_stored(hub)


def test_a_photo_whose_pixels_are_not_its_records_is_refused(field: Field, hub: Hub) -> None:
    data = jpeg(320, 240, seed=13)
    declare(field, hub, data, width=240, height=320)
    with pytest.raises(PhotoRefused) as refused:
        Uploader(hub_client(hub.url, field.token).http).send(Source(data))
    assert refused.value.status == 422 and "320 × 240" in refused.value.message
    nothing_stored(hub)


def test_the_structure_walk_takes_what_the_tablet_keeps() -> None:
    """Baseline and progressive JPEGs with restart markers, a colour profile, as Pillow
    writes them: taken, with their size read from the header alone."""
    from PIL import Image

    for extra in ({}, {"progressive": True}, {"restart_marker_blocks": 1}):
        data = jpeg(333, 222, seed=14, **extra)
        pieces = [data[i:i + 1000] for i in range(0, len(data), 1000)]
        found = walk(pieces)
        assert (found.width, found.height) == (333, 222)
    im = Image.new("RGB", (40, 30))
    out = io.BytesIO()
    from PIL import ImageCms

    im.save(out, "JPEG", icc_profile=ImageCms.ImageCmsProfile(
        ImageCms.createProfile("sRGB")).tobytes())
    assert walk([out.getvalue()]).width == 40
