"""Fuzz the hub's API from its own OpenAPI schema (schemathesis), on SQLite and PostgreSQL:
whatever comes in, the answer is never a 5xx and an error always says what is wrong. And
records mutated at random (hypothesis) are stored exactly when the hub says it accepted
them, as they were sent, and never when it refused them."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from core.domain.kinds import parse_record
from hub import accounts
from hub.reference import reference
from sync.protocol import ACCEPTED, REJECTED, TUS_CHUNK
from tests.factories import concern_data, gathering_data, visit_note_data
from tests.hubs import Hub, database_url, prepared_engine, serve_in_thread


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Hub, str, str]]:
    with database_url(request.param, tmp_path_factory.mktemp("fuzz")) as url:
        engine = prepared_engine(url)
        with engine.begin() as conn:
            accounts.add_user(conn, "fuzzer", "a long enough password", "admin,supervisor,grants",
                              "test")  # every operation: the role checks are test_roles's
        with serve_in_thread(engine, url) as hub:
            token = httpx.post(hub.url + "/api/v1/enrol", json={
                "code": hub.code(), "device_id": DEVICE_ID}).json()["token"]
            office = httpx.post(hub.url + "/api/v1/office/login", json={
                "username": "fuzzer", "password": "a long enough password"}).json()["token"]
            yield hub, token, office
        engine.dispose()


@schemathesis.serializer(TUS_CHUNK)
def _tus_chunk(ctx: Any, value: Any) -> bytes:
    """A photo's bytes as tus sends them (a PATCH's body): whatever was drawn, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


# every operation fuzzed as three callers: the time grows with the API (5 minutes was short
# on a shared 2-core machine once photos came)
@pytest.mark.timeout(600)
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
    checked: set[str] = set()

    def fuzz(operation, as_whom: list[dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
        # an operation that declares its answers (`responses=`: any status beside 200) is
        # held to them: no undocumented status, every body of its declared schema and type.
        # Operations not yet typed document only 200 and are checked for 5xx alone; as each
        # router declares its answers, it is checked here too, with no change to this test.
        typed = set(operation.definition.raw.get("responses", {})) - {"200"}
        if typed:
            checked.add(f"{operation.method.upper()} {operation.path}")

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
                if response.status_code >= 400 and case.method.upper() != "HEAD":  # bodiless
                    error = response.json()["error"]
                    assert error["message"] and error["message_ja"] and error["code"]
                if typed:
                    case.validate_response(response, checks=CONFORMANCE)

        run()

    for operation in operations:
        # as a device, as nobody, and as an office session (not on logout: it would end it)
        as_whom = [{"Authorization": f"Bearer {token}"}, {}]
        if operation.path != "/api/v1/office/logout":
            as_whom.append({"Authorization": f"Bearer {office}"})
        fuzz(operation, as_whom)
    assert len(seen) > 200 and any(400 <= s < 500 for s in seen)
    # the typed ones at least (the device API, sessions, the audit log, redactions, devices)
    assert {"GET /api/v1/ping", "POST /api/v1/enrol", "POST /api/v1/sync/push",
            "GET /api/v1/sync/pull", "POST /api/v1/office/login", "POST /api/v1/office/logout",
            "GET /api/v1/office/me", "GET /api/v1/office/audit", "POST /api/v1/office/redactions",
            "GET /api/v1/office/devices"} <= checked, checked
    # the office session got past sign-in: the fuzz reached the office endpoints' own checks
    assert {"/api/v1/office/concerns", "/api/v1/office/places", "/api/v1/office/devices",
            "/api/v1/office/reference"} <= answered_office, answered_office


CONFORMANCE = [status_code_conformance, response_schema_conformance, content_type_conformance]
DEVICE_ID = "fuzz-device-0001"
FIELDS = {"gathering": tuple(gathering_data()), "concern": tuple(concern_data()),
          "visit_note": tuple(visit_note_data())}
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.text(min_size=5000, max_size=6000),
    st.sampled_from(["", " ", "\x00", "a\x00b", "😀" * 50, "𠮷野家", "2026-02-30", "25:00",
                     "isolation", "emergency", "houkatsu", "'; DROP TABLE records; --"]),
    st.lists(st.text(max_size=10), max_size=4),
    st.dictionaries(st.text(max_size=10), st.integers(), max_size=4))


@st.composite
def pushed_record(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """A valid record of this device, with up to two fields made hostile (or none)."""
    kind = draw(st.sampled_from(sorted(FIELDS)))
    make = {"gathering": gathering_data, "concern": concern_data,
            "visit_note": visit_note_data}[kind]
    data = make(device_id=DEVICE_ID)
    changed = None
    for _ in range(draw(st.integers(0, 2))):
        changed = draw(st.sampled_from(FIELDS[kind]))
        if draw(st.booleans()) and changed not in ("id", "kind", "device_id", "rev"):
            data.pop(changed, None)
        else:
            data[changed] = draw(HOSTILE)
    return data, changed


def test_pushed_records_are_stored_exactly_when_the_hub_accepts_them(
        fuzz_hub: tuple[Hub, str, str]) -> None:
    hub, token, _ = fuzz_hub
    seen: Counter[str] = Counter()

    @given(batch=st.lists(pushed_record(), min_size=1, max_size=6))
    @settings(max_examples=50, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(batch: list[tuple[dict[str, Any], str | None]]) -> None:
        records = [data for data, _ in batch]
        r = httpx.post(hub.url + "/api/v1/sync/push", json={"records": records}, timeout=60,
                       headers={"Authorization": f"Bearer {token}",
                                "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert len(results) == len(records)
        with hub.engine.connect() as conn:
            for sent, result in zip(records, results, strict=True):
                seen[result["status"]] += 1
                rid = sent.get("id") if isinstance(sent.get("id"), str) else ""
                row = conn.execute(text("SELECT rev, body FROM records WHERE id = :i"),
                                   {"i": rid[:36]}).first() if rid and "\x00" not in rid else None
                if result["status"] == ACCEPTED:
                    assert row is not None and row.rev == sent["rev"]
                    stored = json.loads(row.body)
                    ref = reference(conn)
                    parse_record(stored, ref, from_device=True)  # valid as stored
                    # and what was sent, in its one canonical form
                    assert stored == parse_record(sent, ref, from_device=True).to_dict()
                else:
                    assert result["status"] == REJECTED, result
                    assert row is None  # refused: nothing of it stored
                    assert result["problems"] and all(p["field"] and p["expected_ja"]
                                                      for p in result["problems"])

    run()
    # the run proved something both ways: some records went in, some were refused
    assert seen[ACCEPTED] > 10 and seen[REJECTED] > 10, seen
