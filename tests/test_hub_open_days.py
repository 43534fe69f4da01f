"""A place's 開設日 and 閉所日 at the hub, on SQLite and PostgreSQL: the office sets them
(checked, nothing stored half-way), a device cannot, and the grant compliance the console
reads and a place's 実績報告書 count no period before the opening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx

from core.domain.compliance import BEFORE, MET, MISSED
from hub.documents import annual_report
from tests.factories import REF, gathering
from tests.hubs import Field, Hub
from tests.test_hub_planning import push_raw
from tests.test_reports import KOMOREBI, known_data


def komorebi(office: httpx.Client, fiscal_year: int = 2025) -> dict[str, Any]:
    rows = office.get("/compliance", params={"fiscal_year": fiscal_year}).json()["places"]
    found: dict[str, Any] = next(p for p in rows if p["place_id"] == KOMOREBI.id)
    return found


def stored(office: httpx.Client) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in office.get("/places").json()["places"]
                                 if p["id"] == KOMOREBI.id)
    return found


def test_compliance_counts_no_period_before_the_place_opened(
        tmp_path: Path, hub: Hub, office: httpx.Client) -> None:
    known_data(tmp_path, hub)  # FY2025: 04-01 and 03-31 qualify
    before = komorebi(office)
    assert (before["met"], before["missed"]) == (2, 4)
    saved = office.put(f"/places/{KOMOREBI.id}", json={"opened_on": "2025-12-01"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["place"]["opened_on"] == "2025-12-01"
    row = komorebi(office)
    # the 04-01 gathering was before it opened: counted for nothing, nor is any period then
    assert [p["state"] for p in row["periods"]] == [BEFORE] * 4 + [MISSED, MET]
    assert (row["met"], row["missed"], row["opened_on"], row["closed_on"]) == (
        1, 1, "2025-12-01", "")
    assert [p["required"] for p in row["periods"]] == [0] * 4 + [1, 1]
    # a year it had not opened in is not counted at all
    earlier = komorebi(office, 2024)
    assert earlier["state"] == "exempt" and earlier["missed"] == 0


def test_bad_dates_are_refused_naming_the_field_and_nothing_is_stored(
        hub: Hub, office: httpx.Client) -> None:
    before = stored(office)
    for body, field, ja in (
            ({"opened_on": "2025-12-01", "closed_on": "2025-11-30"}, "closed_on",
             "開設日（2025-12-01）以降の日付"),
            ({"opened_on": "2025/12/01"}, "opened_on", "YYYY-MM-DD"),
            ({"closed_on": 20251201}, "closed_on", "YYYY-MM-DD")):
        r = office.put(f"/places/{KOMOREBI.id}", json={"name": "書き換え", **body})
        assert r.status_code == 400, r.text
        [problem] = r.json()["error"]["problems"]
        assert problem["field"] == field and ja in problem["expected_ja"]
        assert problem["expected_en"] and r.json()["error"]["message_ja"]
        assert stored(office) == before  # not the name either
    closed = office.put(f"/places/{KOMOREBI.id}", json={"opened_on": "2018-04-01",
                                                         "closed_on": "2026-03-31"})
    assert closed.status_code == 200, closed.text
    cleared = office.put(f"/places/{KOMOREBI.id}", json={"closed_on": None})
    assert cleared.status_code == 200, cleared.text
    assert (stored(office)["opened_on"], stored(office)["closed_on"]) == ("2018-04-01", "")


def test_a_device_cannot_write_a_places_dates(hub: Hub, field: Field,
                                              office: httpx.Client) -> None:
    before = stored(office)
    pushed = {**KOMOREBI.to_dict(), "device_id": field.store.device_id, "rev": 99,
              "opened_on": "2020-04-01", "closed_on": "2020-05-01"}
    [result] = push_raw(hub, field.token, [pushed])
    assert result["status"] == "rejected"
    assert stored(office) == before


def test_a_places_report_counts_no_period_before_it_opened() -> None:
    place = {**KOMOREBI.to_dict(), "opened_on": "2026-12-01"}
    held = [gathering(place_id=KOMOREBI.id, date=day).to_dict()
            for day in ("2026-05-10", "2026-12-05")]
    year = annual_report.build(place, held, {}, REF, 2026, dt.date(2027, 4, 10), "社協")
    assert year.compliance is not None
    assert (year.compliance.met, year.compliance.missed) == (1, 1)  # Feb–Mar had none
    assert [p.state for p in year.compliance.periods][:4] == [BEFORE] * 4
