"""The fiscal-year report for all places over N gatherings on the given database.

    .venv/bin/python -m benchmarks.reports --gatherings 100000 --db sqlite|postgresql

Lines (an interface; keep them exact):
    report-pdf: seconds=X   (one place's 実績報告書 as PDF, with 52 gatherings in the year:
                             built and rendered in a warm process, median of 5)
    reports: gatherings=N db=D seconds=X baseline_s=B ratio=R   (the last line)

The baseline is reading and parsing every stored gathering body (with orjson, as the
report does), the floor for any report that looked at every gathering; the report reads the
fiscal year's only (by the records' day column), as it should on a hub holding years.
Baseline and report alternate, three times each (medians), so neither
runs only on a cache the other warmed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select, text

from core.reference_data import load_reference, sample_places
from hub.db import schema
from hub.documents import export, reports
from sync.protocol import body_hash
from tests.hubs import database_url, prepared_engine

FY = 2025


def main() -> int:
    p = argparse.ArgumentParser(description="reports benchmark")
    p.add_argument("--gatherings", type=int, default=100_000)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = p.parse_args()
    rng = random.Random(5)
    root = Path(tempfile.mkdtemp(prefix="ibasho-reports-"))
    ref = load_reference()
    places = sample_places()
    # as a running hub renders one: imports and the font's first parse done (one warm-up),
    # before this benchmark fills its memory with generated rows; median of 5
    place_pdf_seconds(ref)
    pdf_seconds = statistics.median(place_pdf_seconds(ref) for _ in range(5))
    try:
        with database_url(args.db, root) as url:
            engine = prepared_engine(url)
            rows = []
            start = dt.date(FY - 1, 10, 1)  # half a year before the fiscal year, and all of it
            for _ in range(args.gatherings):
                place = rng.choice(places)
                program = ref.programs[place.program]
                day = start + dt.timedelta(days=rng.randrange(540))
                cats = program.category_keys
                attendance = {c: rng.randrange(0, 12) for c in cats}
                doc = {"id": str(uuid.uuid4()), "kind": "gathering", "schema": 2, "rev": 1,
                       "created_at": "2026-01-01T00:00:00.000Z",
                       "updated_at": "2026-01-01T00:00:00.000Z", "device_id": "bench",
                       "author": "", "place_id": place.id, "date": day.isoformat(),
                       "start_time": "13:00", "end_time": rng.choice(["14:30", "15:00", "16:00"]),
                       "attendance": attendance, "first_time": rng.randrange(0, 3),
                       "helpers": rng.randrange(0, 5),
                       "activities": rng.sample(["talk", "meal", "exercise", "games"], 2),
                       "staff_visited": False, "note": ""}
                rows.append({"id": doc["id"], "kind": "gathering", "device_id": "bench", "rev": 1,
                             "body": json.dumps(doc, ensure_ascii=False),
                             "body_hash": body_hash(doc), "received_at": dt.datetime.now(dt.UTC),
                             "day": doc["date"]})
            with engine.begin() as conn:
                for i in range(0, len(rows), 5000):
                    conn.execute(insert(schema.records), rows[i:i + 5000])
            # the statistics a running hub's database keeps (autovacuum on PostgreSQL): without
            # them the planner guesses a year of gatherings is two rows and walks the index
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            # the generated rows are this benchmark's memory, not a hub's: a running hub
            # does not hold 100,000 bodies while it reports (every collection would walk them)
            del rows
            gc.collect()
            floors, times = [], []
            for _ in range(3):
                began = time.perf_counter()
                parsed = read_and_parse(engine)
                floors.append(time.perf_counter() - began)
                began = time.perf_counter()
                with engine.connect() as conn:
                    built = reports.build(conn, ref, FY, dt.date(FY + 1, 4, 15))
                table = export.report_rows(built, ref, FY)
                monthly = export.monthly_rows(built, FY)
                times.append(time.perf_counter() - began)
            floor, seconds = statistics.median(floors), statistics.median(times)
            counted = sum(r.gatherings for r in built)
            engine.dispose()
        print(f"baseline: read and parse {parsed} gathering bodies seconds={floor:.2f}; "
              f"the report takes {seconds / floor:.1f}x that")
        print(f"report rows: {len(table) - 1} places, {len(monthly) - 2} in the monthly summary; "
              f"{counted} gatherings in FY{FY} of {args.gatherings} stored")
        print(f"report-pdf: seconds={pdf_seconds:.2f}")
        print(f"reports: gatherings={args.gatherings} db={args.db} seconds={seconds:.2f} "
              f"baseline_s={floor:.2f} ratio={seconds / floor:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def read_and_parse(engine: Any) -> int:
    """Every stored gathering's body read and parsed (with the parser the hub's reports
    use), nothing else."""
    with engine.connect() as conn:
        return sum(1 for (body,) in conn.execute(
            select(schema.records.c.body).where(schema.records.c.kind == "gathering")
            .execution_options(stream_results=True, yield_per=5000)) if orjson.loads(body))


def place_pdf_seconds(ref: Any) -> float:
    """One place's 実績報告書 with a gathering every week of the year: build and render."""
    from hub.documents import annual_report, report_files
    from tests.factories import IBASHO, gathering

    docs = [gathering(date=(dt.date(FY, 4, 6) + dt.timedelta(weeks=w)).isoformat()).to_dict()
            for w in range(52)]
    began = time.perf_counter()
    year = annual_report.build(IBASHO.to_dict(), docs, {}, ref, FY, dt.date(FY + 1, 4, 15),
                               annual_report.DEFAULT_COUNCIL)
    data = report_files.pdf(year, ref)
    assert data.startswith(b"%PDF")
    return time.perf_counter() - began


if __name__ == "__main__":
    raise SystemExit(main())
