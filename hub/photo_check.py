"""What the hub checks of a photo's bytes once they have all arrived, before it keeps them.

The tablet shrinks and strips every photo before keeping it (long side ≤ LONG_SIDE, JPEG,
no metadata); the hub checks again and refuses anything else, never re-encoding silently:
- the bytes hash to the address they were sent under (460 otherwise);
- the type is read from the bytes, not a name: a JPEG (SOI), walked segment by segment to
  its end (EOI) with nothing after it — a JPEG with a zip or HTML behind it is refused;
- the pixel count is read from the frame header BEFORE anything is decoded: a header
  claiming 60,000 × 60,000 pixels is refused without allocating a pixel;
- no metadata is left: EXIF (above all GPS), XMP, IPTC, comments; a JFIF header and a
  colour profile (ICC) are what a clean JPEG may keep;
- Pillow decodes it (at an eighth of its size: the same data read, far less memory), so a
  cut-short or corrupt JPEG is refused.

Every check reads the bytes as a stream of pieces: memory stays bounded whatever arrives.
Each refusal is a HubError (4xx) naming what is wrong; none is a 5xx."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from core.domain.photo import LONG_SIDE, MAX_BYTES
from hub.errors import ChecksumMismatch, HubError, Unprocessable, Unsupported

# frame headers Pillow decodes: baseline, extended sequential, progressive (Huffman)
SOF = {0xC0, 0xC1, 0xC2}
OTHER_SOF = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
TABLES = {0xC4, 0xDB, 0xDD, 0xCC}  # Huffman, quantisation, restart interval, arithmetic
STANDALONE = {0x01, *range(0xD0, 0xD8)}
SOS, EOI, SOI, COM = 0xDA, 0xD9, 0xD8, 0xFE
APP0, APP1, APP2, APP14 = 0xE0, 0xE1, 0xE2, 0xEE
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Pixels:
    width: int
    height: int


def _problem(field: str, value: object, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": str(value)[:40], "expected_en": en, "expected_ja": ja}


def refused(en: str, ja: str, value: object = "", *, field: str = "photo",
            kind: type[HubError] = Unprocessable) -> HubError:
    """A refusal of the photo's bytes: what is wrong, and what the hub keeps instead."""
    return kind(f"photo refused: {en}; nothing was stored",
                message_ja=f"写真を受け付けられません：{ja}。保存していません。",
                problems=[_problem(field, value, "a JPEG made by the tablet: long side at most "
                                   f"{LONG_SIDE} px, at most {MAX_BYTES >> 20} MiB, no metadata",
                                   f"端末で縮小・メタデータ除去したJPEG（長辺{LONG_SIDE}px以下、"
                                   f"{MAX_BYTES >> 20}MiB以下）")])


class Truncated(Exception):
    pass


class _Stream:
    """Bytes from an iterator of pieces, read forward; holds one piece (and a few bytes of
    the one before) at a time. An index walks the piece: entropy-coded data is searched
    for markers without copying it."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces: Iterator[bytes] = iter(pieces)
        self._buf = b""
        self._i = 0

    def _left(self) -> int:
        return len(self._buf) - self._i

    def _fill(self, n: int) -> None:
        while self._left() < n:
            piece = next(self._pieces, None)
            if piece is None:
                raise Truncated
            self._buf = self._buf[self._i:] + piece
            self._i = 0

    def read(self, n: int) -> bytes:
        self._fill(n)
        out = self._buf[self._i:self._i + n]
        self._i += n
        return out

    def skip(self, n: int) -> None:
        while n > 0:
            if not self._left():
                self._fill(1)
            step = min(n, self._left())
            self._i += step
            n -= step

    def byte(self) -> int:
        if not self._left():
            self._fill(1)
        self._i += 1
        return self._buf[self._i - 1]

    def next_marker(self) -> int:
        """Skip entropy-coded data to the next marker (not a stuffed 0xFF00, not a restart
        marker inside the scan); the marker's byte, with its 0xFF consumed."""
        while True:
            at = self._buf.find(b"\xff", self._i)
            if at < 0:
                self._i = len(self._buf)
                self._fill(1)
                continue
            self._i = at + 1
            code = self.byte()
            while code == 0xFF:  # fill bytes
                code = self.byte()
            if code == 0x00 or 0xD0 <= code <= 0xD7:
                continue
            return code

    def at_end(self) -> bool:
        if self._left():
            return False
        for piece in self._pieces:
            if piece:
                self._buf, self._i = piece, 0
                return False
        return True


def check_hash(pieces: Iterable[bytes], sha256: str) -> None:
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    if digest.hexdigest() != sha256:
        raise refused(f"its bytes hash to {digest.hexdigest()[:12]}…, not to {sha256[:12]}…",
                      "受信したデータのSHA-256が送信時の値と一致しません（途中で壊れた可能性）",
                      digest.hexdigest(), field="sha256", kind=ChecksumMismatch)


def walk(pieces: Iterable[bytes]) -> Pixels:
    """The JPEG's structure, segment by segment, without decoding: its pixel size."""
    s = _Stream(pieces)
    try:
        if s.read(2) != b"\xff\xd8":
            raise refused("it is not a JPEG (its bytes do not start as one)",
                          "JPEG画像ではありません（データの先頭がJPEGではありません）",
                          kind=Unsupported)
        pixels: Pixels | None = None
        scanned = False
        code = _marker(s)
        while True:
            if code == EOI:
                break
            if code in STANDALONE:
                code = _marker(s)
                continue
            if code == SOI:
                raise refused("a second start of image inside the JPEG",
                              "JPEGの中に別の画像が埋め込まれています")
            length = int.from_bytes(s.read(2), "big") - 2
            if length < 0:
                raise refused("a segment of negative length", "JPEGの構造が壊れています")
            if code in SOF:
                pixels = _frame(s.read(length), pixels)
            elif code in OTHER_SOF:
                raise refused(f"a JPEG coding this hub does not take (SOF{code - 0xC0})",
                              "対応していない符号化方式のJPEGです", hex(code))
            elif code in TABLES:
                s.skip(length)
            elif code == SOS:
                if pixels is None:
                    raise refused("image data before its frame header", "JPEGの構造が壊れています")
                s.skip(length)
                scanned = True
                code = s.next_marker()
                continue
            elif 0xE0 <= code <= 0xEF or code == COM:
                _metadata(code, s.read(length))
            else:
                raise refused(f"an unknown JPEG segment (marker {code:#04x})",
                              "JPEGに想定外のデータが含まれています", hex(code))
            code = _marker(s)
        if pixels is None or not scanned:
            raise refused("a JPEG with no image in it", "画像データがありません")
        if not s.at_end():
            raise refused("bytes after the end of the JPEG (another file hidden behind it)",
                          "JPEGの終わりの後ろに別のデータが付いています")
        return pixels
    except Truncated:
        raise refused("the JPEG is cut short", "JPEGが途中で切れています") from None


def _marker(s: _Stream) -> int:
    if s.byte() != 0xFF:
        raise refused("the JPEG's structure is broken (no marker where one must be)",
                      "JPEGの構造が壊れています")
    code = s.byte()
    while code == 0xFF:
        code = s.byte()
    return code


def _frame(data: bytes, seen: Pixels | None) -> Pixels:
    """The frame header: the pixel count, checked before a single pixel is decoded."""
    if seen is not None:
        raise refused("two frame headers in one JPEG", "JPEGの構造が壊れています")
    if len(data) < 6:
        raise refused("a frame header cut short", "JPEGの構造が壊れています")
    height, width = int.from_bytes(data[1:3], "big"), int.from_bytes(data[3:5], "big")
    if not (1 <= width <= LONG_SIDE and 1 <= height <= LONG_SIDE):
        raise refused(f"{width} × {height} pixels; the long side may be at most {LONG_SIDE}",
                      f"画素数が {width} × {height} です（長辺{LONG_SIDE}px以下にしてください）",
                      f"{width}x{height}", field="pixels")
    return Pixels(width, height)


def _metadata(code: int, data: bytes) -> None:
    """An APPn or comment segment: only a plain JFIF header and a colour profile stay."""
    if code == APP0 and data[:5] == b"JFIF\x00" and len(data) == 14 and data[12:14] == b"\0\0":
        return  # JFIF, without a thumbnail
    if code == APP2 and data[:12] == b"ICC_PROFILE\x00":
        return  # colours, no person
    if code == APP14 and data[:5] == b"Adobe":
        return  # the colour transform Pillow writes for CMYK
    if code == APP1 and data[:6] == b"Exif\x00\x00":
        if _has_gps(data[6:]):
            raise refused("it still carries EXIF with a GPS location (the tablet removes "
                          "all metadata)", "位置情報（GPS）を含むEXIFが残っています", "GPS",
                          field="metadata")
        raise refused("it still carries EXIF metadata (the tablet removes all metadata)",
                      "EXIF（撮影情報）が残っています", "EXIF", field="metadata")
    name = {APP1: "XMP", 0xED: "IPTC", COM: "a comment"}.get(code, f"APP{code - 0xE0}")
    raise refused(f"it still carries metadata ({name})", f"メタデータ（{name}）が残っています",
                  name, field="metadata")


def _has_gps(tiff: bytes) -> bool:
    from PIL import Image

    try:
        exif = Image.Exif()
        exif.load(b"Exif\x00\x00" + tiff)
        return bool(exif.get(GPS_IFD)) or bool(exif.get_ifd(GPS_IFD))
    except Exception:  # unreadable EXIF is refused all the same, as EXIF
        return False


def decode(opener: Callable[[], BinaryIO], pixels: Pixels) -> None:
    """Pillow decodes the whole JPEG (at 1/8 scale): a corrupt or cut-short one is refused."""
    from PIL import Image

    try:
        with Image.open(opener(), formats=["JPEG"]) as im:
            if im.size != (pixels.width, pixels.height):
                raise refused("its frame header and Pillow disagree on its size",
                              "JPEGの構造が壊れています")
            im.draft("RGB", (max(1, pixels.width // 8), max(1, pixels.height // 8)))
            im.load()
    except HubError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refused(f"its image data cannot be decoded ({type(exc).__name__})",
                      "画像データが壊れているため読み込めません") from None


def check(pieces: Callable[[], Iterable[bytes]], opener: Callable[[], BinaryIO],
          sha256: str, length: int) -> Pixels:
    """Every check, cheapest first; `pieces()` gives the bytes in order, each time anew."""
    if not 1 <= length <= MAX_BYTES:
        raise refused(f"{length} bytes; a photo is 1 byte to {MAX_BYTES >> 20} MiB",
                      f"サイズが{length}バイトです", length, field="size", kind=Unprocessable)
    check_hash(pieces(), sha256)
    pixels = walk(pieces())
    decode(opener, pixels)
    return pixels
