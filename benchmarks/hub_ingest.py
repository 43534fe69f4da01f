"""Records per second the hub accepts from N devices pushing at once, against the same
database's raw bulk-insert rate, measured in the same run.

    .venv/bin/python -m benchmarks.hub_ingest --db sqlite|postgresql --devices 50

Last line (an interface; keep it exact):
    hub-ingest: db=D devices=N records_per_s=X raw_insert_per_s=Y ratio=Z
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, insert

from sync.hub import devices
from sync.protocol import body_hash
from tests.factories import concern, gathering, visit_note
from tests.hubs import Hub, database_url, prepared_engine, serve_process


def device_batches(device_id: str, records: int, batch: int) -> list[bytes]:
    makers = (gathering, gathering, visit_note, concern)
    docs = [dataclasses.replace(makers[i % 4](), device_id=device_id).to_dict()
            for i in range(records)]
    return [gzip.compress(json.dumps({"records": docs[i:i + batch]}, ensure_ascii=False).encode(), 5)
            for i in range(0, records, batch)]


def raw_insert_rate(engine: Engine, rows: list[dict[str, Any]]) -> float:
    """The database alone: executemany of the same rows, 100 per transaction."""
    meta = MetaData()
    scratch = Table(f"bench_raw_{uuid.uuid4().hex[:8]}", meta,
                    Column("id", String(36), primary_key=True), Column("kind", String(20)),
                    Column("device_id", String(64)), Column("rev", Integer),
                    Column("body", Text), Column("body_hash", String(64)))
    meta.create_all(engine)
    try:
        start = time.perf_counter()
        with engine.connect() as conn:
            for i in range(0, len(rows), 100):
                with conn.begin():
                    conn.execute(insert(scratch), rows[i:i + 100])
        return len(rows) / (time.perf_counter() - start)
    finally:
        meta.drop_all(engine)


def main() -> int:
    p = argparse.ArgumentParser(description="hub ingest benchmark")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--records-per-device", type=int, default=200)
    p.add_argument("--batch", type=int, default=100)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ibasho-ingest-"))
    try:
        with database_url(args.db, root) as url:
            engine = prepared_engine(url)
            with serve_process(url, root) as hub_url:
                hub = Hub(hub_url, engine, url)
                tokens, payloads = [], []
                for n in range(args.devices):
                    device_id = f"bench-device-{n:04d}"
                    code = hub.code()
                    with engine.begin() as conn:  # (the enrol endpoint is rate-limited)
                        tokens.append(devices.enrol(conn, code, device_id, "bench")[0])
                    payloads.append(device_batches(device_id, args.records_per_device, args.batch))
                total = args.devices * args.records_per_device
                errors: list[str] = []
                barrier = threading.Barrier(args.devices + 1)

                def device(i: int) -> None:
                    with httpx.Client(base_url=hub_url, timeout=120, headers={
                            "Authorization": f"Bearer {tokens[i]}",
                            "Content-Type": "application/json", "Content-Encoding": "gzip"}) as c:
                        barrier.wait()
                        for body in payloads[i]:
                            r = c.post("/api/v1/sync/push", content=body,
                                       headers={"Idempotency-Key": str(uuid.uuid4())})
                            if r.status_code != 200 or any(
                                    x["status"] != "accepted" for x in r.json()["results"]):
                                errors.append(r.text[:200])

                threads = [threading.Thread(target=device, args=(i,)) for i in range(args.devices)]
                for t in threads:
                    t.start()
                barrier.wait()
                start = time.perf_counter()
                for t in threads:
                    t.join(timeout=600)
                elapsed = time.perf_counter() - start
                if errors:
                    raise SystemExit(f"{len(errors)} failed pushes, e.g. {errors[0]}")
                assert hub.count("records") == total
            rows = []
            for i in range(total):
                doc = gathering().to_dict()
                rows.append({"id": doc["id"], "kind": "gathering", "device_id": f"d{i % 50}",
                             "rev": 1, "body": json.dumps(doc, ensure_ascii=False),
                             "body_hash": body_hash(doc)})
            raw = raw_insert_rate(engine, rows)
            engine.dispose()
        rate = total / elapsed
        print(f"hub: {total} records from {args.devices} devices in {elapsed:.2f} s; "
              f"raw {args.db} executemany: {raw:.0f} rows/s")
        print(f"hub-ingest: db={args.db} devices={args.devices} records_per_s={rate:.0f} "
              f"raw_insert_per_s={raw:.0f} ratio={rate / raw:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
