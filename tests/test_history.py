"""Old years out of memory, the same on screen: once retention has moved a synced history
to the yearly archives, the screens' questions about those days answer as before (read
from the archives when asked), and a kill at any moment of the move loses nothing and
shows nothing twice."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core.domain.retention import Policy
from field_app.store import Store
from field_app.store.repository import Repository
from tests.factories import IBASHO, SALON, gathering, visit_note

TODAY = dt.date(2026, 6, 10)


def answers(store: Store) -> dict[str, Any]:
    """What home, the week, a place and the places' visits show, as ids and days."""
    records = Repository(store, today=TODAY)
    out: dict[str, Any] = {}
    for monday in (dt.date(2023, 5, 1), dt.date(2024, 12, 30), dt.date(2026, 6, 8)):
        sunday = monday + dt.timedelta(days=6)
        out[f"week {monday}"] = (sorted(g.id for g in records.gatherings_between(monday, sunday)),
                                 sorted(n.id for n in records.notes_between(monday, sunday)))
    for place in (IBASHO.id, SALON.id):
        out[f"latest {place}"] = [g.id for g in records.gatherings_of(place, limit=10)]
        out[f"all {place}"] = sorted(g.id for g in records.gatherings_of(place))
    out["visits"] = records.last_visits(TODAY - dt.timedelta(days=900))
    return out


def history(store: Store, rng: random.Random) -> None:
    """Three years at two places: weekly gatherings at one, a few at the other, notes."""
    day = TODAY - dt.timedelta(days=3 * 365)
    while day <= TODAY:
        store.save(gathering(date=day.isoformat(), staff_visited=rng.random() < 0.3))
        if rng.random() < 0.05:
            store.save(gathering(place_id=SALON.id, date=day.isoformat(),
                                 attendance={"senior": 5}))
        if rng.random() < 0.1:
            store.save(visit_note(date=day.isoformat(), place_id=SALON.id,
                                  next_meeting_on=(day + dt.timedelta(days=20)).isoformat()))
        day += dt.timedelta(days=7)


def test_the_screens_show_the_same_once_old_years_are_archived(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        history(store, random.Random(1))
        store.acknowledge([(d["id"], d["rev"]) for d in store.pending()])
        before = answers(store)
        _, archived = store.apply_retention(TODAY, Policy(30, 365))
        assert archived > 100
        assert answers(store) == before
    with Store(tmp_path) as store:  # and after opening again
        assert answers(store) == before
        assert store.count("gathering") < 70  # the old years are not in memory


def test_a_record_opened_from_the_archive_and_saved_again_shows_once(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        old = gathering(date="2024-05-01")
        store.save(old)
        store.acknowledge([(old.id, old.rev)])
        store.apply_retention(TODAY, Policy(30, 365))
        assert store.get("gathering", old.id) is None
        store.save(old.edited(note="書き直し"))
        records = Repository(store, today=TODAY)
        [shown] = records.gatherings_between(dt.date(2024, 5, 1), dt.date(2024, 5, 1))
        assert shown.note == "書き直し"


def test_a_meeting_after_every_archived_day_is_still_found(tmp_path: Path) -> None:
    # the newest archived note names a meeting later than any archived record's own day:
    # the week holding that meeting must still read the archive
    with Store(tmp_path) as store:
        note = visit_note(date="2025-01-04", next_meeting_on="2025-02-08")
        store.save(note)
        store.acknowledge([(note.id, note.rev)])
        store.apply_retention(TODAY, Policy(30, 365))
        assert store.get("visit_note", note.id) is None
        records = Repository(store, today=TODAY)
        found = records.notes_between(dt.date(2025, 2, 3), dt.date(2025, 2, 9))
        assert [n.id for n in found] == [note.id]


CHILD = """
import datetime as dt, random, sys
from core.domain.retention import Policy
from field_app.store import Store
from tests.factories import gathering
rng = random.Random(int(sys.argv[2]))
store = Store(sys.argv[1], compact_min_bytes=30_000)
while True:
    batch = [gathering(date=(dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))).isoformat())
             for _ in range(rng.randrange(1, 40))]
    for r in batch:
        store.save(r)
    store.acknowledge([(r.id, r.rev) for r in batch if rng.random() < 0.7])  # some wait
    for r in batch:
        print(r.id, flush=True)
    store.apply_retention(dt.date(2026, 6, 10), Policy(30, rng.choice([365, 500, 700])))
"""


def test_a_kill_while_old_records_move_to_the_archive_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL at random moments of saving and archiving (the archive's append, its fsync,
    the store's line, the fold after it): every saved record is afterwards in the store or
    in the archives, each shows once, and each still waiting for the hub is pending whole."""
    rng = random.Random(5)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    acked: set[str] = set()
    for n in range(12):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), str(n)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first, "the child died before its first save"
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        proc.stdout.close()
        proc.wait(timeout=30)
        lines = (first + rest).decode().split("\n")[:-1]  # the last may be cut by the kill
        acked |= {line for line in lines if len(line) == 36}
        with Store(tmp_path) as store:
            records = Repository(store, today=TODAY)
            shown = [g.id for g in records.gatherings_between(dt.date(2023, 1, 1),
                                                               dt.date(2026, 12, 31))]
            assert len(shown) == len(set(shown)), f"kill {n}: a record shows twice"
            assert acked <= set(shown), f"kill {n}: {len(acked - set(shown))} records gone"
            waiting = store.pending()
            assert len(waiting) == store.pending_count(), f"kill {n}: a waiting record unread"
            assert all(store.get("gathering", d["id"]) == d for d in waiting), f"kill {n}"


STEP_CHILD = """
import datetime as dt, os, signal, sys
import field_app.store.store as store_module
from core.domain.retention import Policy
from field_app.store import Store
from field_app.store.archive import Archive
from field_app.store.journal import JournalStorage
from tests.factories import gathering

step = sys.argv[2]
def die():
    os.kill(os.getpid(), signal.SIGKILL)

store_module.RETENTION_FOLD = 5  # the fold after the move happens here too
store = Store(sys.argv[1])
batch = [gathering(date=(dt.date(2023, 1, 1) + dt.timedelta(days=i)).isoformat()) for i in range(30)]
for r in batch:
    store.save(r)
if sys.argv[3] == "synced":  # else they wait for the hub, and move all the same
    store.acknowledge([(r.id, r.rev) for r in batch])
for r in batch:
    print(r.id, flush=True)

add, compact, replace = Archive.add, JournalStorage.compact, os.replace
def trapped_add(self, docs):
    docs = list(docs)
    if step == "before_archive":
        die()
    if step == "half_archive":
        add(self, docs[: len(docs) // 2])
        die()
    placed = add(self, docs)
    if step == "archive_written":
        die()
    return placed
def trapped_compact(self):
    if step == "line_written":
        die()
    compact(self)
def trapped_replace(a, b):
    if step == "fold_written":
        die()
    replace(a, b)
    if step == "fold_replaced":
        die()
Archive.add = trapped_add
JournalStorage.compact = trapped_compact
os.replace = trapped_replace
store.apply_retention(dt.date(2026, 6, 10), Policy(30, 365))
print("done", flush=True)
"""
STEPS = ("before_archive", "half_archive", "archive_written", "line_written", "fold_written",
         "fold_replaced", "none")


@pytest.mark.parametrize("synced", ["synced", "unsynced"])
def test_a_kill_at_each_step_of_the_move_loses_nothing_and_doubles_nothing(
        tmp_path: Path, synced: str) -> None:
    """Unsynced, the records also stay pending, whole, and are pushed from where they are."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    for step in STEPS:
        directory = tmp_path / step
        out = subprocess.run([sys.executable, "-c", STEP_CHILD, str(directory), step, synced],
                             capture_output=True, env=env, timeout=120)
        lines = out.stdout.decode().split("\n")
        saved = {line for line in lines if len(line) == 36}
        assert len(saved) == 30, (step, out.stderr.decode()[-2000:])
        assert ("done" in lines) == (step == "none"), step
        for attempt in ("after the kill", "after retention ran again"):
            with Store(directory) as store:
                records = Repository(store, today=TODAY)
                shown = [g.id for g in records.gatherings_between(dt.date(2023, 1, 1),
                                                                   dt.date(2023, 12, 31))]
                assert sorted(shown) == sorted(saved), f"{step}, {attempt}"
                waiting = {d["id"]: d for d in store.pending()}
                assert waiting.keys() == (saved if synced == "unsynced" else set()), step
                assert all(d["kind"] == "gathering" and d["rev"] == 1 for d in waiting.values())
                assert store.pending_count() == len(waiting), step
                store.apply_retention(TODAY, Policy(30, 365))
        with Store(directory) as store:
            assert store.count("gathering") == 0, step  # the move finished
