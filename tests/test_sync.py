"""Push, pull and enrolment against the real hub on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from core.reference_data import sample_places
from field_app.store import Store
from hub import devices
from hub.concerns import set_office_part
from sync.client import HUB_META, Syncer, enrol
from sync.errors import RefusedError, RevokedError
from sync.http import HubClient
from sync.protocol import ACCEPTED, CONFLICT, DUPLICATE, MAX_BATCH_RECORDS, REJECTED, STALE
from tests.factories import IBASHO, concern, gathering, visit_note
from tests.hubs import Hub, hub_client


def enrolled(tmp_path: Path, hub: Hub, name: str = "a") -> Store:
    store = Store(tmp_path / name)
    enrol(store, hub.url, hub.code(f"職員{name}"), f"tablet-{name}")
    return store


def own(store: Store, record):  # type: ignore[no-untyped-def]
    """The factories' records, as authored by this store's device."""
    return dataclasses.replace(record, device_id=store.device_id)


def syncer(store: Store) -> Syncer:
    hub = store.meta(HUB_META)
    assert hub is not None
    return Syncer(store, hub_client(hub["url"], hub["token"]))


def test_enrol_push_and_pull_places(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    records = [own(store, gathering()), own(store, concern()), own(store, visit_note())]
    for r in records:
        store.save(r)
    progress: list[tuple[int, int]] = []
    s = syncer(store)
    s.on_progress = lambda sent, total: progress.append((sent, total))
    report = s.sync_once()
    assert (report.sent, report.accepted) == (3, 3)
    assert store.pending_count() == 0
    assert hub.count("records") == 3
    assert store.count("place") == len(sample_places()) == report.pulled
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    again = s.sync_once()  # nothing new: no records, no changes
    assert (again.sent, again.pulled) == (0, 0)
    store.close()


def test_every_result_kind_and_neighbours_survive(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    hub_meta = store.meta(HUB_META)
    assert hub_meta is not None
    client = hub_client(hub.url, hub_meta["token"])
    g = own(store, gathering())
    g2 = g.edited(note="二回目")
    bad = own(store, gathering()).to_dict() | {"attendance": {"senior": -3}}
    first = client.push([g2.to_dict()], "k1")
    assert [r.status for r in first] == [ACCEPTED]
    batch = [g2.to_dict(), g.to_dict(), g2.to_dict() | {"note": "別の内容"}, bad,
             own(store, visit_note()).to_dict()]
    results = client.push(batch, "k2")
    assert [r.status for r in results] == [DUPLICATE, STALE, CONFLICT, REJECTED, ACCEPTED]
    assert results[1].hub_rev == 2 and results[2].hub_rev == 2
    assert results[3].problems[0]["field"] == "attendance.senior"
    assert hub.count("records") == 2 and hub.count("conflicts") == 1  # both bodies kept
    # the same batch again under the same key: the very same answer, nothing written
    assert [r.status for r in client.push(batch, "k2")] == [r.status for r in results]
    assert hub.count("conflicts") == 1
    # under a new key: replays are still no-ops
    replay = client.push([g2.to_dict()], "k3")
    assert [r.status for r in replay] == [DUPLICATE]
    client.close()
    store.close()


def test_stale_and_conflict_are_rebased_by_the_device(tmp_path: Path, hub: Hub) -> None:
    """The device is the only writer of its records: its latest content wins."""
    store = enrolled(tmp_path, hub)
    g = own(store, gathering())
    store.save(g)
    syncer(store).sync_once()
    # as if the device was restored from an old copy: the hub has rev 1, another body at rev 1
    other = Store(tmp_path / "restored")
    other.set_meta(HUB_META, store.meta(HUB_META))
    other._storage.apply([("meta", "device", {"id": store.device_id})])
    changed = g.edited(note="復元後の入力")
    other.save(dataclasses.replace(changed, rev=1))
    report = syncer(other).sync_once()
    assert report.rebased == 1 and other.pending_count() == 0
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        rev, body = conn.execute(text("SELECT rev, body FROM records WHERE id = :i"),
                                 {"i": g.id}).one()
    assert rev == 2 and "復元後の入力" in body
    store.close()
    other.close()


def test_rejected_records_are_quarantined_and_resent_after_a_fix(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    good = own(store, gathering())
    unknown_place = own(store, concern(place_id="")).edited(place_id="00000000-0000-4000-8000-000000000001")
    store.save(good)
    store.save(unknown_place)
    report = syncer(store).sync_once()
    assert (report.accepted, report.quarantined) == (1, 1)
    [q] = store.quarantined()
    assert q.id == unknown_place.id and q.reasons[0]["field"] == "place_id"
    assert "登録済みの場所" in q.reasons[0]["expected_ja"]
    fixed = store.load("concern", unknown_place.id).edited(place_id=IBASHO.id)  # type: ignore[union-attr]
    store.save(fixed)
    assert syncer(store).sync_once().accepted == 1
    assert store.quarantined() == [] and hub.count("records") == 2
    store.close()


def test_office_part_comes_back_to_the_author_only(tmp_path: Path, hub: Hub) -> None:
    a, b = enrolled(tmp_path, hub, "a"), enrolled(tmp_path, hub, "b")
    c = own(a, concern(urgency="emergency", suggested_destination="emergency"))
    a.save(c)
    syncer(a).sync_once()
    syncer(b).sync_once()
    with hub.engine.begin() as conn:
        set_office_part(conn, c.id, {"status": "referred", "destination": "houkatsu",
                                     "referred_on": "2026-11-26", "method": "電話"}, "事務局 佐藤")
    report = syncer(a).sync_once()
    assert report.pulled == 1
    local = a.load("concern", c.id)
    assert local is not None and local.office is not None  # type: ignore[attr-defined]
    assert (local.office.status, local.office.destination) == ("referred", "houkatsu")  # type: ignore[attr-defined]
    assert a.pending_count() == 0  # the office part is not pushed back
    # B never hears of A's concern
    assert syncer(b).sync_once().pulled == 0
    hub_b = b.meta(HUB_META)
    assert hub_b is not None
    page = hub_client(hub.url, hub_b["token"]).pull(None)
    assert all(ch.kind == "place" for ch in page.changes)
    # an edit by A after the office's change: A's part is accepted, the office part untouched
    edited = a.load("concern", c.id).edited(observed="追記あり")  # type: ignore[union-attr]
    a.save(edited)
    assert syncer(a).sync_once().accepted == 1
    a.close()
    b.close()


def test_the_worker_says_what_each_pass_pulled(tmp_path: Path, hub: Hub) -> None:
    """The app repaints open screens when a pass brought changes (an office referral shows
    up on the follow-ups without leaving them), and not when it brought nothing."""
    import time

    from sync.client import Status, SyncWorker

    store = enrolled(tmp_path, hub)
    c = own(store, concern())
    store.save(c)
    seen: list[Status] = []
    worker = SyncWorker(store, interval=60, on_status=seen.append)

    def passes(since: int) -> list[int]:
        """What each pass that finished after seen[since] pulled."""
        return [s.pulled for s in seen[since:] if s.state == "idle"]

    def next_pass() -> Status:
        """The first pass that starts after this call, once it has finished."""
        start, deadline = len(seen), time.monotonic() + 30
        worker.notify()
        while time.monotonic() < deadline:
            states = [s.state for s in seen[start:]]
            if "syncing" in states and "idle" in states[states.index("syncing"):]:
                return seen[start + states.index("idle", states.index("syncing"))]
            time.sleep(0.02)
        raise AssertionError(f"no sync pass finished within 30 s: {seen[start:]}")

    worker.start()
    try:
        # the first pass (the worker starts with one) brings the places
        assert next_pass().pending == 0 and sum(passes(0)) > 0
        assert next_pass().pulled == 0
        # a pass may be under way while the office writes: whichever pass brings the change
        # says so, once, and the others say nothing came
        mark = len(seen)
        with hub.engine.begin() as conn:
            set_office_part(conn, c.id, {"status": "triaged"}, "事務局 佐藤")
        deadline = time.monotonic() + 30
        while sum(passes(mark)) == 0 and time.monotonic() < deadline:
            next_pass()
        assert sorted(passes(mark))[-1:] == [1] and sum(passes(mark)) == 1, passes(mark)
        assert next_pass().pulled == 0
    finally:
        worker.stop()
        store.close()


def test_devices_cannot_push_or_claim_other_devices_records(tmp_path: Path, hub: Hub) -> None:
    a, b = enrolled(tmp_path, hub, "a"), enrolled(tmp_path, hub, "b")
    g = own(a, gathering())
    a.save(g)
    syncer(a).sync_once()
    hub_b = b.meta(HUB_META)
    assert hub_b is not None
    client_b = hub_client(hub.url, hub_b["token"])
    forged = [g.to_dict(), g.edited(note="乗っ取り").to_dict(),
              dataclasses.replace(g.edited(), device_id=b.device_id).to_dict()]
    results = client_b.push(forged, "forge")
    assert [r.status for r in results] == [REJECTED, REJECTED, REJECTED]
    assert results[0].problems[0]["field"] == "device_id"
    assert results[2].problems[0]["field"] == "id"
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        body = conn.execute(text("SELECT body FROM records WHERE id = :i"), {"i": g.id}).scalar()
    assert "乗っ取り" not in body
    a.close()
    b.close()


def test_revocation_takes_effect_on_the_next_request_and_keeps_data(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    store.save(own(store, gathering()))
    with hub.engine.begin() as conn:
        assert devices.revoke(conn, store.device_id)
    with pytest.raises(RevokedError) as info:
        syncer(store).sync_once()
    assert "登録解除" in info.value.message_ja
    assert store.pending_count() == 1  # nothing deleted
    # re-enrolment with a new code: pending work goes through
    enrol(store, hub.url, hub.code("職員a"), "tablet-a")  # the same staff member
    assert syncer(store).sync_once().accepted == 1
    store.close()


def test_enrolment_codes_work_once_and_expire(tmp_path: Path, hub: Hub) -> None:
    code = hub.code()
    with HubClient(hub.url) as client:
        client.enrol(code, "device-00000001", "t1")
        with pytest.raises(RefusedError) as used:
            client.enrol(code, "device-00000002", "t2")
        assert used.value.status == 410 and "すでに使われています" in used.value.message_ja
        with pytest.raises(RevokedError):  # 401: unknown code
            client.enrol("AAAA-BBBB-CCCC", "device-00000003", "t3")
        with hub.engine.begin() as conn:
            from sqlalchemy import text

            expired, _ = devices.create_code(conn, "x", 1)
            conn.execute(text("UPDATE enrolment_codes SET expires_at = :t WHERE used_at IS NULL"),
                         {"t": "2000-01-01 00:00:00+00:00"})
        with pytest.raises(RefusedError) as old:
            client.enrol(expired, "device-00000004", "t4")
        assert "有効期限" in old.value.message_ja
        # an active device id cannot be taken over with a fresh code
        with pytest.raises(RefusedError) as taken:
            client.enrol(hub.code(), "device-00000001", "evil")
        assert taken.value.status == 409
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM devices"))]
    assert all(len(h) == 64 for h in stored)  # only hashes are kept


def test_unsent_records_survive_re_enrolment(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    store.save(own(store, gathering()))
    with hub.engine.begin() as conn:
        devices.revoke(conn, store.device_id)
    enrol(store, hub.url, hub.code("職員a"), "tablet-a")  # the same staff member
    assert store.pending_count() == 1
    store.close()


def test_bad_requests_get_clear_4xx(hub: Hub) -> None:
    code = hub.code()
    with httpx.Client(base_url=hub.url) as http:
        token = http.post("/api/v1/enrol", json={"code": code, "device_id": "dev-bad-0001"}
                          ).json()["token"]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        cases = {
            "malformed json": (b'{"records": [', auth, 400),
            "invalid utf-8": (b'{"records": ["\xff\xfe"]}', auth, 400),
            "not an object": (b"[1,2,3]", auth, 400),
            "records not a list": (b'{"records": {"a": 1}}', auth, 400),
            "unknown field": (b'{"records": [], "x": 1}', auth, 400),
            "wrong content type": (b"{}", {**auth, "Content-Type": "text/plain"}, 415),
            "no token": (b'{"records": []}', {"Content-Type": "application/json"}, 401),
            "bad token": (b'{"records": []}', {**auth, "Authorization": "Bearer nope"}, 401),
        }
        for name, (body, headers, status) in cases.items():
            r = http.post("/api/v1/sync/push", content=body, headers=headers)
            assert r.status_code == status, (name, r.text)
            assert r.json()["error"]["message"], name
        r = http.post("/api/v1/sync/push", json={"records": [{"kind": "place"}, 42,
                                                             {"kind": "'; DROP TABLE records;--"}]},
                      headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert [x["status"] for x in r.json()["results"]] == [REJECTED] * 3
        r = http.get("/api/v1/sync/pull", params={"cursor": "'; DROP TABLE changes;--"},
                     headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 400 and "cursor" in r.json()["error"]["message"]
    assert hub.count("records") == 0 and hub.count("changes") == len(sample_places())


def test_oversize_and_gzip_bombs_get_413(hub: Hub) -> None:
    import gzip

    code = hub.code()
    with httpx.Client(base_url=hub.url, timeout=60) as http:
        token = http.post("/api/v1/enrol", json={"code": code, "device_id": "dev-big-0001"}
                          ).json()["token"]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        huge = b'{"records": ["' + b"a" * (9 << 20) + b'"]}'
        r = http.post("/api/v1/sync/push", content=huge, headers=auth)
        assert r.status_code == 413 and "MiB" in r.json()["error"]["message"]
        bomb = gzip.compress(b'{"records": ["' + b"0" * (200 << 20) + b'"]}', 9)
        assert len(bomb) < 1 << 20
        r = http.post("/api/v1/sync/push", content=bomb,
                      headers={**auth, "Content-Encoding": "gzip"})
        assert r.status_code == 413
        r = http.post("/api/v1/sync/push", content=b"\x1f\x8bnot gzip",
                      headers={**auth, "Content-Encoding": "gzip"})
        assert r.status_code == 400 and "gzip" in r.json()["error"]["message"]
        many = {"records": [{"id": str(i)} for i in range(MAX_BATCH_RECORDS + 1)]}
        r = http.post("/api/v1/sync/push", json=many, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 413 and str(MAX_BATCH_RECORDS) in r.json()["error"]["message"]
    assert hub.count("records") == 0


def test_the_client_splits_a_batch_the_hub_finds_too_large(tmp_path: Path, hub: Hub) -> None:
    store = enrolled(tmp_path, hub)
    records = [own(store, gathering(note="長" * 20_000)) for _ in range(600)]
    for r in records:
        store.save(r)
    s = syncer(store)
    s.batch_size = MAX_BATCH_RECORDS  # 500 x 20,000 characters is over the hub's 8 MiB
    report = s.sync_once()
    assert report.accepted == 600 and store.pending_count() == 0
    assert hub.count("records") == 600
    store.close()
