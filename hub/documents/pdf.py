"""What every PDF the office prints shares (fpdf2): A4, the bundled Japanese font embedded
as a subset, the council's name, the document's title and the page number in each footer,
and tables whose headings are set apart by shade."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.reference_data import ASSETS_DIR

FONT = ASSETS_DIR / "fonts" / "NotoSansJP-JIS0208.otf"
# JIS X 0208's 〓 (geta), the mark Japanese print puts where a character cannot be set
MISSING = "〓"


def document(council: str, title: str, footer: str, *, landscape: bool = False) -> Any:
    """An A4 document with the font added and the footer `council　footer　n / N`."""
    from fpdf import FPDF

    class Printed(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("jp", size=8)
            self.cell(0, 6, printable(self, f"{council}　{footer}　{self.page_no()} / {{nb}}"),
                      align="C")

    doc = Printed(format="A4", orientation="L" if landscape else "P")
    doc.set_title(title)
    doc.set_author(council)
    doc.add_font("jp", fname=str(FONT))
    doc.set_auto_page_break(auto=True, margin=16)
    return doc


def printable(doc: Any, text: str) -> str:
    """`text` with each character the bundled font lacks shown as 〓 (the JIS X 0208
    subset has no emoji and few rare kanji): dropped silently, it would change what the
    reader is told; the workbook beside the PDF keeps every character."""
    cmap = doc.fonts["jp"].cmap
    return "".join(c if c in "\n\t" or ord(c) in cmap else MISSING for c in text)


def lacks(doc: Any, texts: Sequence[str]) -> bool:
    """Whether any of `texts` holds a character the PDF shows as 〓."""
    cmap = doc.fonts["jp"].cmap
    return any(c not in "\n\t" and ord(c) not in cmap for t in texts for c in t)


def table(doc: Any, rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
    """A table whose first row is its heading; whole numbers with thousands separators."""
    from fpdf.fonts import FontFace

    # one weight of the font is bundled: headings are set apart by their shade, not bold
    heading = FontFace(emphasis="", fill_color=(225, 236, 232))
    with doc.table(col_widths=tuple(widths), line_height=5.5, text_align="LEFT",
                   first_row_as_headings=True, headings_style=heading) as grid:
        for row in rows:
            cells = grid.row()
            for value in row:
                cells.cell(f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
                           else printable(doc, str(value)))
