"""Sync through a hostile network: every record reaches the hub exactly once, at its latest rev."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from field_app.store import Store
from sync.client import HUB_META, Syncer, enrol
from sync.errors import TransientError
from tests.factories import concern, gathering, visit_note
from tests.faultproxy import FaultProxy, Plan
from tests.hubs import Hub, hub_client, sync_once

ROOT = Path(__file__).resolve().parent.parent


def hub_state(hub: Hub) -> dict[str, int]:
    with hub.engine.connect() as conn:
        return {r.id: r.rev for r in conn.execute(text("SELECT id, rev FROM records"))}


def test_two_thousand_records_through_faults_arrive_exactly_once(tmp_path: Path, hub: Hub) -> None:
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    factories = (gathering, concern, visit_note)
    records = [dataclasses.replace(factories[i % 3](), device_id=store.device_id)
               for i in range(2000)]
    for r in records:
        store.save(r)
    latest = {r.id: r.rev for r in records}
    port = int(hub.url.rsplit(":", 1)[1])
    plan = Plan(fault_rate=0.35, delay_s=2.5, seed=7)
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    with FaultProxy(port, plan) as proxy:
        client = hub_client(proxy.url, token, timeout=1.5)  # the "delay" fault outlasts it
        syncer = Syncer(store, client, batch_size=40)
        deadline = time.monotonic() + 240
        passes = failures = 0
        edited = False
        while time.monotonic() < deadline:
            passes += 1
            try:
                syncer.sync_once()
                if store.pending_count() == 0:
                    break
            except TransientError:
                failures += 1
            if not edited and store.pending_count() < 1500:
                # staff keep working while the sync struggles: edit some sent records
                for r in records[:50]:
                    current = store.load(r.kind, r.id)
                    store.save(current.edited())  # type: ignore[union-attr]
                    latest[r.id] = current.rev + 1  # type: ignore[union-attr]
                edited = True
        client.close()
    assert store.pending_count() == 0, f"still pending after {passes} passes"
    assert edited and failures > 10
    assert sum(plan.counts[f] for f in plan.counts if f != "ok") > 20
    assert {f for f in plan.counts if plan.counts[f]} >= {"drop_before", "drop_after", "reset",
                                                          "truncate", "delay", "s503", "s500_after"}
    assert hub_state(hub) == latest  # each record exactly once, at its latest rev
    assert hub.count("records") == 2000 and store.quarantined() == []
    store.close()


CHILD = """
import sys
from field_app.store import Store
from sync.client import HUB_META, Syncer
from sync.http import HubClient
store = Store(sys.argv[1])
hub = store.meta(HUB_META)
print("pushing", flush=True)
from sync.client import Report
Syncer(store, HubClient(sys.argv[2], hub["token"], timeout=600)).push_all(Report())
print("done", flush=True)
"""


def test_a_client_killed_between_send_and_acknowledgement_resends_without_duplicates(
        tmp_path: Path, hub: Hub) -> None:
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    records = [dataclasses.replace(gathering(), device_id=store.device_id) for _ in range(150)]
    for r in records:
        store.save(r)
    store.close()
    port = int(hub.url.rsplit(":", 1)[1])
    plan = Plan(fault_rate=1.0, faults=("delay",), delay_s=30)  # answers held back
    with FaultProxy(port, plan) as proxy:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "device"), proxy.url],
                                 stdout=subprocess.DEVNULL, cwd=ROOT,
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)))
        deadline = time.monotonic() + 60
        while hub.count("records") == 0:  # the hub has taken the first batch ...
            assert time.monotonic() < deadline, "the hub never got the batch"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)  # ... and the device dies before hearing back
        child.wait(timeout=30)
    store = Store(tmp_path / "device")
    assert store.pending_count() == 150  # nothing was acknowledged
    hub_meta = store.meta(HUB_META)
    report = sync_once(store, hub.url, hub_meta["token"])  # type: ignore[index]
    assert report.duplicate >= 1 and report.accepted + report.duplicate == 150
    assert store.pending_count() == 0 and hub.count("records") == 150
    store.close()


def test_retry_after_and_backoff_are_honoured() -> None:
    import random

    from sync.client import backoff
    from sync.http import retry_after

    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert 0 <= retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # type: ignore[operator]
    rng = random.Random(1)
    delays = [backoff(n, base=1, cap=60, rng=rng) for n in range(1, 12)]
    assert all(0 <= d <= 60 for d in delays) and max(delays) > 8  # full jitter, growing
    assert backoff(1, base=1, cap=60, retry_after=30, rng=rng) >= 30


def test_the_worker_retries_until_the_hub_answers(tmp_path: Path, hub: Hub) -> None:
    from sync.client import SyncWorker

    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    store.save(dataclasses.replace(gathering(), device_id=store.device_id))
    port = int(hub.url.rsplit(":", 1)[1])
    plan = Plan(fault_rate=1.0, faults=("s503",))
    states: list[str] = []
    with FaultProxy(port, plan) as proxy:
        worker = SyncWorker(store, interval=60, base_delay=0.05, max_delay=0.2,
                            on_status=lambda s: states.append(s.state),
                            client_factory=lambda url, token: hub_client(proxy.url, token))
        worker.start()
        deadline = time.monotonic() + 30
        # several failed passes; between them the worker says it is offline
        while (plan.counts["s503"] < 3 or worker.status.state != "offline") and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.status.state == "offline" and worker.status.pending == 1
        plan.fault_rate = 0.0  # the network comes back
        worker.notify()
        while worker.status.state != "idle" and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.stop()
    assert worker.status.state == "idle" and worker.status.pending == 0
    assert worker.status.last_success is not None
    assert "offline" in states and "syncing" in states
    store.close()


def test_health_of_the_proxy_itself(hub: Hub) -> None:
    port = int(hub.url.rsplit(":", 1)[1])
    with FaultProxy(port, Plan()) as proxy:
        assert httpx.get(proxy.url + "/api/v1/ping", timeout=10).json()["ok"] is True
