"""What the city's surveys ask for, on SQLite and PostgreSQL: registered members recorded
as counts (never names) for programs with registration, and per place and month the
sessions, 延べ by age band and 実人数, read back from the XLSX and the CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from openpyxl import load_workbook

from tests.factories import IBASHO, SALON
from tests.hubs import Hub
from tests.printed import check_printed, render
from tests.test_reports import known_data

MEMBERS = {"counts": {"under_65": {"female": 1}, "65_74": {"female": 6, "male": 2},
                      "75_plus": {"female": 9, "male": 3, "other": 1}}}


def test_members_are_counts_for_registration_programs_only(hub: Hub, office: httpx.Client
                                                           ) -> None:
    r = office.put(f"/places/{SALON.id}/members/2025", json=MEMBERS)
    assert r.status_code == 200, r.text
    assert office.get(f"/places/{SALON.id}/members/2025").json() == MEMBERS
    refused = office.put(f"/places/{IBASHO.id}/members/2025", json=MEMBERS)  # not 登録制
    assert refused.status_code == 400
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["program"]
    bad = office.put(f"/places/{SALON.id}/members/2025", json={"counts": {
        "80s": {"female": 1}, "75_plus": {"female": -1, "名前": 1}}, "names": ["山田"]})
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {
        "names", "counts.80s", "counts.75_plus.female", "counts.75_plus.名前"}
    bad = office.put(f"/places/{SALON.id}/members/2025", json={"counts": {
        "80s": {"female": 1}, "75_plus": {"female": -1, "名前": 1}}})
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {
        "counts.80s", "counts.75_plus.female", "counts.75_plus.名前"}
    assert office.get(f"/places/{SALON.id}/members/2025").json() == MEMBERS  # kept whole


def test_the_survey_by_month_age_band_and_unique_people(tmp_path: Path, hub: Hub,
                                                        office: httpx.Client) -> None:
    known_data(tmp_path, hub)  # the salon met on 2025-04-07: 12 seniors and 1 under 65
    assert office.put(f"/places/{SALON.id}/members/2025", json=MEMBERS).status_code == 200
    data = office.get("/reports", params={"fiscal_year": 2025, "format": "xlsx"}).content
    book = load_workbook(io.BytesIO(data))
    rows = list(book["通いの場調査"].iter_rows(values_only=True))
    header = rows[0]
    by = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    april = by[(SALON.name, "2025-04")]
    assert (april["開催回数"], april["延べ 65歳未満"], april["延べ 65歳以上（内訳なし）"],
            april["延べ 合計"]) == (1, 1, 12, 13)
    assert (april["実人数 65歳未満"], april["実人数 65〜74歳"], april["実人数 75歳以上"],
            april["実人数 合計"]) == (1, 8, 13, 22)
    assert april["備考"] is None
    june = by[("こもれび広場", "2025-06")]  # 3 pre-school, 3 adults: all under 65
    assert (june["開催回数"], june["延べ 65歳未満"], june["実人数 合計"]) == (1, 6, None)
    assert june["備考"] is None  # no registration: no 実人数 to ask for
    # a salon whose members were never recorded: unknown, not nobody, and the sheet says so
    unknown = by[("いきいきサロン 北町", "2025-04")]
    assert [unknown[f"実人数 {b}"] for b in ("65歳未満", "65〜74歳", "75歳以上", "合計")] == \
        [None] * 4
    assert unknown["備考"] == "実人数不明（登録者数が未記録）"
    assert len(rows) == 1 + 12 * hub.count("places")  # every place, every month
    text = office.get("/reports", params={"fiscal_year": 2025, "format": "csv",
                                          "table": "survey"}).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:4] == ["場所", "事業", "月", "開催回数"] and table[0][-1] == "備考"
    north = next(r for r in table if r[0] == "いきいきサロン 北町")
    assert north[-5:] == ["", "", "", "", "実人数不明（登録者数が未記録）"]
    # printed: the salon's 実人数 and the note beside a blank one
    printed = render(data, tmp_path, f"survey-{hub.database_url.split(':')[0]}")
    pages = printed.of("2025年度　通いの場調査")
    check_printed(printed, pages=pages, council="社会福祉協議会", rightmost="備考", figures=[
        f"{SALON.name} いきいきサロン 2025-04 1 1 0 0 12 13 1 8 13 22",
        "いきいきサロン 北町 いきいきサロン 2025-04 0 0 0 0 0 0 "
        "実人数不明（登録者数が未記録）"])
