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

from field_app.domain.kinds import parse_record
from sync.hub.reference import reference
from tests.hubs import Hub, prepared_engine, serve_in_thread


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hub.sqlite3'}"
    engine = prepared_engine(url)
    with serve_in_thread(engine, url) as hub:
        token = httpx.post(hub.url + "/api/v1/enrol",
                           json={"code": hub.code(), "device_id": "fuzz-device-0001"}).json()["token"]
        yield hub, token
    engine.dispose()


def test_no_input_makes_the_hub_fail(fuzz_hub: tuple[Hub, str]) -> None:
    hub, token = fuzz_hub
    api = schemathesis.openapi.from_url(hub.url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/sync/push", "/api/v1/sync/pull",
                                               "/api/v1/enrol", "/api/v1/ping"}
    seen: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(base_url=hub.url, headers=headers, timeout=30)
                seen.append(response.status_code)
                assert response.status_code < 500, (case.path, response.text)
                if response.status_code >= 400:
                    error = response.json()["error"]
                    assert error["message"] and error["message_ja"] and error["code"]

        run()
    assert len(seen) > 200 and any(400 <= s < 500 for s in seen)


def test_after_fuzzing_only_valid_records_are_stored(fuzz_hub: tuple[Hub, str]) -> None:
    hub, _ = fuzz_hub
    with hub.engine.connect() as conn:
        ref = reference(conn)
        for (body,) in conn.execute(text("SELECT body FROM records")):
            parse_record(json.loads(body), ref, from_device=True)
