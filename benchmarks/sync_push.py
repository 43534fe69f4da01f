"""Push 1,000 pending records through a loopback proxy that adds 100 ms of round trip,
with our client (batches, gzip, keep-alive) and with a naive client that POSTs one record
per request; both against the same real hub, in the same run.

    .venv/bin/python -m benchmarks.sync_push

Last line (an interface; keep it exact):
    sync-push: records=N rtt_ms=100 ours_s=X naive_s=Y speedup=Z
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from field_app.store import Store
from sync.client import HUB_META, Report, Syncer, enrol
from sync.http import HubClient
from tests.factories import concern, gathering, visit_note
from tests.faultproxy import FaultProxy, Plan
from tests.hubs import Hub, prepared_engine, serve_process


def fill(store: Store, n: int) -> None:
    makers = (gathering, concern, visit_note)
    for i in range(n):
        store.save(dataclasses.replace(makers[i % 3](), device_id=store.device_id))


def main() -> int:
    p = argparse.ArgumentParser(description="sync push benchmark")
    p.add_argument("--records", type=int, default=1000)
    p.add_argument("--rtt-ms", type=int, default=100)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ibasho-syncbench-"))
    url = f"sqlite:///{root / 'hub.sqlite3'}"
    engine = prepared_engine(url)
    try:
        with serve_process(url, root) as hub_url:
            hub = Hub(hub_url, engine, url)
            port = int(hub_url.rsplit(":", 1)[1])
            with FaultProxy(port, Plan(latency_s=args.rtt_ms / 2000)) as proxy:
                ours_store, naive_store = Store(root / "ours"), Store(root / "naive")
                for s in (ours_store, naive_store):
                    enrol(s, hub_url, hub.code(), "bench")
                    fill(s, args.records)

                token = ours_store.meta(HUB_META)["token"]  # type: ignore[index]
                start = time.perf_counter()
                with HubClient(proxy.url, token) as client:
                    Syncer(ours_store, client, batch_size=250).push_all(Report())
                ours = time.perf_counter() - start
                assert ours_store.pending_count() == 0

                token = naive_store.meta(HUB_META)["token"]  # type: ignore[index]
                start = time.perf_counter()
                with httpx.Client(base_url=proxy.url, timeout=30,
                                  headers={"Authorization": f"Bearer {token}"}) as http:
                    for doc in naive_store.pending():
                        r = http.post("/api/v1/sync/push", json={"records": [doc]},
                                      headers={"Idempotency-Key": str(uuid.uuid4())})
                        r.raise_for_status()
                        naive_store.acknowledge([(doc["id"], doc["rev"])])
                naive = time.perf_counter() - start
                assert naive_store.pending_count() == 0
                assert hub.count("records") == 2 * args.records
                ours_store.close()
                naive_store.close()
        print(f"ours: {args.records} records in {ours:.2f} s; "
              f"naive (one POST per record): {naive:.1f} s")
        print(f"sync-push: records={args.records} rtt_ms={args.rtt_ms} ours_s={ours:.2f} "
              f"naive_s={naive:.1f} speedup={naive / ours:.0f}")
    finally:
        engine.dispose()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
