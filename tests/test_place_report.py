"""A place's 実績報告書 from known records, on SQLite and PostgreSQL: the XLSX read back with
openpyxl, the PDF's text read back (Japanese included) and its pages rendered to PNG with
pdftoppm under tests/artifacts, both from the office API and from `ibasho-hub export`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
from openpyxl import load_workbook
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.pool import NullPool

from tests.conftest import ARTIFACTS
from tests.hubs import Hub
from tests.test_grants import APPLICATION, DECISION, PAYMENTS, REPORT, year_before
from tests.test_reports import KOMOREBI, known_data


def settle(office: httpx.Client) -> None:
    """A FY2025 grant for こもれび広場, settled: the accounts the report shows."""
    rev = 0
    for name, data in (("application", APPLICATION), ("decision", DECISION),
                       ("payments", PAYMENTS), ("report", REPORT),
                       ("settlement", {"settled_on": "2027-04-15", "confirmed_yen": 72_500})):
        r = office.put(f"/grants/{KOMOREBI.id}/2025/{name}",
                       json={**year_before(data), "based_on": rev})
        assert r.status_code == 200, r.text
        rev = r.json()["rev"]


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler reads it (what a search or a screen reader gets)."""
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True, timeout=60)
    return run.stdout


def test_the_place_report_matches_the_records(tmp_path: Path, hub: Hub,
                                              office: httpx.Client) -> None:
    known_data(tmp_path, hub)  # こもれび広場 in FY2025: 04-01 (7), 06-15 (6), 03-31 (8)
    settle(office)
    subprocess.run([sys.executable, "-m", "hub.cli", "council", "武蔵野市民社会福祉協議会"],
                   check=True, capture_output=True, timeout=60,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                        "IBASHO_HUB_DATABASE_URL": hub.database_url})
    got = office.get(f"/places/{KOMOREBI.id}/annual-report",
                     params={"fiscal_year": 2025, "format": "xlsx"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(got.content))["実績報告書"]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["武蔵野市民社会福祉協議会"] and rows[1] == ["2025年度 実績報告書"]
    by_first = {r[0]: r for r in rows if r}
    assert by_first["合計"][1] == 3  # sessions in FY2025 (not 2025-03-31, not 2026-04-01)
    assert by_first["参加者 合計"][1] == 7 + 6 + 8
    assert by_first["高齢者（65歳以上）"][1] == 5 + 4
    assert by_first["うち初参加"][1] == 3 and by_first["運営・ボランティア"][1] == 7
    assert by_first["2025年6月"][1] == 1 and "6/15 10:00〜11:30（90分・6人）" in by_first["2025年6月"][2]
    money = [r for r in rows if r and r[0] == "助成"]
    assert ["助成", "確定額", 72_500] in money and ["助成", "返還額", 7_500] in money
    assert ["参加者が増えた"] in rows

    pdf = office.get(f"/places/{KOMOREBI.id}/annual-report",
                     params={"fiscal_year": 2025, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "report.pdf").write_bytes(pdf.content)
    text = flat(pdf_text(tmp_path / "report.pdf"))
    pages = text.count("実績報告書") - 1  # once in the title, once in each page's footer
    for expected in ("武蔵野市民社会福祉協議会", "2025年度実績報告書", "こもれび広場（居場所）",
                     "参加者合計21", "うち初参加3", "確定額72,500", "返還額7,500",
                     "2か月に1回以上（2時間以上）", "参加者が増えた", f"1/{pages}"):
        assert flat(expected) in text, expected
    fonts = subprocess.run(["pdffonts", str(tmp_path / "report.pdf")], capture_output=True,
                           text=True, check=True, timeout=60).stdout.splitlines()[2:]
    # every font embedded (emb), as a subset (sub), with a Unicode map (uni)
    assert fonts and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)
    # rendered as the office would print it: look at these
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "report.pdf"),
                    str(ARTIFACTS / f"place-report-{hub.database_url.split(':')[0]}")],
                   check=True, timeout=120)
    engine = create_engine(hub.database_url, poolclass=NullPool)
    with engine.connect() as conn:  # each download is in the audit log, with who and what
        exported = conn.execute(sql(
            "SELECT actor, detail FROM audit WHERE action = 'place_report_exported'")).all()
    engine.dispose()
    assert [(a, json.loads(d)["format"]) for a, d in exported] == [("sato", "xlsx"),
                                                                   ("sato", "pdf")]
    # the council's year across places and programs, with the grant settled above
    book = load_workbook(io.BytesIO(office.get("/reports", params={
        "fiscal_year": 2025, "format": "xlsx"}).content))
    rows = list(book["年間まとめ"].iter_rows(values_only=True))
    summary = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r and r[0]
               and len(r) == len(rows[0]) and r[1] is not None}
    ibasho = summary["居場所"]
    assert (ibasho["開催回数"], ibasho["参加者 延べ"]) == (3, 21)
    assert (ibasho["交付決定 件数"], ibasho["交付決定額"], ibasho["交付済額"], ibasho["確定額"],
            ibasho["返還額"]) == (1, 80_000, 80_000, 72_500, 7_500)
    assert summary["合計"]["開催回数"] == 4  # and the salon's one
    csv_file = office.get("/reports", params={"fiscal_year": 2025, "format": "csv",
                                              "table": "summary"})
    assert "年間まとめ" not in csv_file.text and "交付決定額" in csv_file.content.decode("utf-8-sig")


def test_export_writes_the_place_report_and_refuses_what_it_cannot_make(
        tmp_path: Path, hub: Hub) -> None:
    known_data(tmp_path, hub)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "IBASHO_HUB_DATABASE_URL": hub.database_url}
    base = [sys.executable, "-m", "hub.cli", "export", "--fiscal-year", "2025",
            "--out", str(tmp_path / "out")]
    # by id, and by name as the office knows it (`ibasho-hub places` lists both)
    for fmt, named in (("pdf", KOMOREBI.id), ("xlsx", KOMOREBI.name)):
        run = subprocess.run([*base, "--format", fmt, "--place", named],
                             capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".pdf", ".xlsx"]
    listed = subprocess.run([sys.executable, "-m", "hub.cli", "places", "--search", "こもれび"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert listed.returncode == 0 and listed.stdout.splitlines() == [
        line for line in listed.stdout.splitlines() if KOMOREBI.id in line] != []
    made = next((tmp_path / "out").glob("*.pdf"))
    assert "こもれび広場" in pdf_text(made)
    for bad, says in ((["--format", "pdf"], "--place"),
                      (["--format", "csv", "--place", KOMOREBI.id], "pdf or xlsx"),
                      (["--format", "pdf", "--place", "nope"], "no place"),
                      (["--format", "pdf", "--place", "サロン"], "places match")):
        run = subprocess.run([*base, *bad], capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode != 0 and says in run.stderr, (bad, run.stderr)

