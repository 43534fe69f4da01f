"""The store against real files: saving, reopening, the outbox, the writer thread, the lock."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from core.reference_data import sample_places
from field_app.store import Store, StoreError, StoreLockedError
from field_app.store.journal import SNAPSHOT, journal_name
from field_app.store.repository import Repository
from tests.factories import concern, gathering, visit_note


def test_saved_records_come_back_after_reopening(tmp_path: Path) -> None:
    records = [gathering(), concern(), visit_note()]
    with Store(tmp_path) as s:
        for r in records:
            s.save(r)
        device = s.device_id
    with Store(tmp_path) as s:
        for r in records:
            assert s.load(r.kind, r.id) == r
        assert s.device_id == device
        assert s.pending_count() == 3


def test_save_refuses_office_kinds_and_old_revs(store: Store) -> None:
    with pytest.raises(StoreError, match="written by the office"):
        store.save(sample_places()[0])
    g = gathering()
    store.save(g.edited())
    with pytest.raises(StoreError, match="not newer"):
        store.save(g)  # rev 1 after rev 2: a stale screen must not overwrite newer data
    assert store.load("gathering", g.id).rev == 2  # type: ignore[union-attr]


def test_a_save_never_changes_the_office_part(store: Store) -> None:
    """A concern open on screen (or kept as a draft) while a sync brought the office's
    referral: the staff member's next edit must not put back the older office part, which
    the hub will not send again."""
    c = concern(follow_up_on=None)
    store.save(c)
    referred = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-11-26",
                "method": "電話", "feedback": "来週連絡します", "closed_on": None,
                "updated_at": "2026-11-26T01:00:00.000Z", "updated_by": "事務局"}
    assert store.set_office_parts({c.id: referred}) == 1
    store.save(c.edited(observed="追記: 帰り道が分からなくなっていた"))  # from the older copy
    saved = store.get("concern", c.id)
    assert saved is not None and saved["rev"] == 2 and saved["office"] == referred
    assert "追記" in saved["observed"]
    # nor can a new concern arrive with one
    fresh = dataclasses.replace(concern(follow_up_on=None),
                                office=store.load("concern", c.id).office)  # type: ignore[union-attr]
    store.save(fresh)
    assert store.get("concern", fresh.id)["office"] is None  # type: ignore[index]


def test_outbox_acknowledges_only_the_rev_that_was_sent(store: Store) -> None:
    g = gathering()
    store.save(g)
    in_flight = store.pending()
    assert [(d["id"], d["rev"]) for d in in_flight] == [(g.id, 1)]
    store.save(g.edited(note="送信中に追記"))  # edited while the push is in flight
    assert store.acknowledge([(g.id, 1)]) == 0
    assert [(d["id"], d["rev"]) for d in store.pending()] == [(g.id, 2)]
    assert store.acknowledge([(g.id, 2)]) == 1
    assert store.pending() == [] and store.pending_count() == 0


def test_quarantine_keeps_the_record_and_an_edit_sends_it_again(store: Store) -> None:
    c = concern()
    store.save(c)
    reasons = [{"field": "place_id", "value": "'x'", "expected_en": "a known place",
                "expected_ja": "登録済みの場所"}]
    assert store.quarantine(c.id, 1, reasons)
    assert store.pending_count() == 0
    [q] = store.quarantined()
    assert (q.id, q.rev, q.reasons[0]["field"]) == (c.id, 1, "place_id")
    assert store.load("concern", c.id) == c  # kept, never deleted
    store.save(c.edited(observed="訂正しました"))
    assert store.quarantined() == [] and store.pending_count() == 1


def test_quarantine_of_an_old_rev_is_ignored(store: Store) -> None:
    g = gathering()
    store.save(g)
    store.save(g.edited())
    assert not store.quarantine(g.id, 1, [])
    assert store.pending_count() == 1 and store.quarantined() == []


def test_reference_data_is_stored_without_the_outbox(store: Store) -> None:
    places = sample_places()
    assert store.put_reference(places) == len(places)
    assert store.count("place") == len(places) and store.pending_count() == 0
    records = Repository(store)
    # half-width katakana finds hiragana kana; results in gojūon order of the kana
    found = [p.name for p in records.places("ﾋﾀﾞﾏﾘ")]
    assert found == ["テンミリオンハウス 陽だまり", "ひだまりカフェ"]
    salons = [p for p in places if p.program == "ikiiki_salon" and p.active]
    assert len(records.places("", program="ikiiki_salon")) == len(salons) > 0
    assert [p.name for p in records.places("境南 サロン")] == ["いきいきサロン 境南"]


def test_saves_from_many_threads_all_land(tmp_path: Path) -> None:
    records = [gathering() for _ in range(200)]
    with Store(tmp_path) as s:
        futures = []
        lock = threading.Lock()

        def worker(chunk: list) -> None:
            for r in chunk:
                f = s.save_async(r)
                with lock:
                    futures.append(f)

        threads = [threading.Thread(target=worker, args=(records[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert all(f.result(timeout=60) for f in futures)
    with Store(tmp_path) as s:
        assert s.count("gathering") == 200 and s.pending_count() == 200


def test_writes_never_overlap_and_land_in_the_order_handed_over(store: Store) -> None:
    """The UI's saves go to the writer thread; a caller that waits for its write anyway
    runs it itself when none is queued ahead. Either way one write at a time, in order."""
    inside, overlaps, threads_seen, order = [0], [0], set(), []
    original = store._storage.apply

    def spy(ops):  # type: ignore[no-untyped-def]
        inside[0] += 1
        if inside[0] > 1:
            overlaps[0] += 1
        threads_seen.add(threading.current_thread().name)
        order.extend(key for table, key, _ in ops if table == "gathering")
        time.sleep(0.001)  # long enough for a racing write to show
        inside[0] -= 1
        return original(ops)

    store._storage.apply = spy  # type: ignore[method-assign]
    first, second = gathering(), gathering()
    pending = store.save_async(first)
    store.save(second)  # queued behind the first: waits its turn on the writer thread
    pending.result()
    assert order == [first.id, second.id]
    errors: list[BaseException] = []

    def saver() -> None:
        try:
            for _ in range(20):
                store.save(gathering())
                store.save_async(gathering())
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=saver) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    store.acknowledge([("x", 1)])
    assert errors == [] and overlaps == [0]
    assert len(store.all("gathering")) == 2 + 4 * 40
    assert any(name.startswith("ibasho-store") for name in threads_seen)


def test_a_second_process_cannot_open_the_same_store(tmp_path: Path) -> None:
    import subprocess
    import sys

    with Store(tmp_path):
        code = ("from field_app.store import Store, StoreLockedError\n"
                f"try:\n    Store({str(tmp_path)!r})\nexcept StoreLockedError as e:\n"
                "    print(e.message_ja); raise SystemExit(3)\n")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 3, run.stderr
        assert "別の画面" in run.stdout
    with pytest.raises(StoreLockedError), Store(tmp_path), Store(tmp_path):
        pass


def test_compaction_folds_the_journal_and_keeps_everything(tmp_path: Path) -> None:
    records = [gathering(note="あ" * 500) for _ in range(300)]
    with Store(tmp_path, compact_min_bytes=20_000) as s:
        for r in records:
            s.save(r)
        generation = s._storage._generation
        assert generation > 1  # folded several times
        # the journal is folded once it outgrows the snapshot: amortised O(1) per save
        assert s._storage.journal_bytes <= max(20_000, s._storage._snapshot_bytes) + 3_000
    files = sorted(p.name for p in (tmp_path / "store").iterdir())
    assert files == sorted([SNAPSHOT, journal_name(generation), "lock"])
    with Store(tmp_path) as s:
        assert {d["id"] for d in s.all("gathering")} == {r.id for r in records}
        assert s.pending_count() == 300


def test_data_dir_defaults_to_flet_storage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from core.location import default_data_dir

    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "flet"))
    assert default_data_dir() == tmp_path / "flet"
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "ibasho-field-notes"
