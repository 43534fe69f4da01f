"""How every workbook the office prints is set up, in one place: A4, one page wide, each
column as wide as what it holds (a Japanese character counted twice), long text wrapped,
the heading rows repeated on every page and frozen on screen, yen, dates and counts in
their formats, and the council's name and the page number in the footer.

Used by the year's workbook, a place's 実績報告書, the 第三者提供記録, the 開示 and the
survey, so that each prints as the office hands it over (tests render each through
LibreOffice and read the pages back)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

YEN = '#,##0"円"'
COUNT = "#,##0"
PLAIN = "0"  # a year: no thousands separator
DECIMAL = "#,##0.0"
DATE = 'yyyy"年"m"月"d"日"'
MINUTE = 'yyyy"年"m"月"d"日" hh:mm'
# what A4 holds at full size, in character widths (Excel's unit: one digit of the default
# font): wider sheets are turned to landscape before they are shrunk to one page wide
PORTRAIT = 95
LANDSCAPE = 145
WIDEST = 48  # a column holding longer text wraps it rather than growing past this
HEADING = 14  # a heading longer than its column's figures wraps over two or three lines
NARROW = 8  # or, in a wide sheet, over three or four
SQUEEZED = 20  # the narrowest a column of long text is made to keep a wide sheet readable
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def width(text: str) -> int:
    """The widest line of `text` in character widths: full-width and wide characters (and
    the ambiguous ones, which Japanese fonts draw full-width) count two."""
    return max((sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in line)
                for line in text.split("\n")), default=0)


def shown(value: Any, fmt: str = "General") -> str:
    """A cell's value roughly as Excel shows it in `fmt` (for its width)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.1f}" if fmt == DECIMAL or isinstance(value, float) else f"{value:,}"
    return text + ("円" if fmt == YEN else "")


def _typed(value: Any, fmt: str) -> Any:
    """A date written as text, as a date the sheet can sort and format."""
    if isinstance(value, str):
        if fmt == DATE and ISO_DAY.match(value):
            return dt.date.fromisoformat(value)
        if fmt == MINUTE and ISO_MINUTE.match(value):
            return dt.datetime.fromisoformat(value)
    return value


def _figure(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _default_format(value: Any) -> str:
    if isinstance(value, bool):
        return "General"
    if isinstance(value, dt.datetime):
        return MINUTE
    if isinstance(value, dt.date):
        return DATE
    if isinstance(value, int):
        return COUNT
    if isinstance(value, float):
        return DECIMAL
    return "General"


def footer_text(text: str) -> str:
    """Text as a footer shows it: `&` starts a footer code, so a literal one is doubled."""
    return text.replace("&", "&&")


def lines(text: str, room: float) -> int:
    """How many lines `text` takes wrapped in `room` character widths."""
    room = max(room, 2.0)
    return sum(max(1, -(-width(part) // int(room))) for part in text.split("\n"))


def print_ready(sheet: Worksheet, *, council: str, title: str = "", header_rows: int = 1,
                frozen_columns: int = 0, formats: Mapping[int, str] | None = None,
                limits: Mapping[int, int] | None = None, landscape: bool | None = None
                ) -> None:
    """Set `sheet` up to print and to read on screen, from what it holds.

    `header_rows`: the heading rows at the top (repeated on each page, frozen, wrapped);
    `frozen_columns`: the columns kept in view when scrolling sideways; `formats`: a number
    format by column (1-based) for the rows below the heading — ISO dates written as text
    in a DATE or MINUTE column become dates. Other numbers get thousands separators; a
    cell given a format already keeps it. `limits`: the widest a column may grow (by
    column; WIDEST otherwise) before its text wraps. Merged cells do not set their columns'
    widths. Sheets wider than A4 portrait print in landscape unless `landscape` says; one
    too wide even so sets the headings of its narrow columns vertically (縦書き), as
    Japanese forms do, rather than be shrunk to an unreadable size. Rows are made as tall
    as their wrapped text (LibreOffice does not fit them when it opens a workbook)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    formats, limits = formats or {}, limits or {}
    merged = {(r, c) for rng in sheet.merged_cells.ranges
              for r in range(rng.min_row, rng.max_row + 1)
              for c in range(rng.min_col, rng.max_col + 1)}
    data: dict[int, int] = {}  # column -> its widest value below the heading
    heads: dict[int, int] = {}  # column -> its widest heading
    figures: dict[int, bool] = {}  # column -> whether all it holds below the heading are figures
    for row in sheet.iter_rows():
        for cell in row:
            col = int(cell.column)
            heading = cell.row <= header_rows
            if not heading and cell.value is not None:
                fmt = formats.get(col)
                if fmt:
                    cell.value = _typed(cell.value, fmt)
                    cell.number_format = fmt
                elif cell.number_format == "General":
                    cell.number_format = _default_format(cell.value)
            if heading and not cell.font.b:
                cell.font = Font(bold=True, size=cell.font.sz)
            if (cell.row, col) in merged:
                continue
            wide = width(shown(cell.value, cell.number_format))
            into = heads if heading else data
            into[col] = max(into.get(col, 0), min(wide, limits.get(col, WIDEST)))
            if not heading and cell.value not in (None, ""):
                figures[col] = figures.get(col, True) and _figure(cell.value)
    count = sheet.max_column

    def layout(heading: int, text: int, upright: set[int]) -> dict[int, int]:
        return {c: max(6, 2 + (min(data.get(c, 0), text) if c in upright
                               else max(min(heads.get(c, 0), heading),
                                        min(data.get(c, 0), text))))
                for c in range(1, count + 1)}

    # A sheet too wide for a landscape page is made narrower rather than shrunk until it
    # cannot be read: its headings wrap over more lines; then the headings of columns of
    # figures stand upright; then long text wraps in narrower columns.
    upright: set[int] = set()
    columns = layout(HEADING, WIDEST, upright)
    if sum(columns.values()) > LANDSCAPE and header_rows:
        columns = layout(NARROW, WIDEST, upright)
    if sum(columns.values()) > LANDSCAPE * 1.2 and header_rows:
        upright = {c for c in columns if figures.get(c) and heads.get(c, 0) > data[c] + 2}
        columns = layout(NARROW, WIDEST, upright)
    cap = WIDEST
    while sum(columns.values()) > LANDSCAPE * 1.2 and cap > SQUEEZED:
        cap -= 4
        columns = layout(NARROW, cap, upright)
    for col, w in columns.items():
        sheet.column_dimensions[get_column_letter(col)].width = w
    spans = {(rng.min_row, rng.min_col): sum(columns[c] for c in range(rng.min_col,
                                                                      rng.max_col + 1))
             for rng in sheet.merged_cells.ranges if rng.min_row == rng.max_row}
    for row in sheet.iter_rows():
        height = 0.0
        for cell in row:
            col = int(cell.column)
            if cell.value is None:
                continue
            heading = cell.row <= header_rows
            size = float(cell.font.sz or 11)
            text = shown(cell.value, cell.number_format)
            if heading and col in upright:
                cell.alignment = Alignment(text_rotation=255, vertical="bottom",
                                           horizontal="center")
                height = max(height, len(text.replace("\n", "")) * size * 1.12 + 6)
                continue
            room = spans.get((cell.row, col), columns.get(col, 8)) - 1
            wrap = heading or bool(cell.alignment.wrap_text) or width(text) > room
            dated = cell.number_format in (DATE, MINUTE) and not heading
            cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=(
                "center" if dated else cell.alignment.horizontal))
            if wrap or size > 11:
                height = max(height, lines(text, room) * size * 1.5 + 3)
        if height > 15:
            sheet.row_dimensions[row[0].row].height = round(height, 1)
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    if landscape is None:
        landscape = sum(columns.values()) > PORTRAIT
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.5
    margins.top, margins.bottom, margins.footer = 0.6, 0.75, 0.3
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"
    if header_rows or frozen_columns:
        sheet.freeze_panes = sheet.cell(header_rows + 1, frozen_columns + 1).coordinate
    sheet.oddFooter.left.text = footer_text(council)
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.right.text = footer_text(title) if title else "&A"
    for part in (sheet.oddFooter.left, sheet.oddFooter.center, sheet.oddFooter.right):
        part.size = 9
