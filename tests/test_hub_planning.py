"""Planning at the hub, on SQLite and PostgreSQL: assignments the office sets and each
device pulls as its own, start-ups the devices push, the place opened from one arriving on
the tablet, and each side refused what the other owns (DESIGN §6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import httpx
from openpyxl import load_workbook

from core.domain.startup import StartUp
from field_app.store import Store
from field_app.store.repository import Repository
from sync.client import ASSIGNMENT_META, HUB_META, enrol
from tests.factories import IBASHO, SALON, gathering, startup, visit_note, visit_plan
from tests.hubs import Field, Hub


def tablet(tmp_path: Path, hub: Hub, staff: str, name: str) -> Field:
    store = Store(tmp_path / name)
    enrol(store, hub.url, hub.code(staff), name)
    return Field(store, store.meta(HUB_META)["token"])  # type: ignore[index]


def push_raw(hub: Hub, token: str, records: list[dict[str, object]]) -> list[dict[str, object]]:
    r = httpx.post(f"{hub.url}/api/v1/sync/push", json={"records": records}, timeout=30,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    results: list[dict[str, object]] = r.json()["results"]
    return results


def test_an_assignment_reaches_only_its_staff_members_devices(
        tmp_path: Path, hub: Hub, field: Field, office: httpx.Client) -> None:
    other = tablet(tmp_path, hub, "佐藤 次郎", "other")
    try:
        listed = office.get("/assignments").json()
        assert {"山田 花子", "佐藤 次郎"} <= set(listed["staff"])
        r = office.put("/assignments/山田 花子", json={"places": [IBASHO.id], "areas": ["midori"]})
        assert r.status_code == 200, r.text
        field.sync(hub)
        other.sync(hub)
        assert field.store.meta(ASSIGNMENT_META) == {"places": [IBASHO.id], "areas": ["midori"]}
        assert other.store.meta(ASSIGNMENT_META) is None  # someone else's is never sent
        # a change replaces it, and arrives at the next pull
        office.put("/assignments/山田 花子", json={"places": [SALON.id]})
        field.sync(hub)
        assert field.store.meta(ASSIGNMENT_META) == {"places": [SALON.id], "areas": []}
        mine = Repository(field.store).my_place_ids()
        assert mine == {SALON.id}
    finally:
        other.store.close()


def test_a_bad_assignment_names_every_problem(field: Field, office: httpx.Client) -> None:
    r = office.put("/assignments/山田 花子",
                   json={"places": ["nope"], "areas": "midori", "colour": 1})
    assert r.status_code == 400
    fields = {p["field"] for p in r.json()["error"]["problems"]}
    assert fields == {"places", "areas", "colour"}
    assert r.json()["error"]["message_ja"]
    assert office.get("/assignments").json()["assignments"]["山田 花子"] == {
        "places": [], "areas": []}  # nothing stored half-way


def test_a_device_cannot_push_what_the_office_owns(hub: Hub, field: Field) -> None:
    assignment = {**gathering().to_dict(), "kind": "assignment",
                  "device_id": field.store.device_id}
    place = {**IBASHO.to_dict(), "device_id": field.store.device_id,
             "recurrence": {"rules": [{"freq": "weekly", "weekdays": [1],
                                       "start_time": "10:00", "end_time": "12:00"}]}}
    results = push_raw(hub, field.token, [assignment, place])
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all(r["problems"][0]["field"] == "kind" for r in results)  # type: ignore[index]


def test_the_office_cannot_edit_a_devices_plan(hub: Hub, field: Field, office: httpx.Client,
                                                tmp_path: Path) -> None:
    plan = dataclasses.replace(visit_plan(), device_id=field.store.device_id)
    field.store.save(plan)
    field.sync(hub)
    assert not field.store.pending()
    # the office has no way to write it: not as a concern's office part, not as a place
    assert office.put(f"/concerns/{plan.id}/office", json={"status": "triaged"}
                      ).status_code == 404
    assert office.put(f"/places/{plan.id}", json={"name": "x"}).status_code == 404
    # and another device cannot push over it
    other = tablet(tmp_path, hub, "佐藤 次郎", "other")
    try:
        stolen = {**plan.to_dict(), "rev": 2, "device_id": other.store.device_id,
                  "note": "書き換え"}
        assert push_raw(hub, other.token, [stolen])[0]["status"] == "rejected"
    finally:
        other.store.close()


def test_a_startup_from_consultation_to_a_place_on_the_tablet(
        hub: Hub, field: Field, office: httpx.Client) -> None:
    s = dataclasses.replace(startup(), device_id=field.store.device_id)
    field.store.save(s)
    note = dataclasses.replace(visit_note(place_id="", startup_id=s.id,
                                          visit_type="startup_consult", date="2026-06-01"),
                               device_id=field.store.device_id)
    field.store.save(note)
    field.sync(hub)
    board = office.get("/startups").json()["startups"]
    assert [(b["id"], b["stage"], b["staff_name"], b["place"]) for b in board] == [
        (s.id, "consult", "山田 花子", None)]
    # not yet opened: the office is told why it cannot open the place
    early = office.post(f"/startups/{s.id}/place", json={})
    assert early.status_code == 409 and "開設" in early.json()["error"]["message_ja"]
    # the staff member records 準備 then 開設 on the tablet
    for stage, day in (("prepare", "2026-07-01"), ("opened", "2026-09-01")):
        current = field.store.load("startup", s.id)
        assert isinstance(current, StartUp)
        field.store.save(current.edited(**current.moved_to(stage, dt.date.fromisoformat(day))))
    field.sync(hub)
    opened = office.post(f"/startups/{s.id}/place", json={"kana": "みどりちょうこそだて"})
    assert opened.status_code == 200, opened.text
    place = opened.json()["place"]
    assert (place["name"], place["area"], place["program"], place["venue"], place["startup_id"],
            place["kana"]) == (s.group_name, s.area, s.program, s.planned_venue, s.id,
                               "みどりちょうこそだて")
    assert place["opened_on"] == "2026-09-01"  # the day the staff member recorded 開設
    again = office.post(f"/startups/{s.id}/place", json={})
    assert again.status_code == 409  # one place per start-up
    board = office.get("/startups").json()["startups"]
    assert board[0]["place"] == {"id": place["id"], "name": s.group_name}
    field.sync(hub)
    repo = Repository(field.store)
    arrived = repo.place(place["id"])
    assert arrived is not None and arrived.startup_id == s.id
    assert arrived.opened_on == "2026-09-01"
    assert repo.place_of_startup(s.id) == arrived
    # the fiscal-year report counts the consultation, the stage and the opening by area
    xlsx = office.get("/reports", params={"fiscal_year": 2026, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["立ち上げ支援"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, midori = rows[0], next(r for r in rows if r[0] == "緑町")
    got = dict(zip(header, midori, strict=True))
    assert (got["立ち上げ相談（件）"], got["段階:開設"], got["開設した場所"]) == (1, 1, 1)
    csv_file = office.get("/reports", params={"fiscal_year": 2026, "format": "csv",
                                              "table": "startups"})
    assert csv_file.status_code == 200 and "緑町" in csv_file.content.decode("utf-8-sig")
