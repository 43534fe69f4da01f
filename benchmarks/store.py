"""Store benchmark: a durable save with N records already on the device, against TinyDB's
default JSONStorage holding the same records, measured in the same run.

    .venv/bin/python -m benchmarks.store --records 10000

    .venv/bin/python -m benchmarks.store --records 50000 --dir /var/tmp

The last line is an interface (keep it exact):
    store: records=N p95_save_ms=X tinydb_default_p95_ms=Y speedup=Z open_ms=W rss_mb=R \
home_query_ms=H fsync_ms=F fsync_ratio=Q home_first_ms=G   (one line)

fsync_ms: one fsync of a small file in the same directory, in the same run (median of 51);
fsync_ratio: the p95 save over it — a save is one journal append and one fdatasync, so the
ratio says how much of a save is anything but the disk. The directory's filesystem is
printed: on a tmpfs an fsync is free and the ratio means nothing (`--dir` picks another).

home_query_ms: the home screen's questions (today's expected gatherings, missed ones, plans,
grant periods closing, places not visited, follow-ups due this week, today's records, what
waits, recent places, drafts) at N records, median of 11, each after a save of a gathering
today (what a save leaves of TinyDB's and the store's caches); home_first_ms: the same
questions asked first after opening (nothing built or cached yet).

The stores hold what a tablet used for five years holds: the history is made, then the
retention the app applies at every unlock (core.domain.retention, the office's default
policy) is applied once, as of the history's last day: synced gatherings and visit notes
older than a year move to the sealed yearly archives (read when a screen asks for those
days), closed synced concerns become stubs. What stayed in the store and what went to the
archives is printed. One record in five is never synced, in every year: those stay on the
device and keep waiting for the hub, the old ones in the sealed yearly archives too (out of
memory; the printed archive count is of synced records only).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from core.domain.concern import OfficePart
from core.domain.kinds import SENSITIVE
from core.domain.record import Record
from core.domain.retention import Policy
from core.reference_data import load_reference
from field_app.store import Store
from field_app.store.journal import JournalStorage, Tables
from field_app.store.migrations import STORE_DIR
from field_app.store.planner import Planner
from field_app.store.repository import Repository
from field_app.store.sealing import AesGcmSealer, SealingCodec
from tests.factories import concern, gathering, visit_note

NOTES = ["参加者同士で近況を話していた。", "初めての方が2名。お子さん連れ。", "体操のあとお茶会。",
         "運営の方から会場費の相談あり。", "季節の話題で盛り上がった🌸"]


HISTORY_END = dt.date(2026, 6, 10)  # the last day of the generated history


def make_records(n: int, rng: random.Random, years: int = 5) -> list[Record]:
    """`n` records spread over `years` of history up to HISTORY_END, as a device that has
    been used that long holds them: 7 in 10 gatherings, 2 visit notes, 1 concern (with a
    follow-up two weeks after)."""
    out: list[Record] = []
    span = years * 365
    for i in range(n):
        note = rng.choice(NOTES) * rng.randint(1, 6)
        day = HISTORY_END - dt.timedelta(days=span - span * i // max(n, 1))
        if i % 10 < 7:
            out.append(gathering(note=note, date=day.isoformat()))
        elif i % 10 < 9:
            out.append(visit_note(observations=note, date=day.isoformat()))
        else:
            c = concern(observed=note, observed_on=day.isoformat(),
                        follow_up_on=(day + dt.timedelta(days=14)).isoformat())
            if day < HISTORY_END - dt.timedelta(days=60):  # the office has long closed it
                c = dataclasses.replace(c, office=OfficePart(
                    status="closed", destination="houkatsu", closed_on=day.isoformat()))
            out.append(c)
    return out


def tables_of(records: list[Record], pending_every: int = 5) -> Tables:
    tables: Tables = {}
    for i, r in enumerate(records):
        tables.setdefault(r.kind, {})[r.id] = r.to_dict()
        if i % pending_every == 0:  # some not yet synced
            tables.setdefault("outbox", {})[r.id] = {"kind": r.kind, "rev": r.rev}
    return tables


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def bench_ours(directory: Path, edits: list[tuple[str, str]], saves: int, codec: Any = None
               ) -> tuple[list[float], list[float], float]:
    """Opens, then `saves` new records and `saves` edits of stored ones (kind, id)."""
    opens = []
    for _ in range(3):
        start = time.perf_counter()
        store = Store(directory, codec=codec)
        opens.append((time.perf_counter() - start) * 1000)
        store.close()
    creates, updates = [], []
    with Store(directory, codec=codec) as store:
        for r in make_records(saves, random.Random(7)):
            creates.append(timed(store.save, r))
        for kind, rid in edits:
            current = store.load(kind, rid)
            assert current is not None
            edited = current.edited()
            updates.append(timed(store.save, edited))
    return creates, updates, statistics.median(opens)


def home_query_ms(directory: Path, runs: int = 11) -> tuple[float, float]:
    """(median after a save, the first after opening)"""
    today = HISTORY_END  # the history's last day: today's and this week's records exist
    samples = []
    with Store(directory) as store:
        records = Repository(store, today=today)
        ref = load_reference()
        for run in range(runs + 1):
            if run:
                store.save(gathering(date=today.isoformat()))
            start = time.perf_counter()
            plan = Planner(records, ref, today)  # home's questions of the week
            plan.today_slots()
            plan.missed()
            plan.plans_ahead()
            plan.closing()
            plan.not_visited()
            records.follow_ups_due(today + dt.timedelta(days=6 - today.weekday()))
            records.on_day(today)
            records.pending_count()
            records.pending_count("concern")
            records.recent_places(8)
            records.drafts()
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples[1:]), samples[0]


def settle(directory: Path, codec: Any = None, today: dt.date = HISTORY_END
           ) -> tuple[int, int, int]:
    """Retention as the app applies it at unlock (as of the history's last day). Returns
    (stubbed, archived, left in the store)."""
    with Store(directory, codec=codec) as store:
        stubbed, archived = store.apply_retention(today, Policy())
        left = sum(store.count(kind) for kind in ("gathering", "visit_note", "concern"))
    return stubbed, archived, left


def store_rss_mb(directory: Path, saves: int = 50) -> float:
    """Peak RSS of a fresh process that opens the store and saves: the app's own footprint,
    without this benchmark's generated data."""
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so a child
    # reported this benchmark's own peak (its generated records) instead of its own.
    code = (
        "import re\n"
        "from field_app.store import Store\n"
        "from tests.factories import gathering\n"
        f"with Store({str(directory)!r}) as s:\n"
        f"    for _ in range({saves}):\n"
        "        s.save(gathering())\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=600, cwd=Path(__file__).resolve().parent.parent)
    return float(out.stdout.strip())


def filesystem(directory: Path) -> str:
    """The filesystem type `directory` is on (from /proc/mounts: the longest mount prefix)."""
    path, best, kind = str(directory.resolve()), "", "unknown"
    try:
        with open("/proc/mounts", encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    mount = parts[1]
                    inside = path == mount or path.startswith(mount.rstrip("/") + "/")
                    if inside and len(mount) > len(best):
                        best, kind = mount, parts[2]
    except OSError:
        pass
    return kind


def fsync_ms(directory: Path, runs: int = 51) -> float:
    """One fsync of a small file in `directory`: what the disk charges a durable save."""
    path = directory / "fsync-probe"
    samples = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for i in range(runs):
            os.write(fd, b"%08d probe line of a journal's size, more or less\n" % i)
            start = time.perf_counter()
            os.fsync(fd)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return statistics.median(samples)


def fill_tinydb_default(directory: Path, records: list[Record]) -> None:
    with TinyDB(directory / "tinydb-default.json") as db:
        db.table("records").insert_multiple([r.to_dict() for r in records])


def bench_tinydb_default(directory: Path, saves: int) -> list[float]:
    path = directory / "tinydb-default.json"
    samples = []
    with TinyDB(path) as db:  # JSONStorage: re-reads and rewrites the whole file per write
        table = db.table("records")
        for r in make_records(saves, random.Random(9)):
            doc = r.to_dict()
            samples.append(timed(table.insert, doc))
    return samples


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--saves", type=int, default=400, help="saves measured (create + update each)")
    p.add_argument("--baseline-saves", type=int, default=0,
                   help="TinyDB default saves measured (default: scaled to the record count)")
    p.add_argument("--dir", type=Path, default=None,
                   help="where to make the stores (default: the system's temp directory)")
    args = p.parse_args()
    n = args.records
    baseline_saves = args.baseline_saves or max(10, min(60, 600_000 // max(n, 1)))
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="ibasho-bench-", dir=args.dir))
    fs = filesystem(root)
    print(f"directory: {root} filesystem={fs}"
          + ("  (tmpfs: fsync is free here, fsync_ratio means nothing; use --dir)"
             if fs in ("tmpfs", "ramfs") else ""))
    try:
        records = make_records(n, random.Random(1))
        key = os.urandom(32)
        JournalStorage(root / "plain" / STORE_DIR, initial=tables_of(records)).close()
        JournalStorage(root / "sealed" / STORE_DIR, codec_=SealingCodec(SENSITIVE, AesGcmSealer(key)),
                       initial=tables_of(records)).close()
        stubbed, archived, left = settle(root / "plain")
        settle(root / "sealed", SealingCodec(SENSITIVE, AesGcmSealer(key)))
        print(f"history: {n} records over five years; retention (default policy): {archived} "
              f"in the yearly archives, {stubbed} concerns reduced to stubs, {left} in the store")
        fill_tinydb_default(root, records)
        with Store(root / "plain") as store:  # edits of what is still in the store
            kept = [(r.kind, r.id) for r in records
                    if not (store.get(r.kind, r.id) or {"stub": True}).get("stub")]
        edits = random.Random(8).sample(kept, args.saves)
        # what this benchmark made is its memory, not the app's: an app holding the records
        # has them in its store, once, and every collection of garbage walks what is alive
        del records
        gc.collect()
        creates, updates, open_ms = bench_ours(root / "plain", edits, args.saves)
        rss_mb = store_rss_mb(root / "plain")
        home_ms, home_first = home_query_ms(root / "plain")
        ours = creates + updates
        print(f"ours: create p50={percentile(creates, 50):.2f} ms p95={percentile(creates, 95):.2f} ms; "
              f"update p50={percentile(updates, 50):.2f} ms p95={percentile(updates, 95):.2f} ms; "
              f"open median of 3={open_ms:.0f} ms")

        s_creates, s_updates, s_open = bench_ours(root / "sealed", edits, args.saves,
                                                  SealingCodec(SENSITIVE, AesGcmSealer(key)))
        sealed = s_creates + s_updates
        print(f"sealing: p95_plain_ms={percentile(ours, 95):.2f} "
              f"p95_sealed_ms={percentile(sealed, 95):.2f} "
              f"added_ms={percentile(sealed, 95) - percentile(ours, 95):.2f} "
              f"open_sealed_ms={s_open:.0f}")

        baseline = bench_tinydb_default(root, baseline_saves)
        print(f"tinydb default JSONStorage: {baseline_saves} inserts, "
              f"p50={percentile(baseline, 50):.1f} ms p95={percentile(baseline, 95):.1f} ms")
        ours_p95, base_p95 = percentile(ours, 95), percentile(baseline, 95)
        sync_ms = fsync_ms(root / "plain")
        print(f"store: records={n} p95_save_ms={ours_p95:.2f} tinydb_default_p95_ms={base_p95:.1f} "
              f"speedup={base_p95 / ours_p95:.0f} open_ms={open_ms:.0f} rss_mb={rss_mb:.0f} "
              f"home_query_ms={home_ms:.1f} fsync_ms={sync_ms:.2f} "
              f"fsync_ratio={ours_p95 / sync_ms:.2f} home_first_ms={home_first:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
