"""A stored record keeps what identifies it (issue 24, part 2): a push that changes its kind,
its device or its author is refused for that record alone, with a reason, and is not kept
as a conflict either. A referred concern re-pushed as a start-up once vanished from the
inbox, the disclosure search and its export while its provision record remained.
On SQLite and PostgreSQL (the `hub` fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from field_app.store import Store
from sync.client import HUB_META, enrol
from tests.factories import concern_data, gathering_data, startup_data
from tests.hubs import Field, Hub
from tests.test_provisions import REFER

IDENTITY = ("id", "kind", "schema", "rev", "created_at", "updated_at", "device_id", "author")


def push(hub: Hub, token: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = httpx.post(f"{hub.url}/api/v1/sync/push", json={"records": records}, timeout=30,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def as_other(doc: dict[str, Any], kind_data: dict[str, Any]) -> dict[str, Any]:
    """`doc`'s id and metadata with another kind's fields."""
    return {**{k: v for k, v in kind_data.items() if k not in IDENTITY},
            **{k: doc[k] for k in IDENTITY}, "kind": kind_data["kind"]}


def still_held(hub: Hub, office: httpx.Client, concern_id: str) -> None:
    inbox = office.get("/concerns").json()["concerns"]
    assert [c["id"] for c in inbox] == [concern_id]
    found = office.get("/disclosure", params={"concern_id": concern_id}).json()["concerns"]
    assert [c["id"] for c in found] == [concern_id]
    export = office.post("/disclosure/export", json={"concern_ids": [concern_id]})
    assert export.status_code == 200, export.text
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        row = conn.execute(text("SELECT kind, rev FROM records WHERE id = :i"),
                           {"i": concern_id}).one()
        assert tuple(row) == ("concern", 1)
        assert conn.execute(text("SELECT COUNT(*) FROM conflicts")).scalar_one() == 0


def refused(result: dict[str, Any], field: str) -> dict[str, Any]:
    assert result["status"] == "rejected", result
    problem: dict[str, Any] = next(p for p in result["problems"] if p["field"] == field)
    assert problem["expected_en"] and problem["expected_ja"]
    return problem


def referred_concern(hub: Hub, field: Field, office: httpx.Client) -> dict[str, Any]:
    c = concern_data(device_id=field.store.device_id, consent="written")
    assert push(hub, field.token, [c])[0]["status"] == "accepted"
    office.put(f"/concerns/{c['id']}/office", json=REFER).raise_for_status()
    assert len(office.get("/provisions").json()["provisions"]) == 1
    return c


def test_a_record_keeps_its_kind(hub: Hub, field: Field, office: httpx.Client) -> None:
    c = referred_concern(hub, field, office)
    startup = as_other({**c, "rev": 2}, startup_data())
    neighbour = gathering_data(device_id=field.store.device_id)
    results = push(hub, field.token, [startup, neighbour])
    problem = refused(results[0], "kind")
    assert "startup" in problem["value"] and "concern" in problem["expected_en"]
    assert results[1]["status"] == "accepted"  # the rest of the batch is taken
    # the same rev with another kind is refused too, not kept as a conflict to resolve
    refused(push(hub, field.token, [as_other(c, startup_data())])[0], "kind")
    still_held(hub, office, c["id"])


def test_a_record_keeps_its_author_and_device(hub: Hub, field: Field, office: httpx.Client,
                                              tmp_path: Path) -> None:
    c = referred_concern(hub, field, office)
    for rev in (1, 2):  # as a conflict (same rev) and as a newer version
        problem = refused(push(hub, field.token, [{**c, "rev": rev, "author": "佐藤 次郎"}])[0],
                          "author")
        assert "佐藤 次郎" in problem["value"] and "山田 花子" in problem["expected_en"]
    other = Store(tmp_path / "other")
    try:
        enrol(other, hub.url, hub.code("佐藤 次郎"), "other")
        token = str(other.meta(HUB_META)["token"])  # type: ignore[index]
        theirs = {**c, "rev": 2, "device_id": other.device_id, "author": "佐藤 次郎"}
        refused(push(hub, token, [theirs])[0], "id")
    finally:
        other.close()
    still_held(hub, office, c["id"])
