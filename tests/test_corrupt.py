"""Unreadable files at start: kept aside untouched, a clear error, nothing replaced silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.reference_data import sample_places
from field_app.store import Store, StoreCorruptError
from field_app.store.journal import SNAPSHOT, journal_name
from field_app.store.snapshot import Ahead
from tests.factories import gathering


def filled(tmp_path: Path, n: int = 5, *, fold: bool = False) -> list:
    records = [gathering() for _ in range(n)]
    with Store(tmp_path) as s:
        for r in records:
            s.save(r)
        if fold:
            s._storage.compact()
    return records


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong_format"])
def test_unreadable_snapshot_is_kept_aside(tmp_path: Path, damage: str) -> None:
    filled(tmp_path, fold=True)
    snapshot = tmp_path / "store" / SNAPSHOT
    original = snapshot.read_bytes()
    bad = {"garbage": b"\x00\xff not json", "truncated": original[: len(original) // 2],
           "empty": b"", "wrong_format": b'{"format": 99, "generation": 1, "tables": {}}'}[damage]
    snapshot.write_bytes(bad)
    with pytest.raises(StoreCorruptError) as info:
        Store(tmp_path)
    kept = info.value.kept_at
    assert (kept / SNAPSHOT).read_bytes() == bad  # untouched, for recovery by the office
    assert str(kept) in info.value.message and "削除せず" in info.value.message_ja
    assert not (tmp_path / "store").exists()
    with Store(tmp_path) as s:  # only an explicit new open starts an empty book
        assert s.count("gathering") == 0
    assert kept.exists()


def test_damage_inside_the_journal_is_not_guessed_at(tmp_path: Path) -> None:
    filled(tmp_path)
    journal = tmp_path / "store" / journal_name(0)
    lines = journal.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"13:00", b"14:00")  # a flipped byte: the CRC no longer fits
    journal.write_bytes(b"\n".join(lines))
    with pytest.raises(StoreCorruptError, match="damaged at line 3"):
        Store(tmp_path)


@pytest.mark.parametrize("cut", [1, 17, 60])
def test_torn_last_line_is_an_unacknowledged_save_and_is_dropped(tmp_path: Path, cut: int) -> None:
    records = filled(tmp_path)
    journal = tmp_path / "store" / journal_name(0)
    raw = journal.read_bytes()
    last_start = raw.rstrip(b"\n").rfind(b"\n") + 1
    journal.write_bytes(raw[: last_start + cut])  # the last save was cut off mid-write
    with Store(tmp_path) as s:
        assert {d["id"] for d in s.all("gathering")} == {r.id for r in records[:-1]}
        s.save(records[-1])  # appends after the cut cleanly
    with Store(tmp_path) as s:
        assert s.count("gathering") == 5


def test_the_app_tells_the_user_and_keeps_the_files(tmp_path: Path) -> None:
    from core.reference_data import load_reference
    from field_app.ui.services import Services

    services = Services.at(tmp_path, load_reference())
    services.create_pin("2468")
    services.lock()
    (tmp_path / "store" / SNAPSHOT).write_bytes(b"{broken")
    services.unlock("2468")
    try:
        [(title, message)] = services.notices
        assert title == "store.unreadable.title"
        assert "読み込めませんでした" in message and "could not be read" in message
        kept = [p for p in tmp_path.iterdir() if p.name.startswith("store.unreadable-")]
        assert len(kept) == 1 and (kept[0] / SNAPSHOT).read_bytes() == b"{broken"
        assert services.store is not None and services.store.count("place") == len(sample_places())
    finally:
        services.stop()


@pytest.mark.parametrize("damage", ["line", "two_on_one", "after_footer", "merged"])
def test_damage_in_a_snapshot_read_by_chunks_is_named_not_guessed(
        tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening parses many snapshot lines at once; damage anywhere is still found, and a
    damaged line is named (found again line by line)."""
    from field_app.store import snapshot as snapshots

    monkeypatch.setattr(snapshots, "READ_CHUNK", 2_000)  # several chunks, damage inside one
    filled(tmp_path, 40, fold=True)
    snapshot = tmp_path / "store" / SNAPSHOT
    lines = snapshot.read_bytes().splitlines(keepends=True)
    if damage == "line":
        lines[20] = lines[20][:-30] + b"\n"
        expected = "damaged at line 21"
    elif damage == "two_on_one":  # two documents run together on one line
        lines[10:12] = [lines[10].rstrip(b"\n") + b"," + lines[11]]
        expected = "damaged at line 11"
    elif damage == "after_footer":
        lines.append(lines[5])
        expected = "incomplete"
    else:  # a document split over two lines
        cut = lines[30].index(b",") + 1
        lines[30:31] = [lines[30][:cut] + b"\n", lines[30][cut:]]
        expected = "damaged at line"
    snapshot.write_bytes(b"".join(lines))
    ahead = Ahead()  # parsed while a PIN is typed: nothing comes of a damaged file
    ahead.start(tmp_path / "store")
    parsed = ahead.take()
    assert parsed is None
    with pytest.raises(StoreCorruptError, match=expected):
        Store(tmp_path, ahead=parsed)
