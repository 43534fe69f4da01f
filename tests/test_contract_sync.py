"""The device API's two descriptions hold one wire format: the tablet's (sync.protocol and
sync/http.py, pure Python, what the APK carries) and the hub's models (hub.contract.sync,
which /openapi.json is made of). The hub's real answers, on SQLite and PostgreSQL, fit the
models and are read by the tablet's own client code; every field the tablet reads is in a
model; and what the protocol says of statuses and cursors is what the models say."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from typing import Any

import httpx
import pytest

from hub.contract import sync as contract
from hub.contract.errors import ErrorBody
from sync import protocol
from sync.errors import RefusedError, RevokedError
from sync.http import HubClient
from sync.protocol import (
    ENROL_PATH,
    PING_PATH,
    PULL_PATH,
    PUSH_PATH,
    PullPage,
    RecordResult,
    decode_cursor,
    encode_cursor,
)
from tests.factories import DEVICE, concern_data, gathering_data
from tests.hubs import Hub


def fields(model: type[Any]) -> set[str]:
    return set(model.model_fields)


def test_statuses_and_limits_are_the_protocols() -> None:
    assert typing.get_args(contract.Status) == protocol.STATUSES
    assert contract.MAX_BATCH_RECORDS == protocol.MAX_BATCH_RECORDS
    schema = contract.PushBatch.model_json_schema()
    assert schema["properties"]["records"]["maxItems"] == protocol.MAX_BATCH_RECORDS


def test_every_field_the_tablet_reads_is_in_the_models() -> None:
    result = {f.name for f in dataclasses.fields(RecordResult)}
    assert result == fields(contract.PushResult)
    page = {f.name for f in dataclasses.fields(PullPage)}
    assert page == fields(contract.PullAnswer)
    assert {f.name for f in dataclasses.fields(protocol.Change)} == fields(contract.Change)
    assert {f.name for f in dataclasses.fields(protocol.Enrolment)} == fields(contract.Enrolment)
    assert fields(contract.EnrolRequest) == {"code", "device_id", "device_name"}
    # what HubClient.enrol sends is what the model describes
    assert set(contract.EnrolRequest.model_validate(
        {"code": "ABCD-EFGH", "device_id": DEVICE, "device_name": "tab"}).model_dump()) \
        == {"code", "device_id", "device_name"}


@pytest.mark.parametrize("status", protocol.STATUSES)
def test_a_result_of_each_status_reads_both_ways(status: str) -> None:
    problems = ({"field": "date", "value": "'x'", "expected_en": "a date",
                 "expected_ja": "日付"},) if status == protocol.REJECTED else ()
    hub_rev = 3 if status in (protocol.DUPLICATE, protocol.STALE, protocol.CONFLICT) else None
    sent = RecordResult(str(uuid.uuid4()), 2, status, hub_rev, problems)
    wire = sent.to_json()
    model = contract.PushResult.model_validate(wire)
    # the model written as the hub writes it (nothing absent sent as null) is read back
    assert model.model_dump(mode="json", exclude_defaults=True) == wire
    assert RecordResult.from_json(model.model_dump(mode="json", exclude_defaults=True)) == sent


def test_cursors_fit_the_pulls_query_limit() -> None:
    history = uuid.uuid4().hex  # hub/history.py names a history so
    longest = encode_cursor(10 ** 18 - 1, history)
    assert len(longest) <= 100  # PULL's `cursor` query: max_length=100
    assert decode_cursor(longest) == (history, 10 ** 18 - 1)


def check_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    ErrorBody.model_validate(response.json())


def test_the_hubs_answers_fit_the_models_and_the_tablet_reads_them(hub: Hub) -> None:
    with httpx.Client(base_url=hub.url, timeout=60) as http:
        # ping without a token: just the hub
        answer = http.get(PING_PATH)
        ping = contract.Ping.model_validate(answer.json())
        assert set(answer.json()) == {"ok", "protocol"} and ping.protocol == protocol.PROTOCOL_VERSION
        check_error(http.get(PING_PATH, headers={"Authorization": "Bearer nope"}), 401)

        # enrolment: the raw answer fits the model; the tablet's client enrols the same way
        raw = http.post(ENROL_PATH, json={"code": hub.code(), "device_id": DEVICE,
                                          "device_name": "tab"})
        enrolled = contract.Enrolment.model_validate(raw.json())
        assert set(raw.json()) == fields(contract.Enrolment)
        check_error(http.post(ENROL_PATH, json={"code": "", "device_id": "x"}), 400)
        with HubClient(hub.url) as tablet:
            with pytest.raises(RefusedError) as used:
                tablet.enrol(hub.code("別の 職員"), DEVICE, "tab")  # another staff member's
            assert used.value.status == 409
        auth = {"Authorization": f"Bearer {enrolled.token}"}
        answer = http.get(PING_PATH, headers=auth)
        assert contract.Ping.model_validate(answer.json()).device_id == DEVICE
        assert set(answer.json()) == fields(contract.Ping)

        # a push answering every status
        first, changed = gathering_data(), concern_data()
        later = dict(changed, rev=2)
        bad = gathering_data(date="2026-02-30")
        http.post(PUSH_PATH, json={"records": [first, changed, later]},
                  headers={**auth, "Idempotency-Key": "setup"}).raise_for_status()
        batch = [first, dict(first, note="ほかの内容"), changed, bad,
                 gathering_data()]
        raw = http.post(PUSH_PATH, json={"records": batch},
                        headers={**auth, "Idempotency-Key": "every-status"})
        assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
        answer_model = contract.PushAnswer.model_validate(raw.json())
        read = [RecordResult.from_json(r) for r in raw.json()["results"]]
        assert [r.status for r in read] == [protocol.DUPLICATE, protocol.CONFLICT,
                                            protocol.STALE, protocol.REJECTED,
                                            protocol.ACCEPTED]
        assert [m.status for m in answer_model.results] == [r.status for r in read]
        # what the model holds, written as the hub writes it, is the answer itself
        assert [m.model_dump(mode="json", exclude_defaults=True)
                for m in answer_model.results] == raw.json()["results"]
        with HubClient(hub.url, enrolled.token) as tablet:
            again = tablet.push(batch, "every-status")  # the same key: the same answer
            assert again == read
        check_error(http.post(PUSH_PATH, json={"records": [], "more": 1}, headers=auth), 400)
        check_error(http.post(PUSH_PATH, json={"records": []}), 401)
        check_error(http.post(PUSH_PATH, content=b"{}", headers=auth), 415)

        # a pull: the sample places, the reference; in pages the tablet reads
        raw = http.get(PULL_PATH, headers=auth)
        pulled = contract.PullAnswer.model_validate(raw.json())
        assert list(raw.json()) == list(contract.PullAnswer.model_fields)  # in the model's order
        page = PullPage.from_json(raw.json())
        assert pulled.changes and [(c.kind, c.id, c.body) for c in pulled.changes] == \
            [(c.kind, c.id, c.body) for c in page.changes]
        assert decode_cursor(pulled.cursor)[0] == pulled.history == page.history
        assert page.settings == pulled.settings.model_dump()
        with HubClient(hub.url, enrolled.token) as tablet:
            assert tablet.pull(None).changes == page.changes
            assert tablet.pull(page.cursor).cursor == page.cursor  # nothing new since
        check_error(http.get(PULL_PATH, params={"cursor": "not-ours"}, headers=auth), 400)

    # a revoked device is told so: 401, which the tablet reads as revoked
    with hub.engine.begin() as conn:
        from hub import devices

        devices.revoke(conn, DEVICE)
    with HubClient(hub.url, enrolled.token) as tablet, pytest.raises(RevokedError):
        tablet.pull(None)


def test_the_document_describes_the_device_operations(hub: Hub) -> None:
    document = httpx.get(hub.url + "/openapi.json", timeout=30).json()
    paths = document["paths"]
    declared = {path: {m: set(op["responses"]) for m, op in ops.items()}
                for path, ops in paths.items() if path in
                (PING_PATH, ENROL_PATH, PUSH_PATH, PULL_PATH)}
    assert declared == {
        PING_PATH: {"get": {"200", "400", "401", "503", "507"}},
        ENROL_PATH: {"post": {"200", "400", "401", "409", "410", "413", "415", "429", "503",
                              "507"}},
        PUSH_PATH: {"post": {"200", "400", "401", "413", "415", "503", "507"}},
        PULL_PATH: {"get": {"200", "400", "401", "503", "507"}},
    }
    ok = paths[PUSH_PATH]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/PushAnswer"}
    schemas = document["components"]["schemas"]
    assert schemas["PushResult"]["properties"]["status"]["enum"] == list(protocol.STATUSES)
    body = paths[PUSH_PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PushBatch"}
    assert set(schemas["Record"]["required"]) == {"id", "kind", "rev", "device_id"}
    assert schemas["Record"]["additionalProperties"] is True
    headers = {p["name"] for p in paths[PUSH_PATH]["post"]["parameters"]}
    assert headers == {"authorization", "idempotency-key"}
