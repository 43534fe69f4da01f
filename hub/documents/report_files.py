"""A place's 実績報告書 as files: XLSX (openpyxl, set up to print by sheet.py) and PDF
(pdf.py: A4, the bundled Japanese font, page numbers, the council's name). Pure rendering
of an `annual_report.PlaceYear`: what a council's form asks (提出日, the group and its
representative, the venue, 登録者数 and 実人数 of a program with registration, each
budget line against the accounts, the self-evaluation) and the year's activity."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.compliance import AFTER, BEFORE, EXEMPT, FUTURE, MET, MISSED, OPEN
from core.domain.conditions import NOT_COUNTED
from core.domain.reference import Reference
from hub.documents import pdf as pdfkit
from hub.documents.annual_report import PlaceYear, Session
from hub.documents.filenames import safe_name
from hub.documents.report_photos import ReportPhoto, pdf_pages, xlsx_sheet
from hub.documents.reports import MONTHS
from hub.documents.sheet import YEN, print_ready
from hub.documents.survey import MEMBER_BANDS

STATES = {MET: "達成", MISSED: "未達", OPEN: "年度途中", FUTURE: "これから", EXEMPT: "対象外",
          BEFORE: "開設前", AFTER: "閉所後"}
NOT_YET = "—"


@dataclass(frozen=True)
class Section:
    """One titled table of the report. `columns`: the workbook column (1 to 5) each of its
    columns goes in, so that every table shares one set of widths and the long text lands
    in the wide last column; `widths`: its columns' shares of the PDF's text width."""
    title: str
    rows: list[list[Any]]
    columns: tuple[int, ...]
    widths: tuple[float, ...]
    yen: bool = False


def _month(fy: int, m: int) -> str:
    return f"{fy + (m < 4)}年{m}月"


def _day(iso: str) -> str:
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日"


def _session(s: Session) -> str:
    day = f"{int(s.date[5:7])}/{int(s.date[8:10])}"
    if s.monthly:  # the operator's report of the month
        if not s.held:
            return f"月次報告 開所なし（{s.reason}）"
        return f"月次報告 開所{s.days}日 {s.start}〜{s.end}（延べ{s.participants}人）"
    if not s.held:
        return f"{day} 開催せず（{s.reason}）"
    return f"{day} {s.start}〜{s.end}（{s.minutes}分・{s.participants}人）"


def particulars(year: PlaceYear) -> list[tuple[str, str]]:
    """What the council's form asks first: when it was handed in, by whom, where."""
    p = year.place
    report = year.grant.get("report") or {}
    fy = year.fiscal_year
    return [("提出日", _day(report["received_on"]) if report.get("received_on")
             else "（実績報告は未受付）"),
            ("事業", f"{p['name']}（{year.program_label}）"),
            ("団体名", p.get("group_name") or NOT_YET),
            ("代表者", p.get("representative") or NOT_YET),
            ("会場（所在地）", p.get("venue") or NOT_YET),
            ("対象期間", f"{fy}年4月1日〜{fy + 1}年3月31日")]


def _sessions(year: PlaceYear) -> Section:
    fy = year.fiscal_year
    rows: list[list[Any]] = [["月", "開催回数", "参加者（延べ）", "開催しなかった回",
                              "開催日（時間・参加者）"]]
    for m in MONTHS:
        month = year.sessions.get(m, [])
        rows.append([_month(fy, m), sum(s.days for s in month if s.held),  # a month's report: its days
                     sum(s.participants for s in month if s.held),
                     sum(not s.held for s in month), "、".join(_session(s) for s in month)])
    rows.append(["合計", *(sum(r[i] for r in rows[1:]) for i in (1, 2, 3)), ""])
    return Section("開催状況", rows, (1, 2, 3, 4, 5), (0.12, 0.1, 0.15, 0.17, 0.46))


def _members(year: PlaceYear, ref: Reference) -> Section:
    """登録者数 by age band and sex, and the 実人数 they make (the roster's count of people:
    gatherings count 延べ, never who came)."""
    if year.members is None:
        return Section("登録者数・実人数", [["登録者数・実人数"], [
            "この年度の登録者数（名簿の人数）が記録されていないため、実人数は不明です。"]],
            (1,), (1.0,))
    bands = {o.key: o.label.ja for o in ref.enums["age_bands_survey"]}
    sexes = ref.enums["member_sexes"]
    counts = year.members.get("counts") or {}
    rows: list[list[Any]] = [["年齢区分", *(o.label.ja for o in sexes), "計"]]
    for band in MEMBER_BANDS:
        by_sex = [int((counts.get(band) or {}).get(o.key, 0)) for o in sexes]
        rows.append([bands.get(band, band), *by_sex, sum(by_sex)])
    total = [sum(r[i] for r in rows[1:]) for i in range(1, len(sexes) + 2)]
    rows.append(["登録者数 計", *total])
    rows.append(["実人数（名簿の登録者）", "", "", "", total[-1]])
    return Section("登録者数・実人数", rows, (1, 2, 3, 4, 5), (0.32, 0.17, 0.17, 0.17, 0.17))


def _money(year: PlaceYear, ref: Reference) -> Section:
    """Each budget line against what was spent on it, and the income as reported."""
    f = year.figures
    report = year.grant.get("report")
    budget = (year.grant.get("application") or {}).get("budget") or []
    income = {o.key: o.label.ja for o in ref.enums["grant_income"]}
    expenses = {o.key: o.label.ja for o in ref.enums["grant_expenses"]}

    def by_category(lines: list[dict[str, Any]]) -> dict[str, int]:
        out: dict[str, int] = {}
        for x in lines:
            out[x["category"]] = out.get(x["category"], 0) + int(x["amount"])
        return out

    planned = by_category(budget)
    spent = by_category((report or {}).get("expenses") or [])
    got = by_category((report or {}).get("income") or [])
    rows: list[list[Any]] = [["区分", "費目", "予算額", "決算額", "増減（決算−予算）"]]
    for key, n in got.items():
        rows.append(["収入", income.get(key, key), NOT_YET, n, NOT_YET])
    rows.append(["収入", "合計", NOT_YET, f.income if report else NOT_YET, NOT_YET])
    order = [k for k in expenses if k in planned or k in spent]
    order += [k for k in {**planned, **spent} if k not in expenses]
    for key in order:
        plan, done = planned.get(key, 0), spent.get(key, 0)
        rows.append(["支出", expenses.get(key, key), plan if budget else NOT_YET,
                     done if report else NOT_YET, done - plan if report and budget else NOT_YET])
    plan = sum(planned.values())
    rows.append(["支出", "合計", plan if budget else NOT_YET, f.expenses if report else NOT_YET,
                 f.expenses - plan if report and budget else NOT_YET])
    rows += [["収支", "差引（収入−支出）", NOT_YET,
              f.income - f.expenses if report else NOT_YET, NOT_YET],
             ["助成", "交付決定額", NOT_YET, f.approved, NOT_YET],
             ["助成", "交付済額", NOT_YET, f.paid, NOT_YET],
             ["助成", "確定額", NOT_YET, f.confirmed if f.confirmed is not None else "未確定",
              NOT_YET],
             ["助成", "返還額", NOT_YET, f.refund, NOT_YET]]
    return Section("収支決算（予算と決算）", rows, (1, 2, 3, 4, 5),
                   (0.1, 0.3, 0.18, 0.18, 0.24), yen=True)


def sections(year: PlaceYear, ref: Reference) -> list[Section]:
    """The report's content as titled tables, shared by both formats."""
    out = [_sessions(year)]
    sessions = year.held_sessions  # a month's report counts its opening days
    average = year.participants / sessions if sessions else 0.0
    out.append(Section("参加者（延べ人数）", [["区分", "延べ人数"]] + [
        [label, year.attendance[key]] for key, label in year.categories] + [
        ["参加者 合計", year.participants], ["うち初参加", year.first_time],
        ["運営・ボランティア", year.helpers], ["1回あたり平均", round(average, 1)]],
        (1, 2), (0.6, 0.4)))
    if year.registration:
        out.append(_members(year, ref))
    labels = {o.key: o.label.ja for o in ref.enums["activities"]}
    out.append(Section("活動内容", [["活動", "回数"]] + [
        [labels.get(k, k), n] for k, n in sorted(year.activities.items(),
                                                 key=lambda kv: -kv[1])], (1, 2), (0.6, 0.4)))
    rows: list[list[Any]] = [["条件", "結果", "内容"]]
    for c in year.compliance.conditions if year.compliance else ():
        if c.kind == "period":
            outside = sum(p.state in NOT_COUNTED for p in c.periods)
            detail = (f"達成 {c.met_periods}期・未達 {c.missed_periods}期"
                      f"（対象 {len(c.periods) - outside}期"
                      + (f"、開設前・閉所後などで数えない期 {outside}" if outside else "") + "）")
        else:
            detail = "—" if c.value is None else f"{c.value:.1f}（基準 {c.minimum:g}）"
        rows.append([c.label.ja, STATES.get(c.state, c.state), detail])
    out.append(Section("助成の条件", rows, (1, 2, 5), (0.42, 0.12, 0.46)))
    out.append(_money(year, ref))
    report = year.grant.get("report") or {}
    out.append(Section("自己評価", [["自己評価"], [report.get("self_evaluation") or "（記載なし）"]],
                       (1,), (1.0,)))
    return out


def file_name(year: PlaceYear, fmt: str) -> str:
    """The report's file name, the place's name in it made safe (it is data)."""
    return safe_name(f"jisseki-FY{year.fiscal_year}-{year.place['name']}.{fmt}")


def title(year: PlaceYear) -> str:
    return f"{year.fiscal_year}年度 実績報告書"


def xlsx(year: PlaceYear, ref: Reference, photos: Sequence[ReportPhoto] = ()) -> bytes:
    """The report on one sheet as a form: the council and title, repeated on each page,
    then what the form asks and each table, in five columns that every table shares; the
    chosen activity photos on a sheet of their own."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "実績報告書"
    last = 5
    row = 0

    def across(value: Any, *, start: int = 1, size: float | None = None,
               align: str | None = None) -> Any:
        """`value` in the current row, spanning the columns from `start` to the last."""
        cell = sheet.cell(row, start, value)
        sheet.merge_cells(start_row=row, start_column=start, end_row=row, end_column=last)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=align)
        if size:
            cell.font = Font(bold=True, size=size)
        return cell

    row += 1
    across(year.council, align="right")
    row += 1
    across(title(year), size=14, align="center")
    for label, value in particulars(year):
        row += 1
        sheet.cell(row, 1, label).font = Font(bold=True)
        across(value, start=2)
    shade = PatternFill("solid", fgColor="E1ECE8")
    for section in sections(year, ref):
        row += 2  # a blank row before each table
        across(section.title, size=12)
        for j, values in enumerate(section.rows):
            row += 1
            if len(section.columns) == 1:  # one text across the page
                cells = [across(values[0])]
            else:
                cells = [sheet.cell(row, column, value)
                         for column, value in zip(section.columns, values, strict=True)]
            for cell in cells:
                if j == 0:
                    cell.font = Font(bold=True)
                    cell.fill = shade
                elif section.yen and isinstance(cell.value, int):
                    cell.number_format = YEN
                elif cell.value == NOT_YET:
                    cell.alignment = Alignment(horizontal="right")
    print_ready(sheet, council=year.council, title=f"{year.place['name']}　{title(year)}",
                header_rows=2, landscape=False, limits={1: 24, last: 44})
    if photos:
        xlsx_sheet(book, photos)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(year: PlaceYear, ref: Reference, photos: Sequence[ReportPhoto] = ()) -> bytes:
    doc = pdfkit.document(year.council, f"{title(year)} {year.place['name']}",
                          f"{year.place['name']}　{title(year)}")
    doc.add_page()
    doc.set_font("jp", size=9)
    doc.cell(0, 6, pdfkit.printable(doc, year.council), align="R", new_x="LMARGIN",
             new_y="NEXT")
    doc.set_font("jp", size=16)
    doc.cell(0, 10, title(year), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("jp", size=10)
    pdfkit.table(doc, [["項目", "内容"], *([k, v] for k, v in particulars(year))], (0.2, 0.8))
    for section in sections(year, ref):
        doc.ln(3)
        doc.set_font("jp", size=12)
        doc.cell(0, 8, f"■ {section.title}", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("jp", size=9)
        pdfkit.table(doc, section.rows, section.widths)
    if photos:
        pdf_pages(doc, photos)
    return bytes(doc.output())
