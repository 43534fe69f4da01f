"""Records per second the hub accepts from N devices pushing at once, against a fair
baseline measured in the same run: the same database taking the same rows the hub must
write for each push — the records, each concern's arrival in the audit log (its version
history), the device's last push, the push's audit entry and its idempotency record — in
one transaction per batch, from N threads at once, with no HTTP, no JSON and no checking.

    .venv/bin/python -m benchmarks.hub_ingest --db sqlite|postgresql --devices 50

Last line (an interface; keep it exact):
    hub-ingest: db=D devices=N records_per_s=X raw_insert_per_s=Y ratio=Z
(raw_insert_per_s is the fair baseline's records per second)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, update

from hub import devices
from hub.db import schema
from hub.db.engine import utcnow
from hub.ingest import record_day
from sync.protocol import body_hash
from tests.factories import concern, gathering, visit_note
from tests.hubs import Hub, database_url, prepared_engine, serve_process


def device_batches(device_id: str, records: int, batch: int) -> list[bytes]:
    makers = (gathering, gathering, visit_note, concern)
    docs = [dataclasses.replace(makers[i % 4](), device_id=device_id).to_dict()
            for i in range(records)]
    return [gzip.compress(json.dumps({"records": docs[i:i + batch]}, ensure_ascii=False).encode(), 5)
            for i in range(0, records, batch)]


def all_at_once(work: Callable[[int], None], n: int, barrier: threading.Barrier) -> float:
    """Seconds for `n` threads running `work(i)`, timed from the moment all are ready (each
    waits on `barrier`, which has room for one more: this one)."""
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    return time.perf_counter() - start


def raw_insert_rate(engine: Engine, device_ids: list[str], per_device: int, batch: int
                    ) -> float:
    """The fair baseline: per device thread, per batch, one transaction writing what
    `ingest` writes for an all-accepted push (records, concern arrivals in the audit log,
    the device's last push, the push's audit entry, the idempotency record)."""
    makers = (gathering, gathering, visit_note, concern)
    work: list[list[list[dict[str, Any]]]] = []
    for device_id in device_ids:
        rows = []
        for i in range(per_device):
            doc = dataclasses.replace(makers[i % 4](), device_id=device_id).to_dict()
            rows.append({"id": doc["id"], "kind": doc["kind"], "device_id": device_id,
                         "staff_name": "山田 花子", "rev": 1,
                         "body": json.dumps(doc, ensure_ascii=False),
                         "body_hash": body_hash(doc), "received_at": utcnow(),
                         "day": record_day(doc)})
        work.append([rows[i:i + batch] for i in range(0, per_device, batch)])
    barrier = threading.Barrier(len(device_ids) + 1)
    errors: list[BaseException] = []
    # as the hub does on SQLite: writers of one process queue on a lock, not the busy handler
    one_writer = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    def device(n: int) -> None:
        try:
            barrier.wait()
            with engine.connect() as conn:
                for rows in work[n]:
                    with one_writer, conn.begin():
                        now = utcnow()
                        conn.execute(insert(schema.records), rows)
                        arrivals = [{"at": now, "actor": device_ids[n],
                                     "action": "concern_received", "subject": r["id"],
                                     "detail": '{"rev": 1}'} for r in rows
                                    if r["kind"] == "concern"]
                        if arrivals:
                            conn.execute(insert(schema.audit), arrivals)
                        conn.execute(update(schema.devices)
                                     .where(schema.devices.c.id == device_ids[n])
                                     .values(last_push_at=now))
                        conn.execute(insert(schema.audit).values(
                            at=now, actor=device_ids[n], action="push", subject="山田 花子",
                            detail=json.dumps({"accepted": len(rows)})))
                        conn.execute(insert(schema.idempotency).values(
                            device_id=device_ids[n], key=str(uuid.uuid4()),
                            response=json.dumps([{"id": r["id"], "rev": 1,
                                                  "status": "accepted"} for r in rows]),
                            created_at=now))
        except BaseException as exc:
            errors.append(exc)

    elapsed = all_at_once(device, len(device_ids), barrier)
    if errors:
        raise SystemExit(f"baseline failed: {errors[0]!r}")
    return len(device_ids) * per_device / elapsed


def main() -> int:
    p = argparse.ArgumentParser(description="hub ingest benchmark")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--records-per-device", type=int, default=200)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--workers", type=int, default=None,
                   help="hub processes (default: one per core)")
    args = p.parse_args()
    workers = args.workers or os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="ibasho-ingest-"))
    try:
        with database_url(args.db, root) as url:
            engine = prepared_engine(url)
            with serve_process(url, root, workers=workers) as hub_url:
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

                elapsed = all_at_once(device, args.devices, barrier)
                if errors:
                    raise SystemExit(f"{len(errors)} failed pushes, e.g. {errors[0]}")
                assert hub.count("records") == total
            # the baseline's devices, enrolled like the hub's (their rows are new ones)
            base_ids = []
            for n in range(args.devices):
                base_ids.append(f"base-device-{n:04d}")
                code = hub.code()
                with engine.begin() as conn:
                    devices.enrol(conn, code, base_ids[-1], "baseline")
            raw = raw_insert_rate(engine, base_ids, args.records_per_device, args.batch)
            engine.dispose()
        rate = total / elapsed
        print(f"hub ({workers} worker{'s' if workers > 1 else ''}): {total} records from "
              f"{args.devices} devices in {elapsed:.2f} s; "
              f"baseline (the same rows written by {args.devices} threads, one transaction "
              f"per batch of {args.batch}, no HTTP, JSON or checks): {raw:.0f} records/s")
        print(f"hub-ingest: db={args.db} devices={args.devices} records_per_s={rate:.0f} "
              f"raw_insert_per_s={raw:.0f} ratio={rate / raw:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
