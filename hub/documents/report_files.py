"""A place's 実績報告書 as files: XLSX (openpyxl) and PDF (fpdf2: A4, the bundled Japanese
font embedded as a subset, page numbers, the council's name). Pure rendering of an
`annual_report.PlaceYear`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from core.domain.compliance import MET, MISSED, OPEN
from core.domain.reference import Reference
from core.reference_data import ASSETS_DIR
from hub.documents.annual_report import PlaceYear, Session
from hub.documents.filenames import safe_name
from hub.documents.report_photos import ReportPhoto, pdf_pages, xlsx_sheet
from hub.documents.reports import MONTHS

FONT = ASSETS_DIR / "fonts" / "NotoSansJP-JIS0208.otf"
STATES = {MET: "達成", MISSED: "未達", OPEN: "年度途中", "future": "これから"}
# each table's column widths on the A4 page (fractions of the text width)
WIDTHS = {"開催状況": (0.14, 0.1, 0.76), "参加者（延べ人数）": (0.6, 0.4), "活動内容": (0.6, 0.4),
          "助成の条件": (0.42, 0.12, 0.46), "収支決算": (0.2, 0.45, 0.35), "自己評価": (1.0,)}


def _month(fy: int, m: int) -> str:
    return f"{fy + (m < 4)}年{m}月"


def _session(s: Session) -> str:
    day = f"{int(s.date[5:7])}/{int(s.date[8:10])}"
    if not s.held:
        return f"{day} 開催せず（{s.reason}）"
    return f"{day} {s.start}〜{s.end}（{s.minutes}分・{s.participants}人）"


def sections(year: PlaceYear, ref: Reference) -> list[tuple[str, list[list[Any]]]]:
    """The report's content as titled tables, shared by both formats."""
    fy = year.fiscal_year
    held = year.held
    out: list[tuple[str, list[list[Any]]]] = []
    not_held = sum(not s.held for m in MONTHS for s in year.sessions.get(m, []))
    out.append(("開催状況", [["月", "開催回数", "開催日（時間・参加者）"]] + [
        [_month(fy, m), sum(s.held for s in year.sessions.get(m, [])),
         "、".join(_session(s) for s in year.sessions.get(m, []))] for m in MONTHS] + [
        ["合計", len(held), f"開催しなかった回 {not_held}"]]))
    average = year.participants / len(held) if held else 0.0
    out.append(("参加者（延べ人数）", [["区分", "延べ人数"]] + [
        [label, year.attendance[key]] for key, label in year.categories] + [
        ["参加者 合計", year.participants], ["うち初参加", year.first_time],
        ["運営・ボランティア", year.helpers], ["1回あたり平均", round(average, 1)]]))
    labels = {o.key: o.label.ja for o in ref.enums["activities"]}
    out.append(("活動内容", [["活動", "回数"]] + [
        [labels.get(k, k), n] for k, n in sorted(year.activities.items(),
                                                 key=lambda kv: -kv[1])]))
    rows: list[list[Any]] = [["条件", "結果", "内容"]]
    for c in year.compliance.conditions if year.compliance else ():
        if c.kind == "period":
            detail = f"達成 {c.met_periods}期・未達 {c.missed_periods}期（全{len(c.periods)}期）"
        else:
            detail = "—" if c.value is None else f"{c.value:.1f}（基準 {c.minimum:g}）"
        rows.append([c.label.ja, STATES.get(c.state, c.state), detail])
    out.append(("助成の条件", rows))
    f = year.figures
    report = year.grant.get("report") or {}
    income = {o.key: o.label.ja for o in ref.enums["grant_income"]}
    expenses = {o.key: o.label.ja for o in ref.enums["grant_expenses"]}
    money: list[list[Any]] = [["区分", "費目", "金額（円）"]]
    money += [["収入", income.get(x["category"], x["category"]), x["amount"]]
              for x in report.get("income") or []]
    money.append(["収入", "合計", f.income])
    money += [["支出", expenses.get(x["category"], x["category"]), x["amount"]]
              for x in report.get("expenses") or []]
    money.append(["支出", "合計", f.expenses])
    money += [["助成", "交付決定額", f.approved], ["助成", "交付済額", f.paid],
              ["助成", "確定額", f.confirmed if f.confirmed is not None else "未確定"],
              ["助成", "返還額", f.refund]]
    out.append(("収支決算", money))
    out.append(("自己評価", [["自己評価"], [report.get("self_evaluation") or "（記載なし）"]]))
    return out


def file_name(year: PlaceYear, fmt: str) -> str:
    """The report's file name, the place's name in it made safe (it is data)."""
    return safe_name(f"jisseki-FY{year.fiscal_year}-{year.place['name']}.{fmt}")


def heading_lines(year: PlaceYear) -> list[str]:
    p = year.place
    return [f"{year.fiscal_year}年度 実績報告書", f"{p['name']}（{year.program_label}）",
            f"運営団体: {p.get('group_name') or '—'}　会場: {p.get('venue') or '—'}"]


def xlsx(year: PlaceYear, ref: Reference, photos: Sequence[ReportPhoto] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "実績報告書"
    sheet.append([year.council])
    for i, line in enumerate(heading_lines(year)):
        sheet.append([line])
        if i == 0:
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14)
    for title, rows in sections(year, ref):
        sheet.append([])
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        for j, row in enumerate(rows):
            sheet.append(row)
            if j == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 90
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if photos:
        xlsx_sheet(book, photos)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(year: PlaceYear, ref: Reference, photos: Sequence[ReportPhoto] = ()) -> bytes:
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("jp", size=8)
            self.cell(0, 6, f"{year.council}　{year.place['name']}　{year.fiscal_year}年度 実績報告書"
                            f"　{self.page_no()} / {{nb}}", align="C")

    doc = Report(format="A4")
    doc.set_title(f"{year.fiscal_year}年度 実績報告書 {year.place['name']}")
    doc.set_author(year.council)
    doc.add_font("jp", fname=str(FONT))
    doc.set_auto_page_break(auto=True, margin=16)
    doc.add_page()
    doc.set_font("jp", size=9)
    doc.cell(0, 6, year.council, align="R", new_x="LMARGIN", new_y="NEXT")
    first, *rest = heading_lines(year)
    doc.set_font("jp", size=16)
    doc.cell(0, 10, first, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("jp", size=11)
    for line in rest:
        doc.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    for title, rows in sections(year, ref):
        doc.ln(3)
        doc.set_font("jp", size=12)
        doc.cell(0, 8, f"■ {title}", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("jp", size=9)
        _table(doc, rows, WIDTHS[title])
    if photos:
        pdf_pages(doc, photos)
    return bytes(doc.output())


def _table(doc: Any, rows: Sequence[Sequence[Any]], widths: tuple[float, ...]) -> None:
    from fpdf.fonts import FontFace

    # one weight of the font is bundled: headings are set apart by their shade, not bold
    heading = FontFace(emphasis="", fill_color=(225, 236, 232))
    with doc.table(col_widths=widths, line_height=5.5, text_align="LEFT",
                   first_row_as_headings=True, headings_style=heading) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
                           else str(value))
