"""Check-then-act races (issue 24, part 3): the same office action, or enrolment, fired
N times at once against the real hub must leave what one of them would have left, and
every answer must be a success or a clear 4xx, never a 5xx. On SQLite (whose writer lock
already serialises) and PostgreSQL (whose writers run side by side); rows are counted in
the database afterwards."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sync.client import HUB_META, enrol
from tests.factories import IBASHO, SALON, concern_data, startup_data
from tests.hubs import Field, Hub, prepared_engine, serve_process
from tests.test_grants import APPLICATION, year_before
from tests.test_hub_office import login, with_user
from tests.test_provisions import REFER

N = 8


def at_once(n: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`call(i)` for i in 0..n-1 from n threads released together (bounded waits)."""
    gate = threading.Barrier(n, timeout=30)

    def one(i: int) -> httpx.Response:
        gate.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def statuses(answers: list[httpx.Response]) -> Counter[int]:
    for r in answers:  # a clear answer: success, or a 4xx that says what is wrong
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            error = r.json()["error"]
            assert error["message"] and error["message_ja"], r.text
    return Counter(r.status_code for r in answers)


def count(hub: Hub, sql: str, **params: Any) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def office_call(url: str, token: str) -> Callable[..., httpx.Response]:
    def call(method: str, path: str, body: Any) -> httpx.Response:
        return httpx.request(method, f"{url}/api/v1/office{path}", json=body, timeout=60,
                             headers={"Authorization": f"Bearer {token}"})
    return call


def session(url: str) -> str:
    with httpx.Client(base_url=url, timeout=30) as http:
        token: str = login(http).json()["token"]
    return token


def push(url: str, token: str, record: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{url}/api/v1/sync/push", json={"records": [record]}, timeout=30,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["results"][0]
    assert result["status"] == "accepted", result
    return result


def opened_startup(field: Field) -> dict[str, Any]:
    return startup_data(device_id=field.store.device_id, stage="opened", history=[
        {"stage": "consult", "on": "2026-06-01"}, {"stage": "prepare", "on": "2026-07-01"},
        {"stage": "opened", "on": "2026-09-01"}])


def places_of(hub: Hub, startup_id: str) -> int:
    with hub.engine.connect() as conn:
        bodies = conn.execute(text("SELECT body FROM places")).scalars()
        return sum(json.loads(b).get("startup_id") == startup_id for b in bodies)


# the office ---------------------------------------------------------------------------

def test_one_place_per_startup_however_many_open_it_at_once(
        hub: Hub, field: Field, office: httpx.Client) -> None:
    s = opened_startup(field)
    push(hub.url, field.token, s)
    call = office_call(hub.url, str(office.headers["Authorization"]).split()[1])
    answers = at_once(N, lambda i: call("POST", f"/startups/{s['id']}/place", {}))
    assert statuses(answers) == {200: 1, 409: N - 1}
    assert places_of(hub, s["id"]) == 1
    made = next(r for r in answers if r.status_code == 200).json()["place"]
    for refused in (r for r in answers if r.status_code == 409):
        assert made["name"] in refused.json()["error"]["message_ja"]  # names what exists
    board = office.get("/startups").json()["startups"]
    assert board[0]["place"] == {"id": made["id"], "name": made["name"]}


def test_a_grant_step_based_on_one_rev_is_recorded_once(hub: Hub, office: httpx.Client
                                                        ) -> None:
    call = office_call(hub.url, str(office.headers["Authorization"]).split()[1])
    step = {**year_before(APPLICATION), "based_on": 0}
    answers = at_once(N, lambda i: call("PUT", f"/grants/{IBASHO.id}/2025/application",
                                        {**step, "requested_yen": 10_000 + i}))
    assert statuses(answers) == {200: 1, 409: N - 1}
    assert count(hub, "SELECT rev FROM grants") == 1
    assert count(hub, "SELECT COUNT(*) FROM audit WHERE action = 'grant_step'") == 1
    # without based_on each is applied on top of the one before: N revisions, none lost
    answers = at_once(N, lambda i: call("PUT", f"/grants/{IBASHO.id}/2025/application",
                                        year_before(APPLICATION)))
    assert statuses(answers) == {200: N}
    assert count(hub, "SELECT rev FROM grants") == N + 1
    assert sorted(r.json()["rev"] for r in answers) == list(range(2, N + 2))


def test_a_referral_based_on_one_page_is_provided_once(
        hub: Hub, field: Field, office: httpx.Client) -> None:
    c = concern_data(device_id=field.store.device_id, consent="written")
    push(hub.url, field.token, c)
    call = office_call(hub.url, str(office.headers["Authorization"]).split()[1])
    answers = at_once(N, lambda i: call("PUT", f"/concerns/{c['id']}/office",
                                        {**REFER, "based_on": None}))
    assert statuses(answers) == {200: 1, 409: N - 1}
    assert count(hub, "SELECT COUNT(*) FROM provisions WHERE concern_id = :c", c=c["id"]) == 1
    assert count(hub, "SELECT COUNT(*) FROM office_parts") == 1


def test_members_and_assignments_stay_one_row(hub: Hub, office: httpx.Client) -> None:
    call = office_call(hub.url, str(office.headers["Authorization"]).split()[1])
    answers = at_once(N, lambda i: call("PUT", f"/places/{SALON.id}/members/2025",
                                        {"counts": {"75_plus": {"female": i + 1}}}))
    assert statuses(answers) == {200: N}
    assert count(hub, "SELECT COUNT(*) FROM members") == 1
    answers = at_once(N, lambda i: call("PUT", f"/assignments/職員{i % 2}",
                                        {"places": [IBASHO.id], "areas": ["midori"]}))
    assert statuses(answers) == {200: N}
    assert count(hub, "SELECT COUNT(*) FROM assignments") == 2


# enrolment ------------------------------------------------------------------------------

def enrol_raw(url: str, code: str, device_id: str) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/enrol", timeout=30,
                      json={"code": code, "device_id": device_id, "device_name": "tablet"})


def ping(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/ping", timeout=30,
                     headers={"Authorization": f"Bearer {token}"})


def test_one_code_enrols_one_device(hub: Hub) -> None:
    code = hub.code()
    answers = at_once(N, lambda i: enrol_raw(hub.url, code, f"tablet-{i:04d}"))
    assert statuses(answers) == {200: 1, 410: N - 1}
    assert count(hub, "SELECT COUNT(*) FROM devices") == 1
    assert count(hub, "SELECT COUNT(*) FROM enrolment_codes WHERE used_at IS NOT NULL") == 1


def test_a_device_id_is_enrolled_once_by_codes_used_at_once(hub: Hub) -> None:
    codes = [hub.code() for _ in range(N)]
    answers = at_once(N, lambda i: enrol_raw(hub.url, codes[i], "tablet-shared"))
    assert statuses(answers) == {200: 1, 409: N - 1}
    assert count(hub, "SELECT COUNT(*) FROM devices") == 1
    # the codes refused were not spent
    assert count(hub, "SELECT COUNT(*) FROM enrolment_codes WHERE used_at IS NOT NULL") == 1


def test_a_revoked_device_is_re_enrolled_once(hub: Hub, tmp_path: Path) -> None:
    from field_app.store import Store

    store = Store(tmp_path / "tablet")
    try:
        enrol(store, hub.url, hub.code(), "tablet")
        device_id = store.device_id
        first = store.meta(HUB_META)["token"]  # type: ignore[index]
    finally:
        store.close()
    with hub.engine.begin() as conn:
        from hub import devices

        assert devices.revoke(conn, device_id)
    codes = [hub.code() for _ in range(N)]
    answers = at_once(N, lambda i: enrol_raw(hub.url, codes[i], device_id))
    assert statuses(answers) == {200: 1, 409: N - 1}
    token = next(r for r in answers if r.status_code == 200).json()["token"]
    assert ping(hub.url, token).status_code == 200  # the token given out is the one that works
    assert ping(hub.url, str(first)).status_code == 401
    assert count(hub, "SELECT COUNT(*) FROM audit WHERE action = 'device_enrolled'") == 2


# two hub processes on one PostgreSQL ----------------------------------------------------

@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    from tests.hubs import database_url

    with database_url("postgresql", tmp_path) as url:
        yield url


def test_two_hub_processes_open_one_place(pg_url: str, tmp_path: Path) -> None:
    engine = prepared_engine(pg_url)
    hub = Hub("", engine, pg_url)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    try:
        with_user(hub)
        with serve_process(pg_url, tmp_path / "a") as a, serve_process(pg_url, tmp_path / "b") as b:
            from field_app.store import Store

            store = Store(tmp_path / "tablet")
            try:
                enrol(store, a, hub.code(), "tablet")
                field = Field(store, store.meta(HUB_META)["token"])  # type: ignore[index]
                s = opened_startup(field)
                push(a, field.token, s)
            finally:
                store.close()
            calls = [office_call(url, session(url)) for url in (a, b)]
            answers = at_once(N, lambda i: calls[i % 2]("POST", f"/startups/{s['id']}/place",
                                                        {}))
            assert statuses(answers) == {200: 1, 409: N - 1}
            assert places_of(hub, s["id"]) == 1
    finally:
        engine.dispose()


def test_the_migration_links_each_startup_to_its_first_place(hub_db: str) -> None:
    from alembic import command

    from hub.db.engine import connect
    from hub.db.migrate import _config, migrate

    engine = connect(hub_db)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0011")
    bodies = {"p1": {"name": "後", "startup_id": "s1", "created_at": "2026-09-02T00:00:00Z"},
              "p2": {"name": "先", "startup_id": "s1", "created_at": "2026-09-01T00:00:00Z"},
              "p3": {"name": "他", "startup_id": "s2", "created_at": "2026-09-01T00:00:00Z"},
              "p4": {"name": "なし", "startup_id": "", "created_at": "2026-09-01T00:00:00Z"}}
    with engine.begin() as conn:
        for pid, body in bodies.items():
            conn.execute(text("INSERT INTO places (id, rev, body, updated_at) VALUES "
                              "(:i, 1, :b, '2026-11-01 09:00:00+00:00')"),
                         {"i": pid, "b": json.dumps(body)})
    migrate(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT id, startup_id FROM places")).all())
    assert found == {"p1": None, "p2": "s1", "p3": "s2", "p4": None}
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(text("UPDATE places SET startup_id = 's1' WHERE id = 'p1'"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    migrate(engine)  # and up again
    engine.dispose()


def test_two_hub_processes_never_take_a_record_back_to_an_older_rev(
        pg_url: str, tmp_path: Path) -> None:
    engine = prepared_engine(pg_url)
    hub = Hub("", engine, pg_url)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    try:
        with serve_process(pg_url, tmp_path / "a") as a, serve_process(pg_url, tmp_path / "b") as b:
            from field_app.store import Store

            store = Store(tmp_path / "tablet")
            try:
                enrol(store, a, hub.code(), "tablet")
                token, device_id = str(store.meta(HUB_META)["token"]), store.device_id  # type: ignore[index]
            finally:
                store.close()
            c = concern_data(device_id=device_id)
            push(a, token, c)
            top = 1
            for _ in range(5):  # each round: N newer versions at once over both processes
                versions = [{**c, "rev": top + 1 + i, "observed": f"版{i}"} for i in range(N)]
                answers = at_once(N, lambda i, versions=versions: httpx.post(
                    f"{(a, b)[i % 2]}/api/v1/sync/push", timeout=60,
                    headers={"Authorization": f"Bearer {token}"},
                    json={"records": [versions[i]]}))
                assert statuses(answers) == {200: N}
                got = Counter(r.json()["results"][0]["status"] for r in answers)
                assert set(got) <= {"accepted", "stale"}, got
                top += N
                assert count(hub, "SELECT rev FROM records WHERE id = :i", i=c["id"]) == top
    finally:
        engine.dispose()
