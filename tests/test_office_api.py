"""The office API behind the console: every action, and who may take it."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import insert

from core.domain.concern import Concern, parse_concern
from core.domain.overrides import apply_overrides
from hub import accounts
from hub.db import schema
from hub.db.engine import utcnow
from sync.client import REFERENCE_META
from sync.http import HubClient
from tests.factories import IBASHO, REF, concern, concern_data
from tests.hubs import Field, Hub
from tests.test_reports import KOMOREBI, known_data

OFFICE = "/api/v1/office"
# (method, path, body) of every office endpoint but login
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/me", None),
    ("GET", "/concerns", None),
    ("GET", "/concerns/00000000-0000-4000-8000-000000000000", None),
    ("GET", "/concerns/00000000-0000-4000-8000-000000000000/history", None),
    ("PUT", "/concerns/00000000-0000-4000-8000-000000000000/office", {"status": "triaged"}),
    ("GET", "/audit", None),
    ("GET", "/places", None),
    ("POST", "/places", {"name": "x"}),
    ("PUT", f"/places/{IBASHO.id}", {"name": "x"}),
    ("GET", "/compliance?fiscal_year=2025", None),
    ("GET", f"/places/{IBASHO.id}/attendance?fiscal_year=2025", None),
    ("GET", "/reports?fiscal_year=2025&format=csv", None),
    ("GET", "/reference", None),
    ("PUT", "/reference", {"programs": {}}),
    ("GET", "/devices", None),
    ("POST", "/devices/nope-0000/revoke", None),
    ("POST", "/enrolment-codes", {"staff_name": "x"}),
    ("GET", "/assignments", None),
    ("PUT", "/assignments/x", {"places": []}),
    ("GET", "/startups", None),
    ("POST", "/startups/00000000-0000-4000-8000-000000000000/place", {}),
    ("GET", "/grants?fiscal_year=2025", None),
    ("GET", f"/grants/{IBASHO.id}/2025", None),
    ("PUT", f"/grants/{IBASHO.id}/2025/application", {"requested_yen": 1}),
    ("GET", f"/places/{IBASHO.id}/members/2025", None),
    ("PUT", f"/places/{IBASHO.id}/members/2025", {"counts": {}}),
    ("GET", f"/places/{IBASHO.id}/annual-report?fiscal_year=2025", None),
    ("GET", "/provisions", None),
    ("GET", "/provisions/export?format=csv", None),
    ("GET", "/disclosure?concern_id=00000000-0000-4000-8000-000000000000", None),
    ("POST", "/disclosure/export", {"concern_ids": ["00000000-0000-4000-8000-000000000000"]}),
    ("GET", f"/places/{IBASHO.id}/photos?fiscal_year=2026", None),
    ("PUT", f"/places/{IBASHO.id}/report-photos/2026", {"photos": []}),
    ("GET", "/records/00000000-0000-4000-8000-000000000000/photos", None),
    ("GET", "/photos/00000000-0000-4000-8000-000000000000", None),
    ("GET", "/photos/00000000-0000-4000-8000-000000000000/thumbnail", None),
]


def push(field: Field, hub: Hub, **changes: Any) -> Concern:
    c = dataclasses.replace(concern(**changes), device_id=field.store.device_id)
    field.store.save(c)
    field.sync(hub)
    return c


def test_no_office_endpoint_answers_without_a_session_or_to_a_device(field: Field, hub: Hub
                                                                      ) -> None:
    with httpx.Client(base_url=hub.url + OFFICE, timeout=30) as http:
        for method, path, body in ENDPOINTS:
            for headers in ({}, {"Authorization": f"Bearer {field.token}"},
                            {"Authorization": "Bearer not-a-session"}):
                r = http.request(method, path, json=body, headers=headers)
                assert r.status_code == 401, (method, path, headers, r.text)
                assert r.json()["error"]["message_ja"]


def test_admin_only_endpoints_refuse_office_staff(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        accounts.add_user(conn, "kato", "another long password", "supervisor,grants", "test")
    with httpx.Client(base_url=hub.url + OFFICE, timeout=30) as http:
        token = http.post("/login", json={"username": "kato",
                                          "password": "another long password"}).json()["token"]
        for method, path in (("GET", "/audit"), ("GET", "/devices"), ("PUT", "/reference")):
            r = http.request(method, path, json={} if method == "PUT" else None,
                             headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", path
            assert "admin" in r.json()["error"]["message_ja"]


def test_the_inbox_puts_the_most_urgent_and_newest_first_and_filters(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    old = push(field, hub, urgency="medium", observed_on="2026-06-01")
    new = push(field, hub, urgency="medium", observed_on="2026-06-20")
    urgent = push(field, hub, urgency="emergency", observed_on="2026-05-01",
                  categories=["dementia_suspected"], suggested_destination="houkatsu")
    watch = push(field, hub, urgency="watch", observed_on="2026-06-25", follow_up_on=None)
    r = office.get("/concerns")
    assert r.status_code == 200
    rows = r.json()["concerns"]
    assert [c["id"] for c in rows] == [urgent.id, new.id, old.id, watch.id]
    first = rows[0]
    assert first["staff"] == "山田 花子" and first["place_name"] == IBASHO.name
    # the list is not a way round the audited read: no sensitive field in it
    assert not {"observed", "subject_alias", "subject_age_band", "subject_gender"} & set(first)
    assert r.json()["staff"] == ["山田 花子"]

    def ids(**query: str) -> list[str]:
        got = office.get("/concerns", params=query)
        assert got.status_code == 200, got.text
        return [c["id"] for c in got.json()["concerns"]]

    assert ids(urgency="watch") == [watch.id]
    assert ids(category="dementia_suspected") == [urgent.id]
    assert ids(place_id=IBASHO.id) == [urgent.id, new.id, old.id, watch.id]
    assert ids(place_id=KOMOREBI.id) == []
    assert ids(staff="山田 花子", urgency="medium") == [new.id, old.id]
    assert ids(staff="誰か") == []
    office.put(f"/concerns/{old.id}/office", json={"status": "triaged"}).raise_for_status()
    assert ids(status="triaged") == [old.id]
    office.put(f"/concerns/{urgent.id}/office", json={
        "status": "closed", "closed_on": "2026-06-30"}).raise_for_status()
    assert ids() == [new.id, old.id, watch.id, urgent.id]  # closed ones sink
    office.put(f"/concerns/{urgent.id}/office", json={"status": "new"}).raise_for_status()
    assert ids(status="new") == [urgent.id, new.id, watch.id]
    # a page says how many there are in all, so the office can see the list goes on
    paged = office.get("/concerns", params={"limit": 2, "offset": 1}).json()
    assert [c["id"] for c in paged["concerns"]] == [new.id, old.id]
    assert (paged["total"], paged["offset"]) == (4, 1)
    assert office.get("/concerns", params={"offset": 9}).json()["concerns"] == []
    bad = office.get("/concerns", params={"status": "lost", "urgency": "soon"})
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {"status", "urgency"}
    for query, expected_ja in (({"offset": -1}, "0以上の数"), ({"offset": "１２"}, "半角の整数"),
                               ({"limit": 501}, "500以下の数")):
        r = office.get("/concerns", params=query)
        assert r.status_code == 400
        [said] = r.json()["error"]["problems"]
        assert (said["field"], said["expected_ja"]) == (f"query.{next(iter(query))}", expected_ja)
    # an open inbox asks only for what arrived since its answer's `newest`
    newest = office.get("/concerns").json()["newest"]
    assert office.get("/concerns", params={"received_after": newest}).json()["total"] == 0
    later = push(field, hub, urgency="emergency", observed_on="2026-06-26", follow_up_on=None)
    since = office.get("/concerns", params={"received_after": newest}).json()
    assert ([c["id"] for c in since["concerns"]], since["total"]) == ([later.id], 1)
    assert since["newest"] > newest
    # the same instant written in Japan time means the same
    jst = dt.datetime.fromisoformat(since["newest"])
    jst = (jst if jst.tzinfo else jst.replace(tzinfo=dt.UTC)).astimezone(
        dt.timezone(dt.timedelta(hours=9)))
    assert office.get("/concerns", params={"received_after": jst.isoformat()}).json()["total"] == 0
    assert office.get("/concerns", params={"received_after": newest, "urgency": "watch"}
                      ).json()["total"] == 0  # the filters still apply
    for bad in ("yesterday", "2026-13-01T00:00:00", "２０２６-06-01", "' OR 1=1 --"):
        r = office.get("/concerns", params={"received_after": bad})
        assert r.status_code == 400, bad
        [said] = r.json()["error"]["problems"]
        assert said["field"] == "received_after" and said["expected_ja"].startswith("日時")


def test_every_action_reaches_the_authoring_device_and_the_history(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    c = push(field, hub)
    # another version at the same revision (a restored backup, say): kept for review
    other = {**c.to_dict(), "observed": "別の版", "office": None}
    with HubClient(hub.url, field.token) as client:
        [result] = client.push([other], "conflict-1")
    assert result.status == "conflict"
    # the staff member corrects it on the tablet: a later version, in the history too
    field.store.save(dataclasses.replace(c, rev=c.rev + 1, observed="書き直した"))
    field.sync(hub)
    path = f"/concerns/{c.id}/office"
    steps = [
        {"status": "triaged"},
        {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話でつないだ"},
        {"status": "watching", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話でつないだ", "feedback": "包括が訪問予定"},
        {"status": "closed", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話でつないだ", "feedback": "支援につながった", "closed_on": "2026-07-01"},
    ]
    for step in steps:
        r = office.put(path, json=step)
        assert r.status_code == 200, r.text
        field.sync(hub)
        mine = field.store.load("concern", c.id)
        assert mine is not None and mine.office is not None
        assert mine.office.status == step["status"]
        assert mine.office.feedback == step.get("feedback", "")
        assert mine.office.updated_by == "sato"
    detail = office.get(f"/concerns/{c.id}").json()
    assert detail["concern"]["observed"] == "書き直した"
    assert detail["office"]["status"] == "closed" and detail["staff"] == "山田 花子"
    written = [e for e in detail["history"] if e["action"] == "office_part_written"]
    assert [e["detail"]["status"] for e in written] == [s["status"] for s in steps]
    assert written[1]["detail"]["destination"] == "houkatsu"
    assert [(e["action"], e["actor"], e["detail"]["rev"]) for e in detail["history"][:3]] == [
        ("received", "山田 花子", c.rev), ("conflict", "山田 花子", c.rev),
        ("updated", "山田 花子", c.rev + 1)]
    assert detail["history"][-1]["action"] == "concern_read"  # this very read
    # what the console fetches after an action: no sensitive field, and not a read
    after = office.get(f"/concerns/{c.id}/history").json()
    assert after["office"]["status"] == "closed" and "concern" not in after
    assert after["history"] == detail["history"]  # no new concern_read
    # a concern received before the hub kept each arrival: the stored row tells when
    old = dataclasses.replace(concern(), device_id=field.store.device_id, rev=3)
    with hub.engine.begin() as conn:
        conn.execute(insert(schema.records).values(
            id=old.id, kind="concern", device_id=old.device_id, rev=3, body_hash="legacy",
            body=json.dumps(old.to_dict(), ensure_ascii=False), received_at=utcnow()))
    legacy = office.get(f"/concerns/{old.id}/history").json()["history"]
    assert [(e["action"], e["actor"], e["detail"]["rev"]) for e in legacy] == [
        ("received", "山田 花子", 3)]
    assert office.get("/concerns/00000000-0000-4000-8000-000000000000/history"
                      ).status_code == 404
    # bad input: a clear error naming the field, nothing stored
    for bad, field_name in (({"status": "closed"}, "office.closed_on"),
                            ({"status": "referred", "destination": "nowhere",
                              "referred_on": "2026-06-12"}, "office.destination"),
                            ({"status": "triaged", "secret": 1}, "office.secret")):
        r = office.put(path, json=bad)
        assert r.status_code == 400
        assert field_name in {p["field"] for p in r.json()["error"]["problems"]}, r.text
    assert office.get(f"/concerns/{c.id}").json()["office"]["status"] == "closed"
    missing = office.put("/concerns/00000000-0000-4000-8000-000000000000/office",
                         json={"status": "triaged"})
    assert missing.status_code == 404


def test_a_change_made_from_an_older_page_is_refused_not_silently_applied(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    """Two office workers have the same concern open; one refers it. The other's feedback,
    sent from the page as it was, must not undo the referral."""
    c = push(field, hub)
    path = f"/concerns/{c.id}/office"
    with hub.engine.begin() as conn:
        accounts.add_user(conn, "suzuki", "another long password", "office", "test")
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        token = http.post(f"{OFFICE}/login", json={"username": "suzuki",
                                                   "password": "another long password"}
                          ).json()["token"]
    referral = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
                "method": "電話"}
    with httpx.Client(base_url=hub.url + OFFICE, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as suzuki:
        r = suzuki.put(path, json={**referral, "based_on": None})  # nothing there before
        assert r.status_code == 200, r.text
    referred_at = r.json()["office"]["updated_at"]

    def state() -> tuple[Any, ...]:
        with hub.engine.connect() as conn:
            return (conn.exec_driver_sql("SELECT body FROM office_parts").scalars().all(),
                    conn.exec_driver_sql("SELECT COUNT(*) FROM changes").scalar_one(),
                    conn.exec_driver_sql("SELECT COUNT(*) FROM audit").scalar_one())

    before = state()
    stale = office.put(path, json={"status": "new", "feedback": "見ました", "based_on": None})
    assert stale.status_code == 409, stale.text
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "suzuki" in error["message_ja"]
    assert state() == before  # nothing written, nothing for the device, nothing audited
    # from the page as it is now, the same change goes through
    r = office.put(path, json={**referral, "feedback": "見ました", "based_on": referred_at})
    assert r.status_code == 200, r.text
    assert office.put(path, json={**referral, "based_on": referred_at}).status_code == 409
    # a caller that does not say what it saw is not checked (scripts, earlier consoles)
    assert office.put(path, json={**referral, "feedback": "上書き"}).status_code == 200
    # a page that showed an office part this concern never had
    untouched = push(field, hub)
    r = office.put(f"/concerns/{untouched.id}/office",
                   json={"status": "triaged", "based_on": "2026-01-01T00:00:00.000Z"})
    assert r.status_code == 409 and r.json()["error"]["message_ja"].startswith("ほかの職員が")
    for bad in (12, {"at": "x"}, "x" * 41):
        r = office.put(path, json={**referral, "based_on": bad})
        assert r.status_code == 400, bad
        assert [p["field"] for p in r.json()["error"]["problems"]] == ["based_on"]
    field.sync(hub)
    mine = field.store.load("concern", c.id)
    assert mine is not None and mine.office is not None and mine.office.feedback == "上書き"


def test_places_are_added_and_edited_and_reach_devices(field: Field, hub: Hub,
                                                       office: httpx.Client) -> None:
    new = {"name": "みどりの縁側", "kana": "みどりのえんがわ", "program": "ibasho",
           "area": "naka", "group_name": "みどり会", "venue": "中町集会所",
           "schedule": "第2土曜 10時〜12時"}
    r = office.post("/places", json=new)
    assert r.status_code == 200, r.text
    place = r.json()["place"]
    assert place["rev"] == 1 and place["author"] == "sato"
    field.sync(hub)
    got = field.store.load("place", place["id"])
    assert got is not None and got.name == "みどりの縁側" and got.group_name == "みどり会"
    edit = office.put(f"/places/{place['id']}", json={"rev": 1, "group_name": "みどりの会"})
    assert edit.status_code == 200 and edit.json()["place"]["rev"] == 2
    stale = office.put(f"/places/{place['id']}", json={"rev": 1, "group_name": "古い"})
    assert stale.status_code == 409 and stale.json()["error"]["message_ja"]
    field.sync(hub)
    got = field.store.load("place", place["id"])
    assert got is not None and got.group_name == "みどりの会"
    listed = office.get("/places").json()["places"]
    assert any(p["id"] == place["id"] for p in listed)
    # bad input names the field and stores nothing
    before = len(listed)
    for body, name in (({**new, "program": "nope"}, "program"), ({**new, "name": ""}, "name"),
                       ({**new, "colour": "red"}, "colour")):
        bad = office.post("/places", json=body)
        assert bad.status_code == 400
        assert name in {p["field"] for p in bad.json()["error"]["problems"]}, bad.text
    assert len(office.get("/places").json()["places"]) == before
    assert office.post("/places", json={**new, "id": place["id"]}).status_code == 400
    huge = office.post("/places", json={**new, "name": "あ" * 6000})
    assert huge.status_code == 413 and "KiB" in huge.json()["error"]["message"]
    assert "件数" not in huge.json()["error"]["message_ja"]  # not a device's batch
    assert len(office.get("/places").json()["places"]) == before
    assert office.put("/places/00000000-0000-4000-8000-000000000000",
                      json={"name": "x"}).status_code == 404


def test_compliance_attendance_and_reports_match_the_records(
        tmp_path: Path, hub: Hub, office: httpx.Client) -> None:
    known_data(tmp_path, hub)
    r = office.get("/compliance", params={"fiscal_year": 2025})
    assert r.status_code == 200
    komorebi = next(p for p in r.json()["places"] if p["place_id"] == KOMOREBI.id)
    # FY2025: 04-01 (120 min) and 03-31 (150 min) qualify; 06-15 is 90 minutes
    assert komorebi["gatherings"] == 3 and komorebi["participants"] == 7 + 6 + 8
    assert komorebi["assessed"] and komorebi["qualifying"] == 2
    assert komorebi["met"] == 2 and komorebi["missed"] == 4
    assert [p["state"] for p in komorebi["periods"]] == ["met"] + ["missed"] * 4 + ["met"]
    months = {m: {k: v for k, v in counts.items() if v} for m, counts in office.get(
        f"/places/{KOMOREBI.id}/attendance", params={"fiscal_year": 2025}).json()["months"].items()}
    assert list(months) == sorted(months) and len(months) == 12 and "2025-04" in months
    assert months["2025-04"] == {"senior": 5, "adult": 2}
    assert months["2025-06"] == {"preschool": 3, "adult": 3}
    assert months["2026-03"] == {"senior": 4, "school_age": 4} and months["2025-05"] == {}
    xlsx = office.get("/reports", params={"fiscal_year": 2025, "format": "xlsx",
                                          "place_id": KOMOREBI.id})
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["実績報告"].values)
    assert len(rows) == 2 and rows[1][1] == "こもれび広場" and rows[1][3] == 3
    monthly = office.get("/reports", params={"fiscal_year": 2025, "format": "csv",
                                             "table": "monthly"})
    assert monthly.content.startswith(b"\xef\xbb\xbf")  # the BOM Japanese Excel needs
    table = list(csv.reader(io.StringIO(monthly.content.decode("utf-8-sig"))))
    assert table[0][0] == "場所" and table[-1][0] == "合計"
    for query, name in (({"fiscal_year": 1999}, "fiscal_year"),
                        ({"fiscal_year": 2025, "format": "pdf"}, "format")):
        bad = office.get("/reports", params=query)
        assert bad.status_code == 400
        assert any(name in p["field"] for p in bad.json()["error"]["problems"])


def test_devices_are_listed_revoked_and_enrolled(field: Field, hub: Hub,
                                                  office: httpx.Client) -> None:
    field.sync(hub)
    listed = office.get("/devices").json()["devices"]
    mine = next(d for d in listed if d["id"] == field.store.device_id)
    assert mine["staff_name"] == "山田 花子" and mine["last_sync_at"] and mine["problems"] == 0
    code = office.post("/enrolment-codes", json={"staff_name": "鈴木 一郎", "hours": 24})
    assert code.status_code == 200
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        enrolled = http.post("/api/v1/enrol", json={
            "code": code.json()["code"], "device_id": "tablet-0002-abcd", "device_name": "t2"})
        assert enrolled.status_code == 200 and enrolled.json()["staff_name"] == "鈴木 一郎"
    for body, name in (({"staff_name": ""}, None), ({"hours": 5}, "staff_name"),
                       ({"staff_name": "x", "hours": "many"}, "hours"),
                       ({"staff_name": "x", "hours": 10_000}, None)):
        bad = office.post("/enrolment-codes", json=body)
        assert bad.status_code == 400 and bad.json()["error"]["message_ja"]
        if name:
            assert bad.json()["error"]["problems"][0]["field"] == name
    revoked = office.post(f"/devices/{field.store.device_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["changed"]
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        ping = http.get("/api/v1/ping", headers={"Authorization": f"Bearer {field.token}"})
        assert ping.status_code in (401, 403, 410)
    assert office.post("/devices/no-such-device/revoke").status_code == 404
    listed = office.get("/devices").json()["devices"]
    assert next(d for d in listed if d["id"] == field.store.device_id)["revoked_at"]


def test_destinations_and_program_settings_reach_devices_and_the_rules(
        tmp_path: Path, field: Field, hub: Hub, office: httpx.Client) -> None:
    known_data(tmp_path, hub)
    doc = office.get("/reference").json()
    assert any(d["key"] == "houkatsu" for d in doc["destinations"])
    before = office.get("/compliance", params={"fiscal_year": 2025}).json()["places"]
    assert next(p for p in before if p["place_id"] == KOMOREBI.id)["met"] == 2
    bad = dict(doc, destinations=doc["destinations"][1:])  # deleting is refused
    r = office.put("/reference", json=bad)
    assert r.status_code == 400 and r.json()["error"]["problems"][0]["field"] == "destinations"
    assert office.get("/reference").json() == doc  # nothing stored
    doc["destinations"].append({"key": "food_bank", "ja": "フードバンク", "en": "Food bank",
                                "phone": "", "emergency": False, "retired": False})
    doc["destinations"][0]["retired"] = True
    # from FY2025 on, 90 minutes qualify (the sets before stay as they were)
    rules = doc["programs"]["ibasho"]["conditions"]
    rules.append({**rules[0], "from_fiscal_year": 2025, "periods": [
        {**rules[0]["periods"][0], "qualifies": {"min_minutes": 90}}]})
    saved = office.put("/reference", json=doc)
    assert saved.status_code == 200, saved.text
    assert saved.json()["destinations"][-1]["key"] == "food_bank"
    # the 90-minute gathering of 2025-06-15 now qualifies
    after = office.get("/compliance", params={"fiscal_year": 2025}).json()["places"]
    assert next(p for p in after if p["place_id"] == KOMOREBI.id)["met"] == 3
    field.sync(hub)
    ref = apply_overrides(REF, field.store.meta(REFERENCE_META))
    assert "food_bank" in {d.key for d in ref.active_destinations}
    assert doc["destinations"][0]["key"] not in {d.key for d in ref.active_destinations}
    assert ref.programs["ibasho"].conditions_in(2025).periods[0].qualifies.min_minutes == 90
    assert ref.programs["ibasho"].conditions_in(2024).periods[0].qualifies.min_minutes == 120
    # the device may now suggest the new destination, and the hub accepts it
    c = dataclasses.replace(parse_concern(concern_data(suggested_destination="food_bank"), ref),
                            device_id=field.store.device_id)
    field.store.save(c)
    field.sync(hub)
    assert office.get(f"/concerns/{c.id}").json()["concern"]["suggested_destination"] == \
        "food_bank"
