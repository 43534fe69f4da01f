"""Photos for tests: clean JPEGs as the tablet keeps them, hostile files, an in-memory
`PhotoSource`, and a photo record pushed for given bytes (the hub takes only bytes a
record of the sending device declares)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from core.domain.photo import Photo
from tests.factories import gathering, photo
from tests.hubs import Field, Hub


def jpeg(width: int = 640, height: int = 480, *, seed: int = 1, quality: int = 85,
         **save: Any) -> bytes:
    """A clean JPEG (what the tablet keeps): noise, so every seed is other bytes."""
    rng = random.Random(seed)
    im = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, **save)
    return out.getvalue()


def with_size(data: bytes, width: int, height: int) -> bytes:
    """The same JPEG with its frame header claiming another size (a decompression bomb:
    a few kilobytes that say they are billions of pixels)."""
    at = data.index(b"\xff\xc0")
    return data[:at + 5] + struct.pack(">HH", height, width) + data[at + 9:]


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header says `width` × `height` (a JPEG cannot say more than 65,535),
    with a little zlib of zeros behind it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = zlib.compress(b"\0" * (1 << 20), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                             0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def zip_polyglot(data: bytes) -> bytes:
    """A JPEG with a zip behind it: opens as either."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return data + out.getvalue()


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n"
            b"%%EOF\n")


def with_gps(width: int = 320, height: int = 240) -> bytes:
    im = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 39.0, 29.0)
    gps[3], gps[4] = "E", (139.0, 44.0, 28.0)
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclasses.dataclass
class Source:
    """A PhotoSource over bytes in memory; counts what was read, and how much at once."""

    data: bytes
    photo_id: str = ""
    reads: int = 0
    largest_read: int = 0
    read_bytes: int = 0

    @property
    def sha256(self) -> str:
        return sha(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        self.reads += 1
        self.largest_read = max(self.largest_read, length)
        self.read_bytes += min(length, max(0, len(self.data) - offset))
        return self.data[offset:offset + length]


def declare(field: Field, hub: Hub, data: bytes, *, width: int | None = None,
            height: int | None = None, **changes: Any) -> Photo:
    """Push a photo record declaring `data` (and the gathering it belongs to) from `field`."""
    if width is None or height is None:
        try:
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
        except Exception:
            width, height = 16, 16
    g = changes.pop("parent", None) or dataclasses.replace(gathering(),
                                                           device_id=field.store.device_id)
    p = dataclasses.replace(photo(sha256=sha(data), size=max(1, len(data)),
                                  width=min(width, 2048), height=min(height, 2048),
                                  record_id=g.id, record_kind=g.kind, **changes),
                            device_id=field.store.device_id)
    if field.store.load(g.kind, g.id) is None:
        field.store.save(g)
    field.store.save(p)
    field.sync(hub)
    return p


def _kib(field: str) -> int:
    found = re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert found, field
    return int(found.group(1))


@contextlib.contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """How far this process's resident memory rose above where it was (bytes), whatever
    allocated it (Pillow's pixels are malloc'd, which tracemalloc does not see): the peak
    is reset first (Linux's clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _kib("VmRSS")
    found: list[int] = []
    yield found
    found.append((_kib("VmHWM") - before) << 10)
