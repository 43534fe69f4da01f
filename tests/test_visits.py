"""The staff's visits, consultations and meetings at the office, on SQLite and PostgreSQL
(the `hub` fixture): notes pushed by real tablets, listed by place, staff member, type and
days; their sealed text only to supervisors, every read audited; follow-ups whose date
passed with nobody back since; a place's history; the year's counts per place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from field_app.store import Store
from hub import visits
from sync.client import HUB_META, enrol
from tests.factories import IBASHO, SALON, gathering, startup, visit_note
from tests.hubs import Field, Hub, prepared_engine, serve_in_thread
from tests.test_roles import session

OFFICE = "/api/v1/office"
# read once when the module loads, and the hub is given it: a run that passes Japan's
# midnight must not see the hub's day move past the one these notes were dated from
TODAY = clock.today()
# a day well inside one fiscal year, and the days around it the notes are dated
BASE = max(TODAY - dt.timedelta(days=40), dt.date(TODAY.year if TODAY.month >= 5 else
                                                  TODAY.year - 1, 5, 15))
YEAR = fiscal_year_of(BASE)
OBSERVED = "代表の方が体調を崩されて心配"
DECIDED = "次回から会計を二人で担当する"


def day(offset: int) -> str:
    return (BASE + dt.timedelta(days=offset)).isoformat()


def pushed(field: Field, hub: Hub, *records: Any) -> None:
    for r in records:
        field.store.save(dataclasses.replace(r, device_id=field.store.device_id))
    field.sync(hub)


@pytest.fixture
def hub(hub_db: str) -> Iterator[Hub]:
    """The `hub` of conftest, on the day this module was loaded."""
    engine = prepared_engine(hub_db)
    with serve_in_thread(engine, hub_db, today=lambda: TODAY) as running:
        yield running
    engine.dispose()


@pytest.fixture
def second(tmp_path: Path, hub: Hub) -> Iterator[Field]:
    """Another staff member's tablet (佐藤 次郎)."""
    s = Store(tmp_path / "tablet2")
    enrol(s, hub.url, hub.code("佐藤 次郎"), "tablet2")
    yield Field(s, s.meta(HUB_META)["token"])  # type: ignore[index]
    s.close()


def client(hub: Hub, name: str, roles: str) -> httpx.Client:
    return httpx.Client(base_url=hub.url + OFFICE, headers=session(hub, name, roles),
                        timeout=30)


def entries(hub: Hub, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with hub.engine.connect() as conn:
        return [(r.actor, r.subject, json.loads(r.detail or "{}")) for r in conn.execute(text(
            "SELECT actor, subject, detail FROM audit WHERE action = :a ORDER BY seq"),
            {"a": action})]


def year_of_notes(field: Field, second: Field, hub: Hub) -> dict[str, Any]:
    """A visit and a meeting at こもれび by 山田, a consultation at the salon by 佐藤."""
    visit = visit_note(date=day(0), observations=OBSERVED, duration_minutes=90)
    meeting = visit_note(date=day(5), visit_type="group_meeting", observations="",
                         attendee_roles=["representative", "treasurer"],
                         topics=["finance"], decisions=DECIDED, next_meeting_on=day(35))
    consult = visit_note(place_id=SALON.id, visit_type="phone", date=day(2),
                         observations="会場の予約について相談")
    pushed(field, hub, visit, meeting)
    pushed(second, hub, consult)
    return {"visit": visit, "meeting": meeting, "consult": consult}


def test_notes_are_listed_by_place_staff_type_and_days(field: Field, second: Field,
                                                       hub: Hub) -> None:
    notes = year_of_notes(field, second, hub)
    with client(hub, "kimura", "supervisor") as office:
        every = office.get("/visits/notes", params={"fiscal_year": YEAR}).json()
        assert [v["id"] for v in every["visits"]] == [
            notes["meeting"].id, notes["consult"].id, notes["visit"].id]  # newest first
        assert every["staff"] == ["佐藤 次郎", "山田 花子"] and every["total"] == 3
        meeting = every["visits"][0]
        assert meeting["decisions"] == DECIDED and meeting["duty"] == "meeting"
        assert meeting["attendee_roles"] == ["representative", "treasurer"]
        assert meeting["place_name"] == IBASHO.name and meeting["staff"] == "山田 花子"
        assert meeting["next_meeting_on"] == day(35)

        def ids(**params: Any) -> list[str]:
            found = office.get("/visits/notes", params=params)
            assert found.status_code == 200, found.text
            return [v["id"] for v in found.json()["visits"]]

        assert ids(place_id=SALON.id) == [notes["consult"].id]
        assert ids(staff="山田 花子", visit_type="session_visit") == [notes["visit"].id]
        assert ids(since=day(1), until=day(4)) == [notes["consult"].id]
        assert ids(fiscal_year=YEAR + 1) == []
        # a bad filter is named, with what is expected
        r = office.get("/visits", params={"since": "6月1日", "visit_type": "coffee"})
        assert r.status_code == 400
        named = {p["field"]: p for p in r.json()["error"]["problems"]}
        assert named["since"]["value"] == "6月1日" and "YYYY-MM-DD" in named["since"]["expected_ja"]
        assert "session_visit" in named["visit_type"]["expected_en"]
        r = office.get("/visits", params={"since": day(4), "until": day(1)})
        assert r.status_code == 400 and r.json()["error"]["problems"][0]["field"] == "until"


def test_only_a_supervisor_reads_the_sealed_text_and_every_read_is_audited(
        field: Field, second: Field, hub: Hub) -> None:
    notes = year_of_notes(field, second, hub)
    with client(hub, "tanaka", "grants") as grants, client(hub, "mori", "viewer") as viewer, \
            client(hub, "kimura", "supervisor") as supervisor:
        listed = grants.get("/visits", params={"fiscal_year": YEAR})
        assert listed.status_code == 200, listed.text
        assert OBSERVED not in listed.text and DECIDED not in listed.text
        rows = listed.json()["visits"]
        assert all("observations" not in v and "decisions" not in v for v in rows)
        assert [v["has_text"] for v in rows] == [True, True, True]
        assert grants.get("/visits/notes").status_code == 403
        for path in ("/visits", "/visits/notes", "/visits/follow-ups",
                     f"/places/{IBASHO.id}/history?fiscal_year={YEAR}"):
            r = viewer.get(path)
            assert r.status_code == 403, (path, r.text)
            assert OBSERVED not in r.text
        # the viewer's is the figures: counts per place
        counted = viewer.get("/visits/counts", params={"fiscal_year": YEAR}).json()
        assert OBSERVED not in json.dumps(counted, ensure_ascii=False)
        read = supervisor.get("/visits/notes", params={"place_id": IBASHO.id}).json()
        assert {v["observations"] for v in read["visits"]} == {OBSERVED, ""}

    [(actor, _, detail)] = entries(hub, "visits_listed")
    assert actor == "tanaka" and detail["rows"] == 3 and detail["filters"] == {
        "fiscal_year": YEAR}
    [(actor, _, detail)] = entries(hub, "visit_notes_read")
    assert actor == "kimura" and detail["filters"] == {"place_id": IBASHO.id}
    assert detail["notes"] == [notes["meeting"].id, notes["visit"].id]
    logged = json.dumps([entries(hub, a) for a in ("visits_listed", "visit_notes_read")],
                        ensure_ascii=False)
    assert OBSERVED not in logged and DECIDED not in logged


def test_follow_ups_that_passed_with_nobody_back_since(field: Field, second: Field,
                                                      hub: Hub) -> None:
    past = TODAY - dt.timedelta(days=20)

    def on(days: int) -> str:
        return (past + dt.timedelta(days=days)).isoformat()

    waiting = visit_note(date=on(0), follow_up_on=on(10))  # こもれび: nobody went back
    answered = visit_note(place_id=SALON.id, date=on(0), follow_up_on=on(5))
    later = visit_note(place_id=SALON.id, date=on(3), visit_type="phone")  # 佐藤 called
    not_yet = visit_note(place_id=SALON.id, date=on(4),
                         follow_up_on=(TODAY + dt.timedelta(days=3)).isoformat())
    group = visit_note(place_id="", group_name="緑町の体操の会", date=on(2),
                       follow_up_on=on(4))
    s = startup()
    about_startup = visit_note(place_id="", startup_id=s.id, visit_type="startup_consult",
                               date=on(2), follow_up_on=on(6))
    pushed(field, hub, s, waiting, answered, not_yet, group, about_startup)
    pushed(second, hub, later)
    with client(hub, "tanaka", "grants") as office:
        found = office.get("/visits/follow-ups").json()
        assert found["today"] == TODAY.isoformat()
        listed = [(v["id"], v["days_passed"]) for v in found["follow_ups"]]
        assert listed == [(group.id, 16), (about_startup.id, 14), (waiting.id, 10)]
        assert found["follow_ups"][1]["startup_name"] == s.group_name
        # the group's next meeting, noted by 佐藤 (its name typed another way), follows it up
        pushed(second, hub, visit_note(place_id="", group_name="緑町の 体操の会",
                                       visit_type="group_meeting", date=on(8)))
        assert [v["id"] for v in office.get("/visits/follow-ups").json()["follow_ups"]] == [
            about_startup.id, waiting.id]
        # a gathering the group reported itself (no staff there) is nobody back there;
        # staff at one after the note are
        pushed(field, hub, gathering(date=on(11), staff_visited=False))
        assert len(office.get("/visits/follow-ups").json()["follow_ups"]) == 2
        pushed(field, hub, gathering(date=on(12), staff_visited=True))
        assert office.get("/visits/follow-ups").json()["follow_ups"] == [
            {**found["follow_ups"][1], "days_passed": 14}]
        assert office.get("/visits/follow-ups", params={"staff": "佐藤 次郎"}).json()[
            "follow_ups"] == []
    # passed is before Japan's today: seen from the day after the start-up's date
    with hub.engine.connect() as conn:
        assert [v["id"] for v in visits.passed_follow_ups(conn, dt.date.fromisoformat(on(7)))
                ] == [about_startup.id]
    assert [d["rows"] for _, _, d in entries(hub, "follow_ups_listed")] == [3, 2, 2, 1]


def test_a_place_history_and_the_years_counts(field: Field, second: Field, hub: Hub) -> None:
    notes = year_of_notes(field, second, hub)
    # staff at the gathering of the visit's day (one visit), and at another (a second);
    # a gathering the group reported itself is no visit
    pushed(field, hub, gathering(date=day(0), staff_visited=True),
           gathering(date=day(14), staff_visited=True),
           gathering(date=day(21), staff_visited=False),
           visit_note(date=day(6), visit_type="grant_admin", observations=""),
           visit_note(place_id="", startup_id=startup().id, visit_type="startup_consult",
                      date=day(3)))
    with client(hub, "tanaka", "grants") as office:
        history = office.get(f"/places/{IBASHO.id}/history", params={"fiscal_year": YEAR})
        assert history.status_code == 200, history.text
        events = history.json()["events"]
        assert [(e["date"], e["kind"]) for e in events] == [
            (day(21), "gathering"), (day(14), "gathering"), (day(6), "visit_note"),
            (day(5), "visit_note"), (day(0), "gathering"), (day(0), "visit_note")]
        assert events[0]["gathering"]["staff_visited"] is False
        assert events[3]["visit"]["id"] == notes["meeting"].id
        assert "にぎやか" not in history.text and OBSERVED not in history.text
        assert office.get("/places/nowhere/history",
                          params={"fiscal_year": YEAR}).status_code == 404
        counted = {p["place_id"]: p for p in office.get(
            "/visits/counts", params={"fiscal_year": YEAR}).json()["places"]}
    assert counted[IBASHO.id] == {"place_id": IBASHO.id, "name": IBASHO.name,
                                  "staff_visits": 2, "consultations": 0, "meetings": 1,
                                  "other_contacts": 1}
    assert counted[SALON.id]["consultations"] == 1 and counted[SALON.id]["staff_visits"] == 0
    [(actor, subject, detail)] = entries(hub, "place_history_read")
    assert (actor, subject, detail["visits"]) == ("tanaka", IBASHO.id, 3)

    # the year's report counts them the same way, beside the gatherings
    with client(hub, "mori", "viewer") as viewer:
        got = viewer.get("/reports", params={"fiscal_year": YEAR, "format": "xlsx"})
        assert got.status_code == 200, got.text
    sheet = load_workbook(io.BytesIO(got.content))["実績報告"]
    header = [c.value for c in sheet[1]]
    by_place = {r[1]: dict(zip(header, r, strict=True))
                for r in sheet.iter_rows(min_row=2, values_only=True)}
    komorebi, salon = by_place[IBASHO.name], by_place[SALON.name]
    assert (komorebi["職員の訪問（日）"], komorebi["相談"], komorebi["運営団体の話し合い"],
            komorebi["その他の連絡"]) == (2, 0, 1, 1)
    assert (salon["職員の訪問（日）"], salon["相談"]) == (0, 1)
