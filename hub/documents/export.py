"""The reports as files the office opens in Japanese Excel: XLSX, and CSV in UTF-8 with a
BOM (without it Excel reads UTF-8 as Shift_JIS and shows mojibake)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.domain.reference import Reference
from hub.documents.annual_report import DEFAULT_COUNCIL
from hub.documents.filenames import safe_name
from hub.documents.reports import MONTHS, PlaceReport
from hub.documents.sheet import PLAIN, YEN, print_ready

CATEGORY_ORDER = ("preschool", "school_age", "adult", "senior", "under_65")


def _labels(ref: Reference) -> dict[str, str]:
    out: dict[str, str] = {}
    for program in ref.programs.values():
        for c in program.participant_categories:
            out.setdefault(c.key, c.label.ja)
    return out


def report_rows(reports: Sequence[PlaceReport], ref: Reference, fiscal_year: int
                ) -> list[list[Any]]:
    labels = _labels(ref)
    cats = [c for c in CATEGORY_ORDER if c in labels]
    acts = [o.key for o in ref.enums["activities"]]
    act_label = {o.key: o.label.ja for o in ref.enums["activities"]}
    header = ["年度", "場所", "事業", "開催回数", "参加者合計"]
    header += [f"{labels[c]}（合計）" for c in cats] + [f"{labels[c]}（平均）" for c in cats]
    header += ["うち初参加", "運営・ボランティア"] + [f"活動:{act_label[a]}" for a in acts]
    header += ["助成条件 達成期", "助成条件 未達期", "開催しなかった回"]
    header += ["職員の訪問（日）", "相談", "運営団体の話し合い", "その他の連絡"]
    rows: list[list[Any]] = [header]
    for r in reports:
        program = ref.programs.get(r.program)
        row: list[Any] = [fiscal_year, r.name, program.label.ja if program else r.program,
                          r.gatherings, r.participants]
        row += [r.attendance[c] for c in cats] + [round(r.average(c), 1) for c in cats]
        row += [r.first_time, r.helpers] + [r.activities[a] for a in acts]
        row += [r.periods_met if r.assessed else "", r.periods_missed if r.assessed else "",
                r.not_held]
        row += [r.staff_visits, r.consultations, r.meetings, r.other_contacts]
        rows.append(row)
    return rows


def monthly_rows(reports: Sequence[PlaceReport], fiscal_year: int) -> list[list[Any]]:
    header: list[Any] = ["場所"] + [f"{fiscal_year + (m < 4)}年{m}月 開催" for m in MONTHS]
    header += [f"{fiscal_year + (m < 4)}年{m}月 参加者" for m in MONTHS]
    rows: list[list[Any]] = [header]
    for r in reports:
        rows.append([r.name] + [r.by_month[m] for m in MONTHS]
                    + [r.participants_by_month[m] for m in MONTHS])
    total: list[Any] = ["合計"] + [sum(r.by_month[m] for r in reports) for m in MONTHS]
    total += [sum(r.participants_by_month[m] for r in reports) for m in MONTHS]
    rows.append(total)
    return rows


def summary_rows(reports: Sequence[PlaceReport], grants: Sequence[Mapping[str, Any]],
                 startups: Mapping[str, Counter[str]], ref: Reference) -> list[list[Any]]:
    """年間まとめ: per program, places, sessions, 延べ participants by category and grants
    (approved, paid, settled, refunds); then the start-ups and places opened."""
    labels = _labels(ref)
    cats = [c for c in CATEGORY_ORDER if c in labels]
    header: list[Any] = ["事業", "場所数", "開催回数", "参加者 延べ"]
    header += [f"{labels[c]} 延べ" for c in cats]
    header += ["交付決定 件数", "交付決定額", "交付済額", "確定額", "返還額"]
    rows: list[list[Any]] = [header]
    by_program = {g["place_id"]: g for g in grants}
    totals: list[Any] = ["合計"] + [0] * (len(header) - 1)
    for key, program in ref.programs.items():
        mine = [r for r in reports if r.program == key]
        gs = [by_program[r.place_id] for r in mine if r.place_id in by_program]
        approved = [g for g in gs if g["approved_yen"]]
        row: list[Any] = [program.label.ja, len(mine), sum(r.gatherings for r in mine),
                          sum(r.participants for r in mine)]
        row += [sum(r.attendance[c] for r in mine) for c in cats]
        row += [len(approved), sum(g["approved_yen"] for g in gs),
                sum(g["paid_yen"] for g in gs),
                sum(g["confirmed_yen"] or 0 for g in gs), sum(g["refund_yen"] for g in gs)]
        rows.append(row)
        totals[1:] = [a + b for a, b in zip(totals[1:], row[1:], strict=True)]
    rows.append(totals)
    counts: Counter[str] = Counter()
    for area in startups.values():
        counts.update(area)
    rows.append([])
    rows.append(["立ち上げ相談（件）", counts["consultations"]])
    rows += [[f"立ち上げ 段階:{o.label.ja}", counts[f"stage:{o.key}"]]
             for o in ref.enums["startup_stages"]]
    rows.append(["開設した場所", counts["opened"]])
    return rows


def startup_rows(summary: Mapping[str, Counter[str]], ref: Reference) -> list[list[Any]]:
    """立ち上げ支援: per area, consultations, start-ups by stage at the year's end, opened."""
    stages = [o for o in ref.enums["startup_stages"]]
    header: list[Any] = ["地区", "立ち上げ相談（件）"] + [f"段階:{o.label.ja}" for o in stages]
    header += ["開設した場所"]
    names = {a.key: a.label.ja for a in ref.areas}
    order = [a.key for a in ref.areas] + sorted(k for k in summary if k not in names)
    rows: list[list[Any]] = [header]
    totals: Counter[str] = Counter()
    for key in order:
        counts = summary.get(key)
        if not counts:
            continue
        totals.update(counts)
        rows.append([names.get(key, key or "（地区なし）"), counts["consultations"],
                     *[counts[f"stage:{o.key}"] for o in stages], counts["opened"]])
    rows.append(["合計", totals["consultations"], *[totals[f"stage:{o.key}"] for o in stages],
                 totals["opened"]])
    return rows


def csv_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    path.write_bytes(csv_bytes(rows))


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, council: str, title: str = "",
               formats: Mapping[str, Mapping[str, str]] | None = None,
               frozen: Mapping[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets, council=council, title=title, formats=formats, frozen=frozen)
    return buffer.getvalue()


def write_xlsx(path: Path | io.BytesIO, sheets: dict[str, list[list[Any]]], *, council: str,
               title: str = "", formats: Mapping[str, Mapping[str, str]] | None = None,
               frozen: Mapping[str, int] | None = None) -> None:
    """One sheet per table, its first row the heading, each ready to print (sheet.py).
    `formats`: by sheet, a number format by heading; `frozen`: by sheet, the columns kept
    in view (the first one unless said); `title` heads each page's footer with the sheet's
    name."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        header = rows[0] if rows else []
        wanted = (formats or {}).get(name, {})
        print_ready(sheet, council=council, title=f"{title}　{name}" if title else name,
                    frozen_columns=(frozen or {}).get(name, 1),
                    formats={i + 1: wanted[h] for i, h in enumerate(header) if h in wanted})
    book.save(path)


# the year's amounts in yen, by sheet and heading
YEAR_FORMATS = {"年間まとめ": {h: YEN for h in ("交付決定額", "交付済額", "確定額", "返還額")},
                "実績報告": {"年度": PLAIN}}


def documents(reports: Sequence[PlaceReport], ref: Reference, fiscal_year: int, fmt: str,
              place_name: str = "", startups: Mapping[str, Counter[str]] | None = None,
              grants: Sequence[Mapping[str, Any]] | None = None,
              survey: list[list[Any]] | None = None, council: str = DEFAULT_COUNCIL
              ) -> dict[str, bytes]:
    """The report files by name: one workbook with every table, or one CSV per table.
    With `place_name`, the activity report is that place's alone (and has no start-ups);
    the names are safe file names whatever the place is called."""
    report = report_rows(reports, ref, fiscal_year)
    monthly = monthly_rows(reports, fiscal_year)
    suffix = f"-{place_name}" if place_name else ""
    tables = {"実績報告": report, "月別集計": monthly}
    if startups is not None and not place_name:
        tables["立ち上げ支援"] = startup_rows(startups, ref)
        tables["年間まとめ"] = summary_rows(reports, grants or [], startups, ref)
        if survey is not None:
            tables["通いの場調査"] = survey
    if fmt == "xlsx":
        book = xlsx_bytes(tables, council=council, title=f"{fiscal_year}年度",
                          formats=YEAR_FORMATS, frozen={"実績報告": 2})
        return {safe_name(f"ibasho-report-FY{fiscal_year}{suffix}.xlsx"): book}
    if fmt == "csv":
        names = ("report", "monthly", "startups", "summary", "survey")
        return {safe_name(f"ibasho-{n}-FY{fiscal_year}{suffix}.csv"): csv_bytes(rows)
                for n, rows in zip(names, tables.values(), strict=False)}
    raise ValueError(f"unknown format {fmt!r}: expected xlsx or csv")
