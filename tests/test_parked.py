"""Old records that wait for the hub wait out of memory: retention moves them to the sealed
yearly archives (a fsynced copy first, then out of the store in one journal line) while
their outbox entries stay. They count as pending, are pushed once from where they wait,
open whole, show on the screens as before, and saved again they live in the store again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from core.domain.retention import Policy
from field_app.store import Store
from field_app.store.errors import StoreError
from field_app.store.repository import Repository
from sync.client import Report, Syncer
from sync.protocol import ACCEPTED, REJECTED, RecordResult
from tests.factories import IBASHO, SALON, gathering, visit_note
from tests.test_history import TODAY, answers, history
from tests.test_monthly import report

POLICY = Policy(30, 365)


class Hub:
    """Takes every record (or refuses those named), and counts what it was sent."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.sent: list[tuple[str, int]] = []
        self.refuse = refuse or set()

    def push(self, records: list[dict[str, Any]], key: str) -> list[RecordResult]:
        self.sent += [(r["id"], r["rev"]) for r in records]
        return [RecordResult(r["id"], r["rev"], REJECTED if r["id"] in self.refuse else ACCEPTED,
                             problems=({"field": "place_id"},) if r["id"] in self.refuse else ())
                for r in records]


def push(store: Store, hub: Hub, batch: int = 7) -> Report:
    report = Report()
    Syncer(store, hub, batch_size=batch).push_all(report)  # type: ignore[arg-type]
    return report


def test_old_unsynced_records_leave_memory_and_still_wait(tmp_path: Path) -> None:
    old = [gathering(date=f"2024-0{m}-10") for m in range(1, 8)]
    notes = [visit_note(date="2024-03-03")]
    recent = gathering(date="2026-05-01")
    with Store(tmp_path) as store:
        for r in [*old, *notes, recent]:
            store.save(r)
        pending = store.pending()
        assert store.apply_retention(TODAY, POLICY) == (0, 0)  # nothing the hub has
        assert store.count("gathering") == 1 and store.count("visit_note") == 0
        assert store.pending() == pending  # the same documents, in the same order
        assert store.pending_count() == 9
    with Store(tmp_path) as store:  # and when opened again: not read into memory
        assert store.count("gathering") == 1
        assert store.pending() == pending and store.pending(3) == pending[:3]
        for r in [*old, *notes]:
            assert store.get(r.kind, r.id) == r.to_dict()
            assert store.load(r.kind, r.id) == r
        assert Repository(store).pending_count("gathering") == 8


def test_what_staff_work_on_or_see_only_in_the_store_does_not_move(tmp_path: Path) -> None:
    monthly = report(month="2024-04")
    follow_up = visit_note(date="2024-04-02", follow_up_on="2024-04-20")
    drafted, refused, in_form, moving = (gathering(date="2024-04-03") for _ in range(4))
    with Store(tmp_path) as store:
        for r in (monthly, follow_up, drafted, refused, in_form, moving):
            store.save(r)
        store.put_draft(drafted.edited(note="書きかけ").to_dict()).result()
        assert store.quarantine(refused.id, refused.rev, [{"field": "place_id"}])
        store.save_async(in_form.edited(note="編集中"), session="form").result()
        store.apply_retention(TODAY, POLICY)
        assert {d["id"] for d in store.all("gathering")} == {
            monthly.id, drafted.id, refused.id, in_form.id}
        assert store.count("visit_note") == 1
        assert store.get("gathering", moving.id) == moving.to_dict()


def test_the_screens_show_the_same_when_unsynced_years_wait_in_the_archives(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        history(store, random.Random(3))
        waiting = store.pending()
        # the hub has four in five: the rest never reached it
        store.acknowledge([(d["id"], d["rev"]) for i, d in enumerate(waiting) if i % 5])
        before = answers(store), Repository(store, today=TODAY).pending_ids()
        in_memory = store.count("gathering")
        store.apply_retention(TODAY, POLICY)
        assert answers(store) == before[0]
        assert Repository(store, today=TODAY).pending_ids() == before[1]
    with Store(tmp_path) as store:
        assert (answers(store), Repository(store, today=TODAY).pending_ids()) == before
        # the unsynced old ones left memory too: only the last year is in the store
        assert store.count("gathering") < in_memory
        assert all(d["date"] > "2025-06-10" for d in store.all("gathering"))


def test_each_waiting_record_is_pushed_once_and_nothing_moves_after(tmp_path: Path) -> None:
    old = [gathering(date=f"2023-0{1 + i % 9}-0{1 + i % 9}") for i in range(20)]
    with Store(tmp_path) as store:
        for r in old:
            store.save(r)
        store.save(old[0].edited(note="書き直し"))  # pending at rev 2
        store.apply_retention(TODAY, POLICY)
        assert store.count("gathering") == 0
        hub = Hub()
        report = push(store, hub)
        assert sorted(hub.sent) == sorted([(old[0].id, 2)] + [(r.id, r.rev) for r in old[1:]])
        assert report.accepted == 20 and store.pending_count() == 0
        archived = {d["id"]: d["rev"] for y in store.archived_years() for d in store.archived(y)}
        push(store, hub)
        store.apply_retention(TODAY, POLICY)
        assert len(hub.sent) == 20  # acknowledged: nothing sent again
        assert {d["id"]: d["rev"] for y in store.archived_years()
                for d in store.archived(y)} == archived  # and nothing written again
        assert store.get("gathering", old[1].id) is None  # archived as any synced record


def test_a_waiting_record_saved_again_lives_in_the_store_and_shows_once(tmp_path: Path) -> None:
    old = gathering(date="2024-05-01", place_id=SALON.id, attendance={"senior": 5})
    with Store(tmp_path) as store:
        store.save(old)
        store.apply_retention(TODAY, POLICY)
        assert store.count("gathering") == 0
        with pytest.raises(StoreError):  # a form opened on an older rev is refused, as ever
            store.save(old)
        loaded = store.load("gathering", old.id)
        assert loaded is not None
        store.save(loaded.edited(note="書き直し", staff_visited=False))
        assert store.count("gathering") == 1
        records = Repository(store, today=TODAY)
        [shown] = records.gatherings_between(dt.date(2024, 5, 1), dt.date(2024, 5, 1))
        assert shown.note == "書き直し"
        assert [d["rev"] for d in store.pending()] == [old.rev + 1]
        # no longer a visit: "not visited" does not count the day it waited with
        assert SALON.id not in records.last_visits(dt.date(2024, 1, 1))


def test_a_waiting_visit_counts_for_not_visited_before_and_after_the_hub_has_it(
        tmp_path: Path) -> None:
    note = visit_note(date="2024-05-01", place_id=IBASHO.id)
    with Store(tmp_path) as store:
        store.save(note)
        records = Repository(store, today=TODAY)
        before = records.last_visits(dt.date(2024, 1, 1))
        assert before == {IBASHO.id: dt.date(2024, 5, 1)}
        store.apply_retention(TODAY, POLICY)
        assert store.count("visit_note") == 0
        assert records.last_visits(dt.date(2024, 1, 1)) == before
        push(store, Hub())
        assert store.pending_count() == 0
        assert records.last_visits(dt.date(2024, 1, 1)) == before  # now the archives' summary


def test_a_waiting_record_the_hub_refuses_opens_from_the_archive_and_is_resent(
        tmp_path: Path) -> None:
    old = gathering(date="2024-02-02")
    with Store(tmp_path) as store:
        store.save(old)
        store.apply_retention(TODAY, POLICY)
        push(store, Hub(refuse={old.id}))
        [refused] = store.quarantined()
        assert (refused.id, store.pending_count()) == (old.id, 0)
        assert store.load("gathering", old.id) == old  # the sync screen's fix opens it
        assert store.archived(2024) and store.waiting_ids() == {old.id}
        store.save(dataclasses.replace(old, rev=old.rev + 1))  # what 再送信 does
        hub = Hub()
        push(store, hub)
        assert hub.sent == [(old.id, old.rev + 1)] and not store.quarantined()


def test_a_waiting_record_moved_to_another_year_shows_only_on_its_new_day(tmp_path: Path) -> None:
    old = gathering(date="2024-05-01")
    with Store(tmp_path) as store:
        store.save(old)
        store.apply_retention(TODAY, POLICY)
        loaded = store.load("gathering", old.id)
        assert loaded is not None
        store.save(loaded.edited(date="2025-01-10"))
        store.apply_retention(TODAY, POLICY)  # waits again, in 2025's archive
        assert store.count("gathering") == 0
        records = Repository(store, today=TODAY)
        assert records.gatherings_between(dt.date(2024, 5, 1), dt.date(2024, 5, 1)) == []
        assert [g.id for g in records.gatherings_between(dt.date(2024, 1, 1),
                                                         dt.date(2025, 12, 31))] == [old.id]
        assert [(d["id"], d["rev"], d["date"]) for d in store.pending()] == [
            (old.id, 2, "2025-01-10")]
        assert [d["id"] for d in store.archived(2024)] == []


def test_a_record_waits_in_the_archive_even_where_its_line_is_not_known(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # an archive that does not say where it wrote (as a wrapper around it might not): the
    # record is looked for in its year's file
    from field_app.store.archive import Archive

    add = Archive.add
    monkeypatch.setattr(Archive, "add", lambda self, docs: (add(self, docs), None)[1])
    old = gathering(date="2024-05-01")
    with Store(tmp_path) as store:
        store.save(old)
        store.apply_retention(TODAY, POLICY)
        assert store.count("gathering") == 0
        assert store.pending() == [old.to_dict()] and store.load("gathering", old.id) == old
