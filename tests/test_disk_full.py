"""A full disk (a real 1 MiB tmpfs): the save fails clearly, nothing saved before is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from field_app.store import Store, StoreFullError
from tests.disks import fill
from tests.factories import gathering


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


def test_a_form_whose_save_the_disk_refuses_keeps_what_was_typed(small_disk: Path) -> None:
    from field_app.ui.form import RecordForm
    from tests.factories import IBASHO, REF

    with Store(small_disk / "data", compact_min_bytes=64_000) as s:
        form = RecordForm.open(s, REF, "gathering", None, "山田 花子", place_id=IBASHO.id)
        form.change(note="最初のメモ").result()
        assert form.is_saved and form.saved_rev == 1
        filler = fill(small_disk)
        typed = "帰り道が分からなくなった方がいた。" * 100  # more than the journal's last page holds
        with pytest.raises(StoreFullError):
            form.change(note=typed).result()
        assert not form.is_saved and form.failure is not None and form.saved_rev == 1
        assert form.state_text(lambda key, **kw: key) == "form.not_saved"
        assert s.get("gathering", form.id)["note"] == "最初のメモ"  # type: ignore[index]
        # the form is closed and opened again: what was typed is there, still not saved
        again = RecordForm.open(s, REF, "gathering", form.id, "山田 花子")
        assert again.data["note"] == typed and again.failure is not None
        assert [d["id"] for d in s.drafts()] == [form.id] and s.is_unsaved(form.id)
        # an incomplete new record fails the same way and is kept too
        new = RecordForm.open(s, REF, "concern", None, "山田 花子", place_id=IBASHO.id)
        with pytest.raises(StoreFullError):
            new.change(observed=typed).result()
        assert s.draft(new.id)["observed"] == typed  # type: ignore[index]
        filler.unlink()  # space again
        again.retry().result()
        assert again.failure is None and again.is_saved and not s.is_unsaved(form.id)
        assert s.get("gathering", form.id)["note"] == typed  # type: ignore[index]
        new.retry().result()
        assert new.failure is None and not s.is_unsaved(new.id)
    with Store(small_disk / "data") as s:
        assert s.get("gathering", form.id)["note"] == typed  # type: ignore[index]
        assert s.draft(new.id)["observed"] == typed  # type: ignore[index]
        assert s.pending_count() == 1
