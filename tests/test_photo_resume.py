"""Photos through a hostile network, and the sync sending them after their records.

Through the fault-injecting proxy every request may be cut mid-body (the hub sees part of a
chunk and the line breaks), dropped before or after the hub saw it, reset, or answered 503:
each photo still arrives byte for byte (its hash), resuming from what the hub kept, and a
resend stores nothing new. On SQLite and PostgreSQL.

The tablet's store (another part of the app) gives the sync its photos; here a store with
a few photos in memory stands in for its photo files, the sync and the hub are real."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from field_app.store import Store
from hub.photos import pieces
from sync.client import HUB_META, Status, Syncer, SyncWorker, enrol
from sync.http import HubClient
from sync.photos import Uploader
from tests.factories import gathering, photo
from tests.faultproxy import CUT_BODY, FaultProxy, Plan
from tests.hubs import Field, Hub, hub_client
from tests.photofiles import Source, declare, jpeg, sha, with_gps


def held(hub: Hub, digest: str) -> bytes:
    with hub.engine.connect() as conn:
        return b"".join(pieces(conn, digest))


def counts(hub: Hub) -> tuple[int, int, int]:
    return hub.count("photo_blobs"), hub.count("photo_chunks"), hub.count("photo_claims")


def test_photos_cut_mid_chunk_many_times_arrive_byte_for_byte(field: Field, hub: Hub) -> None:
    photos = [jpeg(1400, 1000, seed=20 + i, quality=90) for i in range(3)]
    for data in photos:
        declare(field, hub, data)
    port = int(hub.url.rsplit(":", 1)[1])
    plan = Plan(fault_rate=0.5, faults=(CUT_BODY, CUT_BODY, CUT_BODY, "drop_after", "reset",
                                        "s503"), seed=3)
    with FaultProxy(port, plan) as proxy, HubClient(proxy.url, field.token, timeout=10) as client:
        up = Uploader(client.http, chunk=300_000, attempts=40, sleep=lambda s: None)
        for data in photos:
            up.send(Source(data))
    assert plan.counts[CUT_BODY] >= 10 and plan.cut_bytes > 0, plan.counts
    for data in photos:
        assert sha(held(hub, sha(data))) == sha(data)
    before = counts(hub)
    again = Uploader(hub_client(hub.url, field.token).http)
    for data in photos:
        again.send(Source(data))
    assert again.requests == len(photos) and counts(hub) == before  # a POST each: no bytes


class PhotoTablet(Store):
    """The store with photos to send, in memory (the real store seals them in files)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.kept: dict[str, Source] = {}
        self.sent: list[str] = []
        self.hold_until_office = False
        self.asked: list[bool] = []

    def keep(self, data: bytes, **changes: Any) -> Any:
        g = dataclasses.replace(gathering(), device_id=self.device_id)
        p = dataclasses.replace(photo(sha256=sha(data), size=len(data), width=320, height=240,
                                      record_id=g.id, **changes), device_id=self.device_id)
        self.save(g)
        self.save(p)
        self.kept[p.sha256] = Source(data, photo_id=p.id)
        return p

    def photos_to_send(self, limit: int = 50, *, at_office: bool = False
                       ) -> Sequence[Source]:
        self.asked.append(at_office)
        if self.hold_until_office and not at_office:
            return []
        pending = {d["id"] for d in self.pending()}
        return [s for s in self.kept.values() if s.sha256 not in self.sent
                and s.photo_id not in pending][:limit]

    def photo_sent(self, sha256: str) -> None:
        self.sent.append(sha256)


def tablet(tmp_path: Path, hub: Hub) -> PhotoTablet:
    store = PhotoTablet(tmp_path / "photo-tablet")
    enrol(store, hub.url, hub.code(), "tablet")
    return store


def test_a_sync_pass_sends_the_photos_after_their_records(tmp_path: Path, hub: Hub) -> None:
    store = tablet(tmp_path, hub)
    good = [jpeg(320, 240, seed=30 + i) for i in range(3)]
    for data in good:
        store.keep(data)
    store.keep(with_gps())  # the hub refuses it: the others go all the same
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    seen: list[tuple[int, int]] = []
    refused: set[str] = set()
    syncer = Syncer(store, hub_client(hub.url, token), on_photos=lambda s, t: seen.append((s, t)),
                    refused_photos=refused)
    report = syncer.sync_once()
    assert report.photos_sent == 3 and report.photos_refused == 1
    assert sorted(store.sent) == sorted(sha(d) for d in good)
    assert refused == {sha(with_gps())}
    for data in good:
        assert held(hub, sha(data)) == data
    assert seen[-1] == (3, 4) and seen[0] == (0, 4)
    # the next pass sends nothing again, and does not try the refused photo again
    asked = len(store.asked)
    again = syncer.sync_once()
    assert again.photos_sent == again.photos_refused == 0 and len(store.asked) > asked
    store.close()


def test_photos_held_until_the_office_go_on_an_office_pass(tmp_path: Path, hub: Hub) -> None:
    store = tablet(tmp_path, hub)
    store.hold_until_office = True
    data = jpeg(320, 240, seed=40)
    store.keep(data)
    seen: list[Status] = []
    worker = SyncWorker(store, interval=600, on_status=seen.append)

    def until(done: Any) -> None:
        deadline = time.monotonic() + 60
        while not (seen and seen[-1].state == "idle" and done()):
            assert time.monotonic() < deadline, seen[-3:]
            time.sleep(0.02)

    worker.start()
    try:
        until(lambda: store.pending_count() == 0 and store.asked)
        assert store.sent == [] and True not in store.asked  # held: a plain pass keeps it
        worker.notify(at_office=True)
        until(lambda: store.sent == [sha(data)])
        office = store.asked.count(True)  # asked until nothing is left: twice here
        assert office >= 1
        assert ("idle", 1, 1) in [(s.state, s.photos_sent, s.photos_total) for s in seen]
        assert held(hub, sha(data)) == data
        asked = len(store.asked)
        worker.notify()  # the office pass was that one only
        until(lambda: len(store.asked) > asked)
        assert store.asked[-1] is False and store.asked.count(True) == office
        assert (seen[-1].photos_sent, seen[-1].photos_total) == (0, 0)
    finally:
        worker.stop()
        store.close()
