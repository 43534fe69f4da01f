"""A referral is a provision to a third party (APPI): it needs consent or a legal basis, and
each one leaves a provision record (第三者提供記録) that nobody can rewrite, kept for the
hub's retention period, exported for the council; a disclosure request finds and exports
everything held about one person. On SQLite and PostgreSQL (the `hub` fixture)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from core.domain import clock
from hub.db import schema
from tests.hubs import Field, Hub
from tests.printed import check_printed, render
from tests.printed import read as read_pdf
from tests.test_office_api import push

REFER = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
         "method": "電話"}


def audit(hub: Hub, action: str) -> list[Any]:
    with hub.engine.connect() as conn:
        return conn.execute(text("SELECT subject, detail, actor FROM audit WHERE action = :a "
                                 "ORDER BY seq"), {"a": action}).all()


def provisions(hub: Hub) -> list[Any]:
    with hub.engine.connect() as conn:
        return conn.execute(text("SELECT * FROM provisions ORDER BY seq")).all()


def test_a_referral_writes_a_provision_record_of_the_items_chosen(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    c = push(field, hub, consent="written", subject_alias="Aさん")
    r = office.put(f"/concerns/{c.id}/office",
                   json={**REFER, "provide": ["categories", "subject_descriptor", "observed"]})
    assert r.status_code == 200, r.text
    [row] = provisions(hub)
    assert (row.concern_id, row.recipient, row.basis, row.basis_by, row.consent,
            row.recorded_by) == (c.id, "houkatsu", "consent", "device", "written", "sato")
    assert json.loads(row.items) == ["categories", "subject_descriptor", "observed"]
    assert json.loads(row.subject) == {"age_band": "80s_plus", "gender": "female",
                                       "alias": "Aさん"}
    assert str(row.provided_on) == "2026-06-12"
    assert row.recipient_name == "在宅介護・地域包括支援センター"
    # kept three years from the day it was written (the default)
    written = clock.today()
    assert str(row.keep_until) == written.replace(year=written.year + 3).isoformat()
    # the concern's history shows it; saving the same referral again provides nothing new
    history = office.get(f"/concerns/{c.id}/history").json()["history"]
    [given] = [e for e in history if e["action"] == "provided"]
    assert given["actor"] == "sato" and given["detail"]["recipient"] == "houkatsu"
    assert given["detail"]["items"] == ["categories", "subject_descriptor", "observed"]
    office.put(f"/concerns/{c.id}/office", json={**REFER, "status": "watching"}
               ).raise_for_status()
    assert len(provisions(hub)) == 1
    assert [json.loads(d)["recipient"] for _, d, _ in audit(hub, "provision_recorded")] == \
        ["houkatsu"]


def test_minimal_items_by_default_and_bad_items_refused(field: Field, hub: Hub,
                                                        office: httpx.Client) -> None:
    c = push(field, hub, consent="verbal")
    for bad in ([], ["address"], ["categories", "categories"], "observed"):
        r = office.put(f"/concerns/{c.id}/office", json={**REFER, "provide": bad})
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"]["problems"][0]["field"] == "provide"
    assert provisions(hub) == [] and office.get(f"/concerns/{c.id}/history").json()["office"] \
        is None  # nothing stored half-way
    office.put(f"/concerns/{c.id}/office", json=REFER).raise_for_status()
    assert json.loads(provisions(hub)[0].items) == ["categories", "subject_descriptor"]


def test_a_change_of_destination_writes_another(field: Field, hub: Hub,
                                                office: httpx.Client) -> None:
    c = push(field, hub, consent="written")
    office.put(f"/concerns/{c.id}/office", json=REFER).raise_for_status()
    office.put(f"/concerns/{c.id}/office", json={
        **REFER, "status": "watching", "destination": "shogai", "referred_on": "2026-07-01",
        "provide": ["categories", "staff_contact"]}).raise_for_status()
    rows = provisions(hub)
    assert [(r.recipient, str(r.provided_on)) for r in rows] == [
        ("houkatsu", "2026-06-12"), ("shogai", "2026-07-01")]
    assert json.loads(rows[1].items) == ["categories", "staff_contact"]
    # triage with a destination in mind passes nothing on
    other = push(field, hub, consent="written")
    office.put(f"/concerns/{other.id}/office", json={"status": "triaged",
                                                     "destination": "houkatsu"}
               ).raise_for_status()
    assert len(provisions(hub)) == 2


def test_no_referral_without_consent_or_a_basis_until_the_office_records_one(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    c = push(field, hub, categories=["isolation"], consent="not_asked")
    r = office.put(f"/concerns/{c.id}/office", json=REFER)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["problems"][0]["field"] == "legal_basis"
    assert "法的根拠" in error["message_ja"] and "first" in error["message"]
    assert provisions(hub) == []
    assert office.get(f"/concerns/{c.id}/history").json()["basis"] is None
    # the officer records the basis first (a support meeting), then refers
    office.put(f"/concerns/{c.id}/office", json={
        "status": "triaged", "legal_basis": "support_meeting_106_6",
        "legal_basis_note": "12月の支援会議"}).raise_for_status()
    assert office.get(f"/concerns/{c.id}/history").json()["basis"] == {
        "key": "support_meeting_106_6", "note": "12月の支援会議", "by": "office"}
    office.put(f"/concerns/{c.id}/office", json={
        **REFER, "legal_basis": "support_meeting_106_6", "legal_basis_note": "12月の支援会議"}
        ).raise_for_status()
    [row] = provisions(hub)
    assert (row.basis, row.basis_note, row.basis_by) == (
        "support_meeting_106_6", "12月の支援会議", "office")
    # the device's own basis counts when the office has none
    d = push(field, hub, categories=["health"], consent="refused",
             legal_basis="life_body_emergency")
    office.put(f"/concerns/{d.id}/office", json=REFER).raise_for_status()
    assert provisions(hub)[-1].basis == "life_body_emergency"


def test_a_device_cannot_write_the_office_basis(field: Field, hub: Hub) -> None:
    from sync.http import HubClient

    c = push(field, hub, consent="written")
    doc = {**c.to_dict(), "rev": 2, "office": {"status": "triaged",
                                                "legal_basis": "support_meeting_106_6"}}
    with HubClient(hub.url, field.token) as client:
        [result] = client.push([doc], "provision-test-1")
    assert result.status == "rejected"
    assert "office" in {p["field"] for p in result.problems}
    with hub.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM office_parts")).scalar_one() == 0


def test_the_office_cannot_write_the_devices_consent_or_basis(field: Field, hub: Hub,
                                                              office: httpx.Client) -> None:
    c = push(field, hub, categories=["isolation"], consent="not_asked")
    for name in ("consent", "observed", "subject_alias"):
        r = office.put(f"/concerns/{c.id}/office", json={"status": "triaged", name: "written"})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["problems"][0]["field"] == f"office.{name}"
    with hub.engine.connect() as conn:
        body = json.loads(conn.execute(text("SELECT body FROM records")).scalar_one())
    assert body["consent"] == "not_asked" and body["legal_basis"] == ""
    assert provisions(hub) == []


def rewrites(dialect: str) -> list[str]:
    common = ["UPDATE provisions SET recipient = 'someone else'",
              "DELETE FROM provisions",
              "INSERT INTO provisions SELECT * FROM provisions WHERE true "
              "ON CONFLICT (seq) DO UPDATE SET recipient = 'forged'"]
    if dialect == "sqlite":
        return [*common, "INSERT OR REPLACE INTO provisions SELECT * FROM provisions",
                "REPLACE INTO provisions SELECT * FROM provisions",
                "UPDATE OR REPLACE provisions SET seq = seq + 1000"]
    return [*common, "TRUNCATE provisions", "TRUNCATE TABLE provisions RESTART IDENTITY CASCADE"]


def test_provision_records_cannot_be_rewritten_by_any_sql_path(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    for _ in range(2):
        c = push(field, hub, consent="written")
        office.put(f"/concerns/{c.id}/office", json=REFER).raise_for_status()
    before = provisions(hub)
    with hub.engine.connect() as conn:
        dialect = conn.dialect.name
    went_through = []
    for statement in rewrites(dialect):
        try:
            with hub.engine.begin() as conn:
                conn.execute(text(statement))
        except DBAPIError as exc:
            assert "append-only" in str(exc), (statement, exc)
        if provisions(hub) != before:
            went_through.append(statement)
    assert went_through == []


def old_row(concern_id: str, keep_until: dt.date) -> dict[str, Any]:
    return dict(concern_id=concern_id, provided_on=dt.date(2021, 4, 1), recipient="houkatsu",
                recipient_name="在宅介護・地域包括支援センター", items='["categories"]',
                subject='{"age_band": "80s_plus", "gender": "female", "alias": ""}',
                place_id="", basis="consent", basis_note="", basis_by="device",
                consent="written", recorded_by="tanaka",
                recorded_at=dt.datetime(2021, 4, 1, tzinfo=dt.UTC), keep_until=keep_until)


def run_cli(hub: Hub, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir", str(tmp_path),
                           "retention", *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, IBASHO_HUB_DATABASE_URL=hub.database_url))


def test_retention_removes_only_records_kept_past_their_day(
        field: Field, hub: Hub, office: httpx.Client, tmp_path: Path) -> None:
    c = push(field, hub, consent="written")
    office.put(f"/concerns/{c.id}/office", json=REFER).raise_for_status()
    today = clock.today()
    with hub.engine.begin() as conn:  # written years ago, by an older hub
        conn.execute(insert(schema.provisions).values(**old_row("expired", today
                                                                 - dt.timedelta(days=2))))
        conn.execute(insert(schema.provisions).values(**old_row("kept", today
                                                                 + dt.timedelta(days=2))))
    with pytest.raises(DBAPIError), hub.engine.begin() as conn:  # not yet: refused
        conn.execute(text("DELETE FROM provisions WHERE concern_id = 'kept'"))
    out = run_cli(hub, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "removed 1 provision record(s)" in out.stdout and "kept 3 years" in out.stdout
    assert sorted(r.concern_id for r in provisions(hub)) == sorted([c.id, "kept"])
    assert [json.loads(d) for _, d, _ in audit(hub, "provisions_expired")] == [{"count": 1}]
    # a longer period applies to records written from then on
    out = run_cli(hub, tmp_path, "--provision-years", "5")
    assert "kept 5 years" in out.stdout and "removed 0" in out.stdout
    d = push(field, hub, consent="written")
    office.put(f"/concerns/{d.id}/office", json=REFER).raise_for_status()
    assert str(provisions(hub)[-1].keep_until) == today.replace(year=today.year + 5).isoformat()
    assert run_cli(hub, tmp_path, "--provision-years", "0").returncode != 0


def test_the_office_lists_filters_and_exports_the_record(
        field: Field, hub: Hub, office: httpx.Client, tmp_path: Path) -> None:
    a = push(field, hub, consent="written", subject_alias="Aさん")
    b = push(field, hub, categories=["health"], consent="refused",
             legal_basis="life_body_emergency")
    office.put(f"/concerns/{a.id}/office", json=REFER).raise_for_status()
    office.put(f"/concerns/{b.id}/office", json={**REFER, "destination": "hoken",
                                                 "referred_on": "2026-08-01"}).raise_for_status()
    listed = office.get("/provisions").json()
    assert listed["total"] == 2 and [p["concern_id"] for p in listed["provisions"]] == [b.id, a.id]

    def ids(**query: str) -> list[str]:
        got = office.get("/provisions", params=query)
        assert got.status_code == 200, got.text
        return [p["concern_id"] for p in got.json()["provisions"]]

    assert ids(recipient="houkatsu") == [a.id]
    assert ids(basis="life_body_emergency") == [b.id]
    assert ids(since="2026-07-01") == [b.id] and ids(until="2026-06-30") == [a.id]
    bad = office.get("/provisions", params={"since": "June"})
    assert bad.status_code == 400 and bad.json()["error"]["problems"][0]["field"] == "since"
    book = office.get("/provisions/export", params={"format": "xlsx"})
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content))["第三者提供記録"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["提供日", "提供先", "提供した項目"]
    assert values[2][:4] == [dt.datetime(2026, 6, 12), "在宅介護・地域包括支援センター",
                             "分類（気になったこと）・対象の方の記述子（年代・性別・呼び名）",
                             "80代以上・女性・Aさん"]  # a date the sheet sorts and shows as one
    assert values[1][5] == "生命・身体の保護（同意を得ることが困難）"
    # printed as the council keeps it: one page wide, every column there
    printed = render(book.content, tmp_path, f"provisions-{hub.database_url.split(':')[0]}")
    check_printed(printed, council="社会福祉協議会", rightmost="気づきID", count=1, figures=[
        "2026年6月12日 在宅介護・地域包括支援セン", "2026年8月1日 保健センター",
        a.id[:18], b.id[:18]])  # long text wraps in its column
    raw = office.get("/provisions/export", params={"format": "csv", "recipient": "hoken"})
    assert raw.content.startswith(b"\xef\xbb\xbf")  # Japanese Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "保健センター"
    assert len(audit(hub, "provisions_exported")) == 2


def test_a_disclosure_request_finds_the_person_and_exports_what_is_held(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    first = push(field, hub, consent="written", subject_alias="Ａさん", observed="一人で来た",
                 subject_age_band="70s")
    later = push(field, hub, consent="written", subject_alias="a さん", observed="顔色が悪い")
    other = push(field, hub, consent="written", subject_alias="Bさん")
    office.put(f"/concerns/{later.id}/office", json=REFER).raise_for_status()
    found = office.get("/disclosure", params={"concern_id": first.id}).json()
    # the same alias at the same place, whatever the width and case, any age band
    assert sorted(c["id"] for c in found["concerns"]) == sorted([first.id, later.id])
    by_descriptor = office.get("/disclosure", params={
        "place_id": first.place_id, "alias": "Bさん"}).json()
    assert [c["id"] for c in by_descriptor["concerns"]] == [other.id]
    refused = office.get("/disclosure", params={"alias": "Bさん"})
    assert refused.status_code == 400 and refused.json()["error"]["message_ja"]
    assert len(audit(hub, "disclosure_search")) == 2
    got = office.post("/disclosure/export", json={"concern_ids": [first.id, later.id]})
    assert got.status_code == 200, got.text
    book = load_workbook(io.BytesIO(got.content))
    assert book.sheetnames == ["表紙", "保有している記録", "事務局の対応", "経過", "第三者提供記録"]
    cover_text = "".join(str(c) for row in book["表紙"].iter_rows(values_only=True) for c in row
                         if c is not None)
    assert "写真はこの開示に含まれません" in cover_text  # never linked to a person's records
    held = [[c.value for c in r] for r in book["保有している記録"].iter_rows()]
    assert {r[12] for r in held[1:]} == {"一人で来た", "顔色が悪い"}
    given = [[c.value for c in r] for r in book["第三者提供記録"].iter_rows()]
    assert len(given) == 2 and given[1][-1] == "記録2"  # numbered in the order asked for
    [export] = audit(hub, "disclosure_export")
    assert json.loads(export.detail) == {"concern_ids": [first.id, later.id], "format": "xlsx"}
    assert export.actor == "sato"
    history = office.get(f"/concerns/{first.id}/history").json()["history"]
    assert [e["action"] for e in history].count("disclosed") == 1
    for bad in ({"concern_ids": []}, {"concern_ids": "x"}, {}):
        r = office.post("/disclosure/export", json=bad)
        assert r.status_code == 400 and r.json()["error"]["problems"][0]["field"] == "concern_ids"
    assert office.post("/disclosure/export", json={"concern_ids": ["nope"]}).status_code == 404


def test_the_disclosure_is_written_for_the_person_who_asked(
        field: Field, hub: Hub, office: httpx.Client, tmp_path: Path) -> None:
    """Japanese words, never the system's codes; dates in Japan time; a cover that says
    what is included and what the council passed on to whom; as XLSX (printed through
    LibreOffice) and as PDF, both read back."""
    first = push(field, hub, consent="written", subject_alias="Ａさん", observed="一人で来た",
                 subject_age_band="70s")
    field.store.save(first.edited(observed="一人で来た。足元がふらつく"))  # the 第2版
    field.sync(hub)
    # 𠮷 is not in the PDF's font (JIS X 0208): shown as 〓 there, kept in the workbook
    later = push(field, hub, consent="written", subject_alias="Ａさん",
                 observed="顔色が悪い。𠮷祥寺の話")
    office.get(f"/concerns/{later.id}").raise_for_status()  # read: in the history
    office.put(f"/concerns/{later.id}/office", json=REFER).raise_for_status()
    db = hub.database_url.split(":")[0]
    ids = {"concern_ids": [first.id, later.id]}
    with hub.engine.connect() as conn:  # stored in UTC; a person reads Japan time
        received = conn.execute(text("SELECT received_at FROM records WHERE id = :i"),
                                {"i": first.id}).scalar_one()
    seen_at = clock.local(received)
    codes = ("received", "office_part_written", "concern_read", "rev ", "houkatsu", "referred",
             "written", "consent", "70s", "female", first.id, later.id)

    xlsx = office.post("/disclosure/export", json=ids)
    assert xlsx.status_code == 200 and "kaiji-" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    words = [str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r
             if c.value is not None]
    leaked = [w for w in words for code in codes if code in w]
    assert not leaked, leaked
    cover = {r[0]: r[1] for r in book["表紙"].iter_rows(min_row=2, values_only=True)}
    assert cover["開示を求めた方"].startswith("ひだまりカフェ・70代・女性・Ａさん")
    assert cover["この開示に含まれるもの"] == "気づきの記録 2件（記録1〜記録2）"
    assert cover["事務局が行ったこと（第三者への提供）"] == (
        "2026年6月12日　記録2を在宅介護・地域包括支援センターに提供（提供した項目: "
        "分類（気になったこと）・対象の方の記述子（年代・性別・呼び名）／根拠: 本人の同意）")
    held = [[c.value for c in r] for r in book["保有している記録"].iter_rows(values_only=False)]
    versions = {(r[0], r[1]): r for r in held[1:]}
    assert versions[("記録1", "第2版")][12] == "一人で来た。足元がふらつく"
    assert versions[("記録1", "第2版")][16] == seen_at.replace(second=0, microsecond=0,
                                                             tzinfo=None)
    assert versions[("記録2", "第1版")][12] == "顔色が悪い。𠮷祥寺の話"
    acted = [[c.value for c in r] for r in book["事務局の対応"].iter_rows()]
    assert acted[1][:4] == ["記録2", "つなぎ済み", "在宅介護・地域包括支援センター",
                            dt.datetime(2026, 6, 12)]
    story = [[c.value for c in r] for r in book["経過"].iter_rows()]
    assert ["記録1", "山田 花子", "職員が修正した版を受信（第2版）"] in [
        [r[0], r[2], r[3]] for r in story]
    assert any(r[0] == "記録2" and r[2] == "事務局（sato）" and r[3] == "事務局が閲覧"
               for r in story)
    assert any(r[0] == "記録2" and r[3].startswith("事務局が対応を記録: つなぎ済み　つなぎ先: "
                                                  "在宅介護・地域包括支援センター") for r in story)
    printed = render(xlsx.content, tmp_path, f"disclosure-xlsx-{db}")
    for name in book.sheetnames[1:]:
        header = [c.value for c in book[name][1] if c.value is not None]
        check_printed(printed, pages=printed.of(f"保有個人データの開示　{name}"),
                      council="社会福祉協議会", rightmost=header[-1])
    check_printed(printed, pages=printed.of("保有個人データの開示"), council="社会福祉協議会",
                  rightmost="保有個人データの開示", figures=[
                      "この開示に含まれるもの 気づきの記録 2件（記録1〜記録2）",
                      "記録2 第1版", "一人で来た。足元がふらつく",
                      f"{seen_at.year}年{seen_at.month}月{seen_at.day}日 {seen_at:%H:%M}"])

    pdf = office.post("/disclosure/export", params={"format": "pdf"}, json=ids)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert ".pdf" in pdf.headers["content-disposition"]
    (tmp_path / "kaiji.pdf").write_bytes(pdf.content)
    read = read_pdf(tmp_path / "kaiji.pdf", f"disclosure-pdf-{db}")
    everything = read.flat()
    for code in codes:
        assert code not in everything, code
    for expected in ("保有個人データの開示", "開示を求めた方", "ひだまりカフェ・70代・女性・Ａさん",
                     "2026年6月12日記録2を在宅介護・地域包括支援センターに提供",
                     "記録の内容（第2版）", "一人で来た。足元がふらつく", "職員が修正した版を受信（第2版）",
                     f"{seen_at.year}年{seen_at.month}月{seen_at.day}日{seen_at:%H:%M}",
                     "この記録を第三者に提供したことはありません。", "顔色が悪い。〓祥寺の話",
                     "〓はこのPDFで表示できない文字です。"):
        assert expected in everything, expected
    assert f"1/{len(read.pages)}" in read.flat(0) and "社会福祉協議会" in read.flat(0)
    docx = office.post("/disclosure/export", params={"format": "docx"}, json=ids)
    assert docx.status_code == 400, docx.text
    assert [p["field"] for p in docx.json()["error"]["problems"]] == ["query.format"]
    assert [json.loads(d)["format"] for _, d, _ in audit(hub, "disclosure_export")] == [
        "xlsx", "pdf"]
