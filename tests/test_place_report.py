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

from hub.documents.sheet import YEN
from tests.conftest import ARTIFACTS
from tests.factories import SALON
from tests.hubs import Field, Hub
from tests.printed import check_printed, render
from tests.test_grants import APPLICATION, DECISION, PAYMENTS, REPORT, year_before
from tests.test_guards_everywhere import NUMBER
from tests.test_reports import KOMOREBI, known_data
from tests.test_survey import MEMBERS


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


def represent(office: httpx.Client, place_id: str, name: str) -> None:
    """The office names the group's representative on the place (console: 場所)."""
    place = next(p for p in office.get("/places").json()["places"] if p["id"] == place_id)
    r = office.put(f"/places/{place_id}", json={"rev": place["rev"], "representative": name})
    assert r.status_code == 200 and r.json()["place"]["representative"] == name, r.text


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
    represent(office, KOMOREBI.id, "山本 和子")
    got = office.get(f"/places/{KOMOREBI.id}/annual-report",
                     params={"fiscal_year": 2025, "format": "xlsx"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(got.content))["実績報告書"]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["武蔵野市民社会福祉協議会"] and rows[1] == ["2025年度 実績報告書"]
    by_first = {r[0]: r for r in rows if r}
    # what the council's form asks first
    assert by_first["提出日"] == ["提出日", "2026年4月10日"]  # the 実績報告 received
    assert by_first["団体名"] == ["団体名", "こもれびの会"]
    assert by_first["代表者"] == ["代表者", "山本 和子"]
    assert by_first["会場（所在地）"] == ["会場（所在地）", "本町コミュニティセンター"]
    # sessions in FY2025 (not 2025-03-31, not 2026-04-01), people, sessions not held
    assert by_first["合計"][1:4] == [3, 7 + 6 + 8, 0]
    assert by_first["2025年6月"] == ["2025年6月", 1, 6, 0, "6/15 10:00〜11:30（90分・6人）"]
    assert by_first["参加者 合計"][1] == 7 + 6 + 8
    assert by_first["高齢者（65歳以上）"][1] == 5 + 4
    assert by_first["うち初参加"][1] == 3 and by_first["運営・ボランティア"][1] == 7
    assert "登録者数・実人数" not in by_first  # not a program with registration
    # each budget line against its accounts (food: 50,000 planned, 60,500 spent)
    money = [r for r in rows if r and r[0] in ("収入", "支出", "収支", "助成")]
    assert ["支出", "食糧費", 50_000, 60_500, 10_500] in money
    assert ["支出", "保険料", 30_000, 12_000, -18_000] in money
    assert ["支出", "合計", 80_000, 72_500, -7_500] in money
    assert ["収入", "参加費", "—", 12_000, "—"] in money
    assert ["収入", "合計", "—", 92_000, "—"] in money
    assert ["収支", "差引（収入−支出）", "—", 19_500, "—"] in money
    assert ["助成", "確定額", "—", 72_500, "—"] in money
    assert ["助成", "返還額", "—", 7_500, "—"] in money
    assert ["参加者が増えた"] in rows
    yen = [c for r in sheet.iter_rows() for c in r if c.value == 60_500]
    assert yen and all(c.number_format == YEN for c in yen)
    # printed from Excel or LibreOffice: A4 portrait, one page wide, every figure there
    assert sheet.page_setup.orientation == "portrait" and sheet.print_title_rows == "$1:$2"
    db = hub.database_url.split(":")[0]
    printed = render(got.content, tmp_path, f"place-report-xlsx-{db}")
    check_printed(printed, pages=[0], council="武蔵野市民社会福祉協議会",
                  rightmost="開催日（時間・参加者）")
    check_printed(printed, council="武蔵野市民社会福祉協議会", rightmost="2025年度 実績報告書",
                  count=1, figures=[
                      "提出日 2026年4月10日", "代表者 山本 和子", "団体名 こもれびの会",
                      "会場（所在地） 本町コミュニティセンター",
                      "2025年6月 1 6 0 6/15 10:00〜11:30（90分・6人）", "合計 3 21 0",
                      "参加者 合計 21", "うち初参加 3", "運営・ボランティア 7",
                      "支出 食糧費 50,000円 60,500円 10,500円",
                      "支出 保険料 30,000円 12,000円 -18,000円",
                      "支出 合計 80,000円 72,500円 -7,500円", "収入 合計 — 92,000円 —",
                      "助成 確定額 — 72,500円 —", "助成 返還額 — 7,500円 —",
                      "2か月に1回以上（2時間以上）", "参加者が増えた"])
    assert printed.shows("予算額 決算額 増減（決算−予算）", [0]), "the accounts' last column"

    pdf = office.get(f"/places/{KOMOREBI.id}/annual-report",
                     params={"fiscal_year": 2025, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "report.pdf").write_bytes(pdf.content)
    text = flat(pdf_text(tmp_path / "report.pdf"))
    pages = text.count("実績報告書") - 1  # once in the title, once in each page's footer
    for expected in ("武蔵野市民社会福祉協議会", "2025年度実績報告書", "こもれび広場（居場所）",
                     "提出日2026年4月10日", "代表者山本 和子", "参加者合計21", "うち初参加3",
                     "食糧費50,00060,50010,500", "確定額—72,500", "返還額—7,500",
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



def test_a_registration_program_s_report_gives_its_members_or_says_they_are_unknown(
        tmp_path: Path, hub: Hub, office: httpx.Client) -> None:
    known_data(tmp_path, hub)  # the salon met once in FY2025: 12 seniors, 1 under 65
    db = hub.database_url.split(":")[0]

    def report(fmt: str) -> bytes:
        got = office.get(f"/places/{SALON.id}/annual-report",
                         params={"fiscal_year": 2025, "format": fmt})
        assert got.status_code == 200, got.text
        return got.content

    def rows(data: bytes) -> dict[str, list[object]]:
        sheet = load_workbook(io.BytesIO(data))["実績報告書"]
        return {r[0]: r for r in ([c for c in row if c is not None]
                                  for row in sheet.iter_rows(values_only=True)) if r}

    unknown = "この年度の登録者数（名簿の人数）が記録されていないため、実人数は不明です。"
    before = report("xlsx")
    assert unknown in rows(before) and "実人数（名簿の登録者）" not in rows(before)
    assert office.put(f"/places/{SALON.id}/members/2025", json=MEMBERS).status_code == 200
    data = report("xlsx")
    got = rows(data)
    assert got["年齢区分"] == ["年齢区分", "女性", "男性", "その他・不明", "計"]
    assert got["65歳未満"] == ["65歳未満", 1, 0, 0, 1]
    assert got["65〜74歳"] == ["65〜74歳", 6, 2, 0, 8]
    assert got["75歳以上"] == ["75歳以上", 9, 3, 1, 13]
    assert got["登録者数 計"] == ["登録者数 計", 16, 5, 1, 22]
    assert got["実人数（名簿の登録者）"] == ["実人数（名簿の登録者）", 22]
    assert got["代表者"] == ["代表者", "—"]  # not named yet
    assert got["提出日"] == ["提出日", "（実績報告は未受付）"]
    printed = render(data, tmp_path, f"salon-report-xlsx-{db}")
    check_printed(printed, council="社会福祉協議会", rightmost="2025年度 実績報告書", figures=[
        "65〜74歳 6 2 0 8", "登録者数 計 16 5 1 22", "実人数（名簿の登録者） 22"])
    (tmp_path / "salon.pdf").write_bytes(report("pdf"))
    text = flat(pdf_text(tmp_path / "salon.pdf"))
    assert "登録者数計165122" in text and "実人数（名簿の登録者）22" in text


def test_the_representative_is_the_office_s_to_write(field: Field, hub: Hub,
                                                     office: httpx.Client) -> None:
    """A tablet cannot write a place, its representative included; the office can, guarded
    like every free text; tablets receive it at their next sync."""
    represent(office, SALON.id, "東町いきいき会 代表 佐々木")
    pushed = {**SALON.to_dict(), "representative": "書き換え", "rev": SALON.rev + 5,
              "device_id": field.store.device_id}
    answer = httpx.post(f"{hub.url}/api/v1/sync/push", json={"records": [pushed]},
                        headers={"Authorization": f"Bearer {field.token}"}, timeout=60)
    assert [r["status"] for r in answer.json()["results"]] == ["rejected"], answer.text
    listed = office.get("/places").json()["places"]
    assert next(p for p in listed if p["id"] == SALON.id)["representative"] == \
        "東町いきいき会 代表 佐々木"
    place = next(p for p in listed if p["id"] == SALON.id)
    number = office.put(f"/places/{SALON.id}", json={"rev": place["rev"],
                                                     "representative": f"代表 {NUMBER}"})
    assert number.status_code == 400
    assert [p["field"] for p in number.json()["error"]["problems"]] == ["representative"]
    field.sync(hub)
    got = field.store.load("place", SALON.id)
    assert got is not None and got.representative == "東町いきいき会 代表 佐々木"
