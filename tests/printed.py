"""A workbook as the office prints it: rendered to PDF by headless LibreOffice (Debian's
libreoffice-calc, with a Japanese font), its pages read back with poppler's pdftotext and
photographed with pdftoppm under tests/artifacts — look at them."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import ARTIFACTS


@dataclass(frozen=True)
class Printed:
    pdf: Path
    # each page's lines as laid out (`pdftotext -layout`), runs of spaces made one
    pages: list[list[str]]
    # each page's text in the order it was drawn (`pdftotext -raw`), without spaces: a
    # heading set vertically comes out whole only here
    drawn: list[str]

    def flat(self, page: int | None = None) -> str:
        """A page's text (or all of it) as drawn, without spaces or line breaks."""
        return "".join(self.drawn) if page is None else self.drawn[page]

    def shows(self, words: str, pages: list[int] | None = None) -> bool:
        """Whether `words` (a row's cells, say: "こもれび広場 居場所 3 21") are printed in
        that order on one line of one of the pages."""
        wanted = " ".join(words.split())
        return any(wanted in line for n in (range(len(self.pages)) if pages is None else pages)
                   for line in self.pages[n])

    def of(self, footer: str) -> list[int]:
        """The pages (0-based) whose footer names `footer`: one sheet's pages of a workbook."""
        wanted = "".join(footer.split())
        return [n for n in range(len(self.pages)) if wanted in self.flat(n)]


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is missing: `make test` installs libreoffice-calc (docs/tests.md)"
    return found


def render(data: bytes | Path, tmp: Path, name: str) -> Printed:
    """The workbook printed to PDF by LibreOffice, as a person would from Calc. Each call
    has its own LibreOffice profile, so tests running side by side never share one."""
    work = tmp / f"print-{name}"
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{name}.xlsx"
    source.write_bytes(data if isinstance(data, bytes) else data.read_bytes())
    run = subprocess.run([soffice(), "--headless", "--norestore",
                          f"-env:UserInstallation={(work / 'profile').as_uri()}",
                          "--convert-to", "pdf", "--outdir", str(work), str(source)],
                         capture_output=True, text=True, timeout=180)
    pdf = work / f"{name}.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stdout + run.stderr
    return read(pdf, name)


def read(pdf: Path, name: str) -> Printed:
    """A PDF's pages as text, and a 60 dpi PNG of each page under tests/artifacts."""
    def text(mode: str) -> list[str]:
        out = subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True,
                             text=True, check=True, timeout=60).stdout.split("\f")
        return out[:-1] if out and not out[-1].strip() else out

    pages = [[" ".join(line.split()) for line in page.splitlines() if line.strip()]
             for page in text("-layout")]
    drawn = ["".join(page.split()) for page in text("-raw")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)],
                   check=True, timeout=120)
    return Printed(pdf, pages, drawn)


def check_printed(printed: Printed, *, council: str, rightmost: str,
                  figures: Iterable[str] = (), pages: list[int] | None = None,
                  count: int | None = None) -> None:
    """What every printed sheet must show on each of its `pages` (all of them unless
    said): one page wide (the rightmost column's heading on every page, which repeats with
    the heading rows), the council's name and `n / N` in the footer; and every figure
    somewhere on them. `count`: how many pages the sheet should take."""
    total = len(printed.pages)
    assert total >= 1
    pages = list(range(total)) if pages is None else pages
    if count is not None:
        assert len(pages) == count, f"{len(pages)} pages, expected {count}"
    for n in pages:
        page = printed.flat(n)
        assert "".join(rightmost.split()) in page, f"page {n + 1} lacks {rightmost!r}: cut sideways"
        assert "".join(council.split()) in page, f"page {n + 1} lacks the council's name"
        assert f"{n + 1}/{total}" in page, f"page {n + 1} lacks its number"
    missing = [f for f in figures if not printed.shows(f, pages)]
    assert not missing, f"not printed: {missing}"


def sheets(data: bytes) -> list[str]:
    return load_workbook(io.BytesIO(data)).sheetnames
