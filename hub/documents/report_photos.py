"""The 実績報告書's page of activity photos (活動の様子): the photos the office chose, each
marked 報告書に使用可 on the tablet, with the day it was taken and its caption. Rendered
into the report's PDF (fpdf2) and XLSX (openpyxl) by report_files; kept apart from the
rest of the report's layout."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TITLE = "活動の様子（写真）"
COLUMNS, ROWS = 2, 3  # photos on an A4 page
GAP = 6.0  # mm between photos
PICTURE = 60.0  # mm: the height a picture may take
TEXT = 5  # lines of date and caption under it
MAX_TEXT = 150  # characters of caption that fit those lines
SHEET = "活動写真"
XLSX_WIDTH = 320  # px: a picture's width on the sheet


@dataclass(frozen=True)
class ReportPhoto:
    """A chosen photo as the report prints it."""

    data: bytes
    width: int
    height: int
    taken_on: str
    caption: str
    record_day: str = ""


def day(iso: str) -> str:
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日" if len(iso) >= 10 else iso


def words(photo: ReportPhoto) -> str:
    caption = photo.caption if len(photo.caption) <= MAX_TEXT else \
        photo.caption[:MAX_TEXT - 1] + "…"
    return f"{day(photo.taken_on)}　{caption}".strip()


def fit(photo: ReportPhoto, width: float, height: float) -> tuple[float, float]:
    scale = min(width / photo.width, height / photo.height)
    return photo.width * scale, photo.height * scale


def pdf_pages(doc: Any, photos: Sequence[ReportPhoto]) -> None:
    """The photo pages at the end of the PDF (the font `jp` added), six to a page."""
    line = 4.0
    cell_w = (doc.epw - GAP * (COLUMNS - 1)) / COLUMNS
    cell_h = PICTURE + 2 + TEXT * line + GAP
    per_page = COLUMNS * ROWS
    for start in range(0, len(photos), per_page):
        doc.add_page()
        doc.set_font("jp", size=12)
        doc.cell(0, 8, f"■ {TITLE}", new_x="LMARGIN", new_y="NEXT")
        top = doc.get_y() + 2
        for i, photo in enumerate(photos[start:start + per_page]):
            x = doc.l_margin + (i % COLUMNS) * (cell_w + GAP)
            y = top + (i // COLUMNS) * cell_h
            w, h = fit(photo, cell_w, PICTURE)
            doc.image(io.BytesIO(photo.data), x=x + (cell_w - w) / 2, y=y + (PICTURE - h) / 2,
                      w=w, h=h)
            doc.set_xy(x, y + PICTURE + 2)
            doc.set_font("jp", size=8)
            doc.multi_cell(cell_w, line, words(photo), new_x="LEFT", new_y="NEXT",
                           max_line_height=line)


def xlsx_sheet(book: Any, photos: Sequence[ReportPhoto]) -> None:
    """A sheet of the photos: each picture with its day and caption beside it."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(SHEET)
    sheet.append([TITLE])
    sheet.cell(1, 1).font = Font(bold=True, size=12)
    sheet.append(["写真", "撮影日", "説明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = XLSX_WIDTH / 7 + 2
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 60
    for n, photo in enumerate(photos, start=3):
        w, h = fit(photo, XLSX_WIDTH, XLSX_WIDTH)
        picture = Image(io.BytesIO(photo.data))
        picture.width, picture.height = int(w), int(h)
        sheet.add_image(picture, f"A{n}")
        sheet.cell(n, 2, day(photo.taken_on))
        sheet.cell(n, 3, photo.caption)
        sheet.row_dimensions[n].height = h * 0.75 + 6  # points
        for column in (2, 3):
            sheet.cell(n, column).alignment = Alignment(wrap_text=True, vertical="top")
    # printed like the report's other sheets: A4, one page wide, the headings on each page
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    sheet.freeze_panes = "A3"
