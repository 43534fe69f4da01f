"""The typed contract of the concern and provision operations (issue 25): /openapi.json
documents each one's answer, body and every status it can answer; what the hub really
answers is exactly what the models describe (no field more, none less); and the disclosure
file is named for the day the hub was given. On SQLite and PostgreSQL (the `hub` fixture)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
from pydantic import BaseModel

from hub.contract.concerns import Concern, Inbox, Story, Written
from hub.contract.provisions import DisclosureSearch, ProvisionList
from hub.web.app import create_app
from tests.hubs import Field, Hub
from tests.test_hub_office import PASSWORD, with_user
from tests.test_office_api import push

OFFICE = "/api/v1/office"
REFER = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話", "provide": ["categories", "subject_descriptor"]}
# operation -> (the model of its 200 answer, or the media types of the file it answers;
# the error statuses it must document)
OPERATIONS: dict[tuple[str, str], tuple[str | tuple[str, ...], set[str]]] = {
    ("get", "/concerns"): ("Inbox", {"400", "401", "403"}),
    ("get", "/concerns/{concern_id}"): ("Concern", {"400", "401", "403", "404"}),
    ("get", "/concerns/{concern_id}/history"): ("Story", {"400", "401", "403", "404"}),
    ("put", "/concerns/{concern_id}/office"): ("Written", {"400", "401", "403", "404", "409"}),
    ("get", "/provisions"): ("ProvisionList", {"400", "401", "403"}),
    ("get", "/provisions/export"): (
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "text/csv; charset=utf-8"), {"400", "401", "403"}),
    ("get", "/disclosure"): ("DisclosureSearch", {"400", "401", "403", "404"}),
    ("post", "/disclosure/export"): (
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
        {"400", "401", "403", "404"}),
}
BODIES = {("put", "/concerns/{concern_id}/office"): "OfficePartRequest",
          ("post", "/disclosure/export"): "DisclosureRequest"}


def test_the_document_types_each_concern_and_provision_operation(hub: Hub) -> None:
    document = httpx.get(hub.url + "/openapi.json", timeout=30).json()
    schemas = document["components"]["schemas"]
    for (method, path), (answer, errors) in OPERATIONS.items():
        operation = document["paths"][OFFICE + path][method]
        responses = operation["responses"]
        assert errors <= set(responses), (path, sorted(responses))
        for status in errors:
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (path, status)
        content = responses["200"]["content"]
        if isinstance(answer, str):
            assert content["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{answer}"}, path
            assert answer in schemas
        else:
            assert set(answer) <= set(content), (path, content)
        body = BODIES.get((method, path))
        if body:
            assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{body}"}, path
            assert body in schemas


def _exactly(model: type[BaseModel], answer: httpx.Response) -> Any:
    """The answer as `model`, which must say it back field for field."""
    assert answer.status_code == 200, answer.text
    parsed = model.model_validate(answer.json())
    assert parsed.model_dump(mode="json") == answer.json()
    return parsed


def test_every_answer_is_exactly_what_its_model_describes(field: Field, hub: Hub,
                                                          office: httpx.Client) -> None:
    c = push(field, hub, consent="verbal", subject_alias="ひ")
    fresh = _exactly(Story, office.get(f"/concerns/{c.id}/history"))
    assert fresh.office is None and fresh.basis is not None
    written = _exactly(Written, office.put(f"/concerns/{c.id}/office",
                                           json={**REFER, "based_on": None}))
    assert written.office.status == "referred" and written.office.updated_by
    inbox = _exactly(Inbox, office.get("/concerns"))
    assert [r.id for r in inbox.concerns] == [c.id] and inbox.staff == ["山田 花子"]
    assert inbox.concerns[0].destination == "houkatsu"
    concern = _exactly(Concern, office.get(f"/concerns/{c.id}"))
    assert concern.concern["subject_alias"] == "ひ" and concern.staff == "山田 花子"
    assert concern.office == written.office
    assert {e.action for e in concern.history} >= {"received", "office_part_written",
                                                   "provided", "concern_read"}
    listed = _exactly(ProvisionList, office.get("/provisions"))
    assert [(p.concern_id, p.items) for p in listed.provisions] == [
        (c.id, ["categories", "subject_descriptor"])]
    found = _exactly(DisclosureSearch, office.get("/disclosure", params={"concern_id": c.id}))
    assert [(f.id, f.subject["alias"]) for f in found.concerns] == [(c.id, "ひ")]


def test_the_disclosure_file_is_named_for_the_day_the_hub_was_given(field: Field,
                                                                    hub: Hub) -> None:
    c = push(field, hub)
    with_user(hub, role="supervisor")
    given = dt.date(2031, 6, 10)
    app = create_app(hub.engine, today=lambda: given)

    async def disclose() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://hub" + OFFICE) as client:
            token = (await client.post("/login", json={
                "username": "sato", "password": PASSWORD})).json()["token"]
            return await client.post("/disclosure/export", json={"concern_ids": [c.id]},
                                     headers={"Authorization": f"Bearer {token}"})

    got = asyncio.run(disclose())
    assert got.status_code == 200, got.text
    assert "kaiji-2031-06-10.xlsx" in got.headers["content-disposition"]
