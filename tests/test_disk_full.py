"""A full disk (a real 1 MiB tmpfs): the save fails clearly, nothing saved before is lost."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.store import Store, StoreFullError
from tests.factories import gathering


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the project machines run as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_fails_the_save_and_keeps_everything_before(small_disk: Path) -> None:
    saved = []
    with Store(small_disk / "data", compact_min_bytes=64_000) as s:
        with pytest.raises(StoreFullError) as info:
            for _ in range(10_000):
                record = gathering(note="記録" * 1000)
                s.save(record)
                saved.append(record)
        assert "空き容量" in info.value.message_ja and "NOT saved" in info.value.message
        assert len(saved) > 50
        assert s.count("gathering") == len(saved)  # the failed save left nothing in memory
        failed = record
        assert s.get("gathering", failed.id) is None
    with Store(small_disk / "data") as s:
        assert {d["id"] for d in s.all("gathering")} == {r.id for r in saved}
        assert s.pending_count() == len(saved)
        for r in saved[-3:]:
            assert s.load("gathering", r.id) == r


def test_saving_resumes_when_space_is_freed(small_disk: Path) -> None:
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 900_000)
    with Store(small_disk / "data", compact_min_bytes=64_000) as s:
        count = 0
        with pytest.raises(StoreFullError):
            for _ in range(1000):
                s.save(gathering(note="x" * 2000))
                count += 1
        filler.unlink()
        again = gathering(note="空きができた")
        s.save(again)
        assert s.count("gathering") == count + 1
    with Store(small_disk / "data") as s:
        assert s.load("gathering", again.id) == again
