"""Every office read that returns person-level or sealed data leaves an audit entry: who,
what and how many — the filters and counts, never the personal text itself. On SQLite and
PostgreSQL (the `hub` fixture)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
from sqlalchemy import text

from tests.factories import startup
from tests.hubs import Field, Hub
from tests.test_office_api import push

REFER = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話"}


def entries(hub: Hub, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with hub.engine.connect() as conn:
        return [(r.actor, r.subject, json.loads(r.detail or "{}")) for r in conn.execute(text(
            "SELECT actor, subject, detail FROM audit WHERE action = :a ORDER BY seq"),
            {"a": action})]


def test_the_provision_records_are_audited_when_listed(field: Field, hub: Hub,
                                                       office: httpx.Client) -> None:
    c = push(field, hub, consent="written", subject_alias="Aさん")
    office.put(f"/concerns/{c.id}/office", json={**REFER, "provide": ["categories"]}
               ).raise_for_status()
    assert len(office.get("/provisions").json()["provisions"]) == 1
    assert len(office.get("/provisions", params={"concern_id": c.id,
                                                 "recipient": "houkatsu"}).json()["provisions"]) == 1
    [everything, one] = entries(hub, "provisions_listed")
    assert everything[0] == "sato" and everything[2]["rows"] == 1
    assert one[1] == c.id and one[2]["rows"] == 1 and one[2]["recipient"] == "houkatsu"
    assert "Aさん" not in json.dumps([everything, one], ensure_ascii=False)


def test_the_start_up_board_is_audited_it_shows_sealed_notes(field: Field, hub: Hub,
                                                            office: httpx.Client) -> None:
    s = dataclasses.replace(startup(note="代表の方の家庭の事情で延期"),
                            device_id=field.store.device_id)
    field.store.save(s)
    field.sync(hub)
    board = office.get("/startups").json()["startups"]
    assert board[0]["note"] == "代表の方の家庭の事情で延期"
    [(actor, _, detail)] = entries(hub, "startups_read")
    assert actor == "sato" and detail == {"rows": 1}


def test_the_inbox_and_a_concerns_history_are_audited_when_they_show_someone(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    assert office.get("/concerns").json()["total"] == 0
    assert entries(hub, "concerns_listed") == []  # nobody shown: nothing to account for
    c = push(field, hub, categories=["abuse_suspected"], subject_alias="Bさん")
    page = office.get("/concerns", params={"category": "abuse_suspected"}).json()
    assert page["total"] == 1
    [(actor, _, detail)] = entries(hub, "concerns_listed")
    assert actor == "sato" and detail["rows"] == 1 and detail["total"] == 1
    assert detail["filters"] == {"category": "abuse_suspected"}
    # an open inbox looking for arrivals that finds none leaves no entry
    office.get("/concerns", params={"received_after": page["newest"]}).raise_for_status()
    assert len(entries(hub, "concerns_listed")) == 1
    office.get(f"/concerns/{c.id}/history").raise_for_status()
    [(actor, subject, _)] = entries(hub, "concern_history_read")
    assert (actor, subject) == ("sato", c.id)
    assert "Bさん" not in json.dumps(entries(hub, "concerns_listed"), ensure_ascii=False)
