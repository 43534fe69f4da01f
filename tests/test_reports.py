"""The yearly activity report and the monthly summary, from a known data set, read back
from the XLSX (openpyxl) and the CSV (utf-8-sig) the office opens in Excel."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from field_app.store import Store
from hub.documents.annual_report import DEFAULT_COUNCIL
from sync.client import HUB_META, enrol
from tests.factories import PLACES, SALON, gathering
from tests.hubs import Hub, sync_once
from tests.printed import check_printed, render

KOMOREBI = next(p for p in PLACES if p.name == "こもれび広場")


def known_data(tmp_path: Path, hub: Hub) -> list:  # type: ignore[type-arg]
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    rows = [  # (place, date, minutes, attendance, first_time, helpers, activities)
        (KOMOREBI, "2025-03-31", 120, {"senior": 9}, 0, 1, ["talk"]),      # FY2024
        (KOMOREBI, "2025-04-01", 120, {"senior": 5, "adult": 2}, 1, 2, ["talk", "meal"]),
        (KOMOREBI, "2025-06-15", 90, {"preschool": 3, "adult": 3}, 2, 2, ["childcare"]),
        (KOMOREBI, "2026-03-31", 150, {"senior": 4, "school_age": 4}, 0, 3, ["games"]),
        (KOMOREBI, "2026-04-01", 120, {"senior": 7}, 0, 1, ["talk"]),      # FY2026
        (SALON, "2025-04-07", 120, {"senior": 12, "under_65": 1}, 1, 2, ["exercise", "talk"]),
    ]
    records = []
    for place, day, minutes, attendance, first, helpers, activities in rows:
        end = f"{10 + minutes // 60:02d}:{minutes % 60:02d}"
        g = dataclasses.replace(gathering(
            place_id=place.id, date=day, start_time="10:00", end_time=end,
            attendance=attendance, first_time=first, helpers=helpers, activities=activities),
            device_id=store.device_id)
        store.save(g)
        records.append(g)
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    sync_once(store, hub.url, token)
    store.close()
    return records


def export(hub: Hub, tmp_path: Path, fmt: str) -> str:
    run = subprocess.run([sys.executable, "-m", "hub.cli", "export", "--fiscal-year", "2025",
                          "--format", fmt, "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "IBASHO_HUB_DATABASE_URL": hub.database_url})
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_report_totals_match_the_records_and_the_fiscal_year(tmp_path: Path, hub: Hub
                                                                   ) -> None:
    records = known_data(tmp_path, hub)
    fy2025 = [r for r in records if "2025-04-01" <= r.date <= "2026-03-31"]
    export(hub, tmp_path, "xlsx")
    book = load_workbook(tmp_path / "out" / "ibasho-report-FY2025.xlsx")
    sheet = book["実績報告"]
    header = [c.value for c in sheet[1]]
    by_place = {row[1]: dict(zip(header, row, strict=True))
                for row in sheet.iter_rows(min_row=2, values_only=True)}
    komorebi = by_place["こもれび広場"]
    mine = [r for r in fy2025 if r.place_id == KOMOREBI.id]
    assert komorebi["開催回数"] == len(mine) == 3
    assert komorebi["参加者合計"] == sum(r.participants for r in mine) == 21
    assert komorebi["高齢者（65歳以上）（合計）"] == 9
    assert komorebi["大人（18〜64歳）（平均）"] == round(5 / 3, 1)
    assert komorebi["うち初参加"] == 3 and komorebi["運営・ボランティア"] == 7
    assert komorebi["活動:おしゃべり"] == 1
    # ibasho: Apr-May met (04-01, 120 min); Jun-Jul not (90 min); Feb-Mar met (03-31)
    assert komorebi["助成条件 達成期"] == 2
    assert by_place["いきいきサロン 東町"]["開催回数"] == 1
    assert by_place["ひだまりカフェ"]["開催回数"] == 0  # every place is listed
    monthly = book["月別集計"]
    rows = list(monthly.iter_rows(values_only=True))
    months = dict(zip(rows[0], rows[-1], strict=True))  # the total row
    assert months["2025年4月 開催"] == 2 and months["2026年3月 開催"] == 1
    assert months["2025年5月 開催"] == 0
    assert sum(v for k, v in months.items() if str(k).endswith("参加者")) == sum(
        r.participants for r in fy2025)


def test_csv_is_utf8_with_a_bom_for_japanese_excel(tmp_path: Path, hub: Hub) -> None:
    known_data(tmp_path, hub)
    out = export(hub, tmp_path, "csv")
    path = tmp_path / "out" / "ibasho-report-FY2025.csv"
    assert str(path) in out
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    komorebi = next(r for r in rows if r["場所"] == "こもれび広場")
    assert komorebi["開催回数"] == "3" and komorebi["参加者合計"] == "21"
    with open(tmp_path / "out" / "ibasho-monthly-FY2025.csv", encoding="utf-8-sig") as f:
        assert f.readline().startswith("場所,2025年4月 開催")


def test_a_years_gatherings_are_the_same_whether_read_by_the_index_or_through_the_table(
        hub_db: str) -> None:
    """On SQLite the report reads a year by the (kind, day) index when the year is a small
    part of what the hub holds, and through the table when it is most of it: the same
    gatherings either way, and none of another year or kind."""
    import datetime as dt

    from sqlalchemy import insert

    from hub.db import schema
    from hub.documents.reports import _most_in, gatherings_in
    from sync.protocol import body_hash
    from tests.hubs import prepared_engine

    engine = prepared_engine(hub_db, places=False)

    def add(conn: object, day: str, kind: str = "gathering") -> str:
        doc = dataclasses.replace(gathering(), date=day).to_dict()
        conn.execute(insert(schema.records).values(  # type: ignore[attr-defined]
            id=doc["id"], kind=kind, device_id="d", rev=1, body=json.dumps(doc),
            body_hash=body_hash(doc), received_at=dt.datetime.now(dt.UTC), day=day))
        return str(doc["id"])

    try:
        with engine.begin() as conn:
            in_year = {add(conn, d) for d in ("2025-04-01", "2025-11-30", "2026-03-31")}
            for d in ("2023-05-01", "2024-03-31", "2024-06-01", "2026-04-01", "2027-01-05",
                      "2022-09-09", "2021-04-01"):
                add(conn, d)
            add(conn, "2025-06-01", kind="visit_note")
        with engine.connect() as conn:  # 3 of 10: by the index
            assert not _most_in(conn, "2025-04-01", "2026-03-31")
            assert {g["id"] for g in gatherings_in(conn, 2025)} == in_year
        with engine.begin() as conn:
            for d in ("2025-05-05", "2025-07-07", "2025-09-09", "2026-01-01", "2026-02-02"):
                in_year.add(add(conn, d))
        with engine.connect() as conn:  # 8 of 15: through the table
            assert _most_in(conn, "2025-04-01", "2026-03-31")
            assert {g["id"] for g in gatherings_in(conn, 2025)} == in_year
    finally:
        engine.dispose()


def test_the_year_workbook_prints_each_sheet_one_page_wide(tmp_path: Path, hub: Hub) -> None:
    """Printed from LibreOffice as the office would: every sheet on A4 one page wide (the
    rightmost heading on each of its pages), the council and the page in the footer."""
    records = known_data(tmp_path, hub)
    export(hub, tmp_path, "xlsx")
    made = tmp_path / "out" / "ibasho-report-FY2025.xlsx"
    book = load_workbook(made)
    for sheet in book.worksheets:  # on screen: the heading stays in view
        assert sheet.freeze_panes and sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.paperSize == 9
    printed = render(made, tmp_path, f"year-workbook-{hub.database_url.split(':')[0]}")
    fy2025 = [r for r in records if "2025-04-01" <= r.date <= "2026-03-31"]
    for name in book.sheetnames:
        header = [c.value for c in book[name][1] if c.value is not None]
        pages = printed.of(f"2025年度　{name}")
        assert pages, name
        check_printed(printed, pages=pages, council=DEFAULT_COUNCIL, rightmost=header[-1])
    komorebi = sum(r.participants for r in fy2025 if r.place_id == KOMOREBI.id)
    check_printed(printed, pages=printed.of("2025年度　実績報告"), council=DEFAULT_COUNCIL,
                  rightmost="開催しなかった回", count=1,
                  figures=[f"2025 こもれび広場 居場所 3 {komorebi} 3 4 5 9",
                           "2025 いきいきサロン 東町 いきいきサロン 1 13 0 0 0 12 1",
                           "2025 ひだまりカフェ 居場所 0 0"])
    check_printed(printed, pages=printed.of("2025年度　月別集計"), council=DEFAULT_COUNCIL,
                  rightmost="2026年3月 参加者", count=1,
                  figures=["こもれび広場 1 0 1 0", f"合計 2 0 1 0 0 0 0 0 0 0 0 1 {7 + 13} 0 6"])
