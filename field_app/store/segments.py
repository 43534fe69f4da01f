"""Sealed files read in pieces: a photo's bytes under AES-256-GCM, segment by segment.

A kept photo is never plaintext on the disk and never held whole in memory when it is sent
(DESIGN §5, third plan), so it is sealed in fixed-size segments, each with its own nonce and
tag. A segment's associated data binds the file's header (its random id, the segment size
and the plaintext size), what the file is for (`context`: which photo, full or thumbnail),
the segment's index and whether it is the last: a segment moved to another place or file, a
file cut short or lengthened, or a header changed fails to open instead of reading as other
bytes. Any range can then be read by opening only the segments it touches.

The file is written to a temporary name beside it, fsynced and renamed into place, so a
crash leaves the old file or the new one; the temporary file holds only sealed bytes.

Layout: header `IBSEAL01` | segment size (u32) | plaintext size (u64) | file id (16 bytes),
then each segment as nonce (12) | ciphertext | tag (16).
"""

from __future__ import annotations

import contextlib
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from field_app.store.errors import StoreError

MAGIC = b"IBSEAL01"
_HEADER = struct.Struct("!8sIQ16s")
HEADER_SIZE = _HEADER.size
NONCE, TAG = 12, 16
SEGMENT = 64 * 1024  # plaintext bytes per segment: what one read opens at least


class DamagedError(StoreError):
    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"the sealed file {path.name} could not be opened ({why})",
                         message_ja=f"暗号化された写真ファイル {path.name} を開けませんでした（{why}）。")
        self.path = path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _segments(size: int, segment: int) -> int:
    return max(1, -(-size // segment))  # an empty file is one empty (final) segment


def _aad(header: bytes, context: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack("!H", len(context)) + context + struct.pack("!QB", index, final)


class SegmentSealer:
    """Seals and opens segmented files under one key (the device's photo key)."""

    def __init__(self, key: bytes, segment: int = SEGMENT) -> None:
        if len(key) != 32:
            raise ValueError("the photo key must be 32 bytes (AES-256)")
        if segment <= 0:
            raise ValueError("the segment size must be positive")
        self._aead = AESGCM(key)
        self.segment = segment

    def write(self, path: Path, data: bytes, context: bytes) -> int:
        """Seal `data` into `path` durably (temp file, fsync, rename); returns the sealed
        file's size."""
        header = _HEADER.pack(MAGIC, self.segment, len(data), os.urandom(16))
        count = _segments(len(data), self.segment)
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header)
                view = memoryview(data)
                for index in range(count):
                    piece = view[index * self.segment:(index + 1) * self.segment]
                    nonce = os.urandom(NONCE)
                    f.write(nonce)
                    f.write(self._aead.encrypt(nonce, bytes(piece),
                                               _aad(header, context, index, index == count - 1)))
                f.flush()
                os.fsync(f.fileno())
                written = f.tell()
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(path.parent)
        return written

    def open(self, path: Path, context: bytes) -> SealedFile:
        return SealedFile(self, path, context)

    def _open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(nonce, sealed, aad)


class SealedFile:
    """One sealed file, read by plaintext ranges. Its header is checked on opening; every
    segment a read touches is authenticated before a byte of it is returned."""

    def __init__(self, sealer: SegmentSealer, path: Path, context: bytes) -> None:
        self._sealer, self.path, self._context = sealer, path, context
        try:
            with open(path, "rb") as f:
                header = f.read(HEADER_SIZE)
                length = os.fstat(f.fileno()).st_size
        except FileNotFoundError:
            raise DamagedError(path, "missing") from None
        if len(header) != HEADER_SIZE:
            raise DamagedError(path, "too short")
        magic, segment, size, _ = _HEADER.unpack(header)
        if magic != MAGIC or segment <= 0:
            raise DamagedError(path, "not a sealed file")
        count = _segments(size, segment)
        if length != HEADER_SIZE + size + count * (NONCE + TAG):
            raise DamagedError(path, "cut short or lengthened")
        self._header, self.segment, self.size, self._count = header, segment, size, count
        self._cached: tuple[int, bytes] | None = None  # a sequential reader opens each once

    def read(self, offset: int, length: int) -> bytes:
        """Plaintext bytes [offset, offset + length), fewer at the end of the file."""
        if offset < 0 or length < 0:
            raise ValueError(f"a range starts and lasts at 0 or more, not ({offset}, {length})")
        end = min(self.size, offset + length)
        if offset >= end:
            return b""
        first, last = offset // self.segment, (end - 1) // self.segment
        out = bytearray()
        with open(self.path, "rb") as f:
            for index in range(first, last + 1):
                piece = self._segment(f, index)
                start = index * self.segment
                out += piece[max(0, offset - start):end - start]
        return bytes(out)

    def read_all(self) -> bytes:
        """The whole plaintext: for a thumbnail, never for a photo being sent."""
        return self.read(0, self.size)

    def _segment(self, f: BinaryIO, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        plain = self.segment if index < self._count - 1 else \
            self.size - (self._count - 1) * self.segment
        f.seek(HEADER_SIZE + index * (self.segment + NONCE + TAG))
        raw = f.read(NONCE + plain + TAG)
        try:
            piece = self._sealer._open(raw[:NONCE], raw[NONCE:], _aad(
                self._header, self._context, index, index == self._count - 1))
        except InvalidTag:
            raise DamagedError(self.path, f"segment {index} fails its check") from None
        self._cached = (index, piece)
        return piece
