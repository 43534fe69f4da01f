"""A テンミリオンハウス's months' reports at the hub, on SQLite and PostgreSQL: pushed from a
tablet; a session of such a house (and a month's report of a salon) refused with the field
named; the office's yearly report, monthly summary, survey and the place's 実績報告書 count a
month's report as the days it opened, and the 1回あたり平均 is per opening day."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import httpx
from openpyxl import load_workbook

from core.domain.gathering import Gathering
from field_app.store import Store
from sync.client import HUB_META, enrol
from tests.factories import SALON, gathering
from tests.hubs import Hub, sync_once
from tests.test_monthly import HOUSE, report

MONTHS = {"2025-04": 25, "2025-05": 24, "2025-06": 26}  # opening days reported


def pushed(tmp_path: Path, hub: Hub, *records: Gathering) -> tuple[Store, object]:
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    for r in records:
        store.save(dataclasses.replace(r, device_id=store.device_id))
    result = sync_once(store, hub.url, store.meta(HUB_META)["token"])  # type: ignore[index]
    return store, result


def test_months_reports_count_as_the_days_the_house_opened(tmp_path: Path, hub: Hub,
                                                           office: httpx.Client) -> None:
    reports = [report(month, days=days) for month, days in MONTHS.items()]  # 14 a day
    session = dataclasses.replace(  # a house's day as a session: not how it is recorded
        gathering(), place_id=HOUSE.id, date="2025-07-03", start_time="09:00",
        end_time="17:00", attendance={"senior": 10}, activities=("talk",))
    salon_month = dataclasses.replace(report("2025-07", days=4), place_id=SALON.id)
    store, result = pushed(tmp_path, hub, *reports, session, salon_month)
    assert (result.accepted, result.quarantined) == (3, 2)  # type: ignore[attr-defined]
    refused = {q.id: q.reasons for q in store.quarantined()}
    assert [r["field"] for r in refused[session.id]] == ["covers"]
    assert "月次報告" in refused[session.id][0]["expected_ja"]
    assert [r["field"] for r in refused[salon_month.id]] == ["covers"]
    store.close()

    book = load_workbook(io.BytesIO(office.get("/reports", params={
        "fiscal_year": 2025, "format": "xlsx"}).content))
    rows = list(book["実績報告"].iter_rows(values_only=True))
    house = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[1] == HOUSE.name)
    days = sum(MONTHS.values())
    assert (house["開催回数"], house["参加者合計"]) == (days, 14 * days)
    assert house["高齢者（65歳以上）（平均）"] == 12  # per opening day, not per report
    monthly = list(book["月別集計"].iter_rows(values_only=True))
    by_month = next(dict(zip(monthly[0], r, strict=True)) for r in monthly[1:]
                    if r[0] == HOUSE.name)
    assert (by_month["2025年4月 開催"], by_month["2025年6月 開催"]) == (25, 26)
    survey = list(book["通いの場調査"].iter_rows(values_only=True))
    may = next(dict(zip(survey[0], r, strict=True)) for r in survey[1:]
               if (r[0], r[2]) == (HOUSE.name, "2025-05"))
    assert (may["開催回数"], may["延べ 合計"]) == (24, 14 * 24)

    got = office.get(f"/places/{HOUSE.id}/annual-report",
                     params={"fiscal_year": 2025, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(got.content))["実績報告書"]
    lines = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    by_first = {r[0]: r for r in lines if r}
    assert by_first["合計"][1] == days and by_first["2025年5月"][1:3] == [24, 14 * 24]
    assert "月次報告 開所24日 09:00〜17:00（延べ336人）" in by_first["2025年5月"][-1]
    assert by_first["1回あたり平均"][1] == 14.0


def test_the_office_cannot_change_how_a_programs_openings_are_recorded(
        hub: Hub, office: httpx.Client) -> None:
    """`recording` is the shipped data's: the office's settings refuse it, and refuse a
    weekly condition for a program recorded monthly; nothing is stored."""
    doc = office.get("/reference").json()
    r = office.put("/reference", json={"programs": {"tenmillion": {
        "recording": "per_session", "report_due_day": 5}}})
    assert r.status_code == 400
    assert {p["field"] for p in r.json()["error"]["problems"]} == {
        "programs.tenmillion.recording", "programs.tenmillion.report_due_day"}
    weekly = {"from_fiscal_year": 2026, "year": [], "periods": [{
        "key": "w", "label": {"ja": "週1回", "en": "weekly"}, "period": "week"}]}
    r = office.put("/reference", json={"programs": {"tenmillion": {"conditions": [weekly]}}})
    assert r.status_code == 400
    [problem] = r.json()["error"]["problems"]
    assert problem["field"] == "programs.tenmillion.conditions[0].periods[0].period"
    assert "月次報告" in problem["expected_ja"]
    assert office.get("/reference").json() == doc
