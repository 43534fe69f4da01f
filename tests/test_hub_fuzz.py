"""Fuzz the hub's API from its own OpenAPI schema (schemathesis): whatever comes in, the
answer is never a 5xx, an error always says what is wrong, and nothing invalid is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from field_app.domain.concern import parse_office_part
from field_app.domain.kinds import parse_record
from field_app.domain.place import parse_place
from sync.hub import accounts
from sync.hub.reference import reference
from tests.hubs import Hub, prepared_engine, serve_in_thread


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hub.sqlite3'}"
    engine = prepared_engine(url)
    with engine.begin() as conn:
        accounts.add_user(conn, "fuzzer", "a long enough password", "admin", "test")
    with serve_in_thread(engine, url) as hub:
        token = httpx.post(hub.url + "/api/v1/enrol",
                           json={"code": hub.code(), "device_id": "fuzz-device-0001"}).json()["token"]
        office = httpx.post(hub.url + "/api/v1/office/login", json={
            "username": "fuzzer", "password": "a long enough password"}).json()["token"]
        yield hub, token, office
    engine.dispose()


def test_no_input_makes_the_hub_fail(fuzz_hub: tuple[Hub, str, str]) -> None:
    hub, token, office = fuzz_hub
    api = schemathesis.openapi.from_url(hub.url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/sync/push", "/api/v1/sync/pull",
                                               "/api/v1/enrol", "/api/v1/ping"}
    assert {"/api/v1/office/concerns", "/api/v1/office/places", "/api/v1/office/reports",
            "/api/v1/office/compliance"} <= {op.path for op in operations}
    seen: list[int] = []
    answered_office: set[str] = set()

    def fuzz(operation, as_whom: list[dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            for headers in as_whom:
                response = case.call(base_url=hub.url, headers=headers, timeout=30)
                seen.append(response.status_code)
                if headers.get("Authorization") == f"Bearer {office}" and response.status_code < 300:
                    answered_office.add(operation.path)
                assert response.status_code < 500, (case.path, response.text)
                if response.status_code >= 400:
                    error = response.json()["error"]
                    assert error["message"] and error["message_ja"] and error["code"]

        run()

    for operation in operations:
        # as a device, as nobody, and as an office session (not on logout: it would end it)
        as_whom = [{"Authorization": f"Bearer {token}"}, {}]
        if operation.path != "/api/v1/office/logout":
            as_whom.append({"Authorization": f"Bearer {office}"})
        fuzz(operation, as_whom)
    assert len(seen) > 200 and any(400 <= s < 500 for s in seen)
    # the office session got past sign-in: the fuzz reached the office endpoints' own checks
    assert {"/api/v1/office/concerns", "/api/v1/office/places", "/api/v1/office/devices",
            "/api/v1/office/reference"} <= answered_office, answered_office


def test_after_fuzzing_only_valid_records_are_stored(fuzz_hub: tuple[Hub, str, str]) -> None:
    hub, _, _ = fuzz_hub
    with hub.engine.connect() as conn:
        ref = reference(conn)
        for (body,) in conn.execute(text("SELECT body FROM records")):
            parse_record(json.loads(body), ref, from_device=True)
        for (body,) in conn.execute(text("SELECT body FROM places")):
            parse_place(json.loads(body), ref)
        for (body,) in conn.execute(text("SELECT body FROM office_parts")):
            parse_office_part(json.loads(body), ref)
