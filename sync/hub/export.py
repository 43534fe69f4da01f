"""The reports as files the office opens in Japanese Excel: XLSX, and CSV in UTF-8 with a
BOM (without it Excel reads UTF-8 as Shift_JIS and shows mojibake)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from field_app.domain.reference import Reference
from sync.hub.reports import MONTHS, PlaceReport

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
    rows: list[list[Any]] = [header]
    for r in reports:
        program = ref.programs.get(r.program)
        row: list[Any] = [fiscal_year, r.name, program.label.ja if program else r.program,
                          r.gatherings, r.participants]
        row += [r.attendance[c] for c in cats] + [round(r.average(c), 1) for c in cats]
        row += [r.first_time, r.helpers] + [r.activities[a] for a in acts]
        row += [r.periods_met if r.assessed else "", r.periods_missed if r.assessed else "",
                r.not_held]
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


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def write_xlsx(path: Path | io.BytesIO, sheets: dict[str, list[list[Any]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
    book.save(path)


def documents(reports: Sequence[PlaceReport], ref: Reference, fiscal_year: int, fmt: str,
              place_name: str = "", startups: Mapping[str, Counter[str]] | None = None
              ) -> dict[str, bytes]:
    """The report files by name: one workbook with every table, or one CSV per table.
    With `place_name`, the activity report is that place's alone (and has no start-ups)."""
    report = report_rows(reports, ref, fiscal_year)
    monthly = monthly_rows(reports, fiscal_year)
    suffix = f"-{place_name}" if place_name else ""
    tables = {"実績報告": report, "月別集計": monthly}
    if startups is not None and not place_name:
        tables["立ち上げ支援"] = startup_rows(startups, ref)
    if fmt == "xlsx":
        return {f"ibasho-report-FY{fiscal_year}{suffix}.xlsx": xlsx_bytes(tables)}
    if fmt == "csv":
        names = ("report", "monthly", "startups")
        return {f"ibasho-{n}-FY{fiscal_year}{suffix}.csv": csv_bytes(rows)
                for n, rows in zip(names, tables.values(), strict=False)}
    raise ValueError(f"unknown format {fmt!r}: expected xlsx or csv")
