"""Sealed files in segments: a segment changed, moved, taken from another file, or a file
cut short, lengthened or given another header is refused, never read as other bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from field_app.store.segments import HEADER_SIZE, NONCE, TAG, DamagedError, SegmentSealer

SEG = 1000
STEP = NONCE + SEG + TAG  # one whole segment on the disk
CONTEXT = b"photo/abc/full"


@pytest.fixture
def sealer() -> SegmentSealer:
    return SegmentSealer(os.urandom(32), segment=SEG)


def sealed(tmp_path: Path, sealer: SegmentSealer, data: bytes, name: str = "a.sealed") -> Path:
    path = tmp_path / name
    sealer.write(path, data, CONTEXT)
    return path


def segment(raw: bytes, index: int) -> slice:
    start = HEADER_SIZE + index * STEP
    return slice(start, start + STEP)


def test_a_sealed_file_reads_back_and_holds_no_plaintext(tmp_path: Path, sealer: SegmentSealer) -> None:
    data = os.urandom(3500)
    path = sealed(tmp_path, sealer, data)
    raw = path.read_bytes()
    assert len(raw) == HEADER_SIZE + len(data) + 4 * (NONCE + TAG)
    assert data[:64] not in raw and data[-64:] not in raw
    opened = sealer.open(path, CONTEXT)
    assert opened.size == len(data) and opened.read_all() == data
    assert opened.read(999, 3) == data[999:1002]
    assert [p.name for p in tmp_path.iterdir()] == ["a.sealed"]  # no temporary file left
    empty = sealed(tmp_path, sealer, b"", "empty.sealed")
    assert sealer.open(empty, CONTEXT).read_all() == b""


def test_a_changed_byte_in_any_segment_is_refused(tmp_path: Path, sealer: SegmentSealer) -> None:
    data = os.urandom(3500)
    path = sealed(tmp_path, sealer, data)
    good = path.read_bytes()
    for index in range(4):
        raw = bytearray(good)
        raw[segment(good, index).start + NONCE + 10] ^= 0x01
        path.write_bytes(bytes(raw))
        opened = sealer.open(path, CONTEXT)
        with pytest.raises(DamagedError, match=f"segment {index}"):
            opened.read(index * SEG, 1)
        with pytest.raises(DamagedError):
            opened.read_all()


def test_segments_swapped_or_taken_from_another_file_are_refused(tmp_path: Path,
                                                                 sealer: SegmentSealer) -> None:
    data = os.urandom(3000)
    path = sealed(tmp_path, sealer, data)
    good = path.read_bytes()
    swapped = bytearray(good)
    swapped[segment(good, 0)], swapped[segment(good, 1)] = good[segment(good, 1)], good[segment(good, 0)]
    path.write_bytes(bytes(swapped))
    with pytest.raises(DamagedError):
        sealer.open(path, CONTEXT).read(0, 10)
    with pytest.raises(DamagedError):
        sealer.open(path, CONTEXT).read(SEG, 10)
    # the same plaintext sealed again: another file id, so its segments do not fit here
    other = sealed(tmp_path, sealer, data, "b.sealed").read_bytes()
    mixed = bytearray(good)
    mixed[segment(good, 1)] = other[segment(other, 1)]
    path.write_bytes(bytes(mixed))
    assert sealer.open(path, CONTEXT).read(0, 10) == data[:10]
    with pytest.raises(DamagedError, match="segment 1"):
        sealer.open(path, CONTEXT).read(SEG, 10)


def test_a_file_cut_short_lengthened_or_given_another_header_is_refused(
        tmp_path: Path, sealer: SegmentSealer) -> None:
    data = os.urandom(2500)
    path = sealed(tmp_path, sealer, data)
    good = path.read_bytes()
    for raw in (good[:-STEP + 10],  # the last segment gone
                good[:-1], good + b"\0", good[:HEADER_SIZE - 1], b""):
        path.write_bytes(raw)
        with pytest.raises(DamagedError):
            sealer.open(path, CONTEXT).read_all()
    # a header saying the file is two whole segments long, with the third dropped: the
    # lengths agree, but the second segment was not sealed as the last, nor under this header
    shorter = bytearray(good[:HEADER_SIZE + 2 * STEP])
    shorter[12:20] = (2 * SEG).to_bytes(8, "big")
    path.write_bytes(bytes(shorter))
    opened = sealer.open(path, CONTEXT)
    with pytest.raises(DamagedError):
        opened.read(SEG, 10)
    with pytest.raises(DamagedError):
        opened.read(0, 10)


def test_a_file_opens_only_as_what_it_was_sealed_for_and_with_its_key(
        tmp_path: Path, sealer: SegmentSealer) -> None:
    path = sealed(tmp_path, sealer, b"thumbnail bytes")
    with pytest.raises(DamagedError):
        sealer.open(path, b"photo/abc/thumb").read_all()
    with pytest.raises(DamagedError):
        SegmentSealer(os.urandom(32), segment=SEG).open(path, CONTEXT).read_all()
    with pytest.raises(DamagedError, match="missing"):
        sealer.open(tmp_path / "gone.sealed", CONTEXT)
