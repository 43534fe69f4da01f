"""Lawful erasure in the append-only logs (issue 24, part 1): a number that got into an audit
or provision row before the guards is found without being printed, and an admin redacts it
through one audited operation; the row stays, and every other change path stays refused.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from core.domain.guards import check_digit
from hub import redaction
from hub.db import schema
from hub.db.engine import utcnow
from hub.db.migrate import _config
from tests.hubs import Hub
from tests.test_hub_office import login, with_user

NUMBER = "12345678901" + str(check_digit("12345678901"))
WIDE = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
REASON = "個人番号の誤記録（番号法により削除）"


def old_rows(hub: Hub) -> tuple[int, int]:
    """An audit row and a provision row holding a number, as written before the guards."""
    with hub.engine.begin() as conn:
        a = conn.execute(insert(schema.audit).values(
            at=utcnow(), actor="sato", action="office_part_written", subject="c-1",
            detail=json.dumps({"legal_basis_note": f"法令 {WIDE}"}))).inserted_primary_key
        p = conn.execute(insert(schema.provisions).values(
            concern_id="c-1", provided_on=dt.date(2026, 6, 12), recipient="houkatsu",
            recipient_name="在宅介護・地域包括支援センター", items='["categories"]',
            subject='{"age_band": "80s_plus", "gender": "female", "alias": ""}',
            place_id="", basis="other_law", basis_note=f"法令 {NUMBER}", basis_by="office",
            consent="", recorded_by="sato", recorded_at=utcnow(),
            keep_until=dt.date(2029, 6, 12))).inserted_primary_key
    return int(a[0]), int(p[0])


def admin(hub: Hub) -> httpx.Client:
    with_user(hub, "kanri", role="admin")
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        token = login(http, "kanri").json()["token"]
    return httpx.Client(base_url=hub.url + "/api/v1/office", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def row(hub: Hub, table: str, seq: int) -> Any:
    with hub.engine.connect() as conn:
        return conn.execute(text(f"SELECT * FROM {table} WHERE seq = :s"), {"s": seq}).one()


def test_an_old_number_is_found_and_redacted_by_an_admin(hub: Hub) -> None:
    a, p = old_rows(hub)
    with hub.engine.connect() as conn:
        found = list(redaction.find_numbers(conn))
    assert found == [("audit", a, "detail"), ("provisions", p, "basis_note")]
    with_user(hub, "sato", role="office")
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        token = login(http).json()["token"]
        body = {"table": "provisions", "row": p, "field": "basis_note", "reason": REASON}
        refused = http.post("/api/v1/office/redactions", json=body,
                            headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and NUMBER in row(hub, "provisions", p).basis_note
    before = hub.count("audit"), hub.count("provisions")
    with admin(hub) as office:
        for table, seq, field in found:
            answer = office.post("/redactions", json={"table": table, "row": seq,
                                                      "field": field, "reason": REASON})
            assert answer.status_code == 200, answer.text
        again = office.post("/redactions", json={"table": "audit", "row": a, "field": "detail",
                                                 "reason": REASON})
        assert again.status_code == 400  # already a mark
        bad = office.post("/redactions", json={"table": "audit", "row": a, "field": "action",
                                               "reason": REASON})
        assert bad.status_code == 400 and bad.json()["error"]["problems"][0]["field"] == "field"
    assert hub.count("provisions") == before[1]  # the rows stay
    assert hub.count("audit") >= before[0] + 2  # none gone; the redactions audited
    note = row(hub, "provisions", p).basis_note
    assert note.startswith("［削除済み: ") and "kanri による。理由: 個人番号の誤記録" in note
    detail = json.loads(row(hub, "audit", a).detail)
    assert detail["redacted"].startswith("［削除済み: ") and WIDE not in str(detail)
    with hub.engine.connect() as conn:
        assert list(redaction.find_numbers(conn)) == []
        logged = conn.execute(text("SELECT subject, detail FROM audit WHERE action = 'redacted'"
                                   " ORDER BY seq")).all()
        kept = conn.execute(text("SELECT actor, table_name, row_seq, column_name, reason "
                                 "FROM redactions ORDER BY seq")).all()
    assert [s for s, _ in logged] == [f"audit#{a}", f"provisions#{p}"]
    assert json.loads(logged[1][1]) == {"table": "provisions", "row": p, "field": "basis_note",
                                        "reason": REASON}
    assert [tuple(k) for k in kept] == [("kanri", "audit", a, "detail", REASON),
                                        ("kanri", "provisions", p, "basis_note", REASON)]


def attempts(dialect: str, a: int, p: int) -> list[list[str]]:
    """Each a transaction of statements that must not change the rows."""
    def recorded(table: str, seq: int, column: str, value: str) -> str:
        return (f"INSERT INTO redactions (at, actor, table_name, row_seq, column_name, reason, "
                f"mark) VALUES (CURRENT_TIMESTAMP, 'x', '{table}', {seq}, '{column}', 'r', "
                f"'{value}')")

    out = [
        ["UPDATE audit SET detail = '{}'"],
        ["UPDATE provisions SET basis_note = '［削除済み］'"],
        [f"DELETE FROM audit WHERE seq = {a}"],
        [f"DELETE FROM provisions WHERE seq = {p}"],
        # a redaction recorded, and then: another value, another column, two columns,
        # another row
        [recorded("provisions", p, "basis_note", "M"),
         f"UPDATE provisions SET basis_note = 'N' WHERE seq = {p}"],
        [recorded("provisions", p, "basis_note", "M"),
         f"UPDATE provisions SET basis = 'consent' WHERE seq = {p}"],
        [recorded("provisions", p, "basis_note", "M"),
         f"UPDATE provisions SET basis_note = 'M', basis = 'consent' WHERE seq = {p}"],
        [recorded("audit", a, "detail", "M"), f"UPDATE audit SET detail = 'M' WHERE seq <> {a}"],
        [recorded("audit", a, "detail", "M"), f"UPDATE audit SET action = 'M' WHERE seq = {a}"],
        [recorded("audit", a, "detail", "M"),
         f"UPDATE audit SET detail = 'M', seq = seq + 1000 WHERE seq = {a}"],
        ["UPDATE redactions SET reason = 'x'"],
        ["DELETE FROM redactions"],
    ]
    if dialect == "sqlite":
        return [*out, [f"REPLACE INTO audit SELECT * FROM audit WHERE seq = {a}"],
                [f"REPLACE INTO provisions SELECT * FROM provisions WHERE seq = {p}"],
                ["REPLACE INTO redactions SELECT * FROM redactions"],
                ["UPDATE OR REPLACE audit SET seq = seq + 1000"]]
    return [*out, ["TRUNCATE audit"], ["TRUNCATE provisions"], ["TRUNCATE redactions"],
            ["TRUNCATE TABLE provisions RESTART IDENTITY CASCADE"]]


def snapshot(hub: Hub) -> list[Any]:
    with hub.engine.connect() as conn:
        return [conn.execute(text(f"SELECT * FROM {t} ORDER BY seq")).all()
                for t in ("audit", "provisions", "redactions")]


def test_every_other_change_path_is_refused(hub: Hub) -> None:
    a, p = old_rows(hub)
    with hub.engine.begin() as conn:  # one real redaction, so that `redactions` has a row
        redaction.redact(conn, "audit", a, "subject", REASON, "kanri")
        dialect = conn.dialect.name
    before = snapshot(hub)
    went_through = []
    for statements in attempts(dialect, a, p):
        try:
            with hub.engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        except DBAPIError as exc:
            assert "append-only" in str(exc), (statements, exc)
        if snapshot(hub) != before:
            went_through.append(statements)
    assert went_through == []
    if dialect == "postgresql":  # a redaction recorded in an earlier transaction opens nothing
        with hub.engine.begin() as conn:
            redaction_row = conn.execute(text(
                "INSERT INTO redactions (at, actor, table_name, row_seq, column_name, reason, "
                f"mark) VALUES (now(), 'x', 'provisions', {p}, 'basis_note', 'r', 'M') "
                "RETURNING seq")).scalar_one()
        assert redaction_row
        with pytest.raises(DBAPIError, match="append-only"), hub.engine.begin() as conn:
            conn.execute(text(f"UPDATE provisions SET basis_note = 'M' WHERE seq = {p}"))


def test_the_cli_finds_without_printing_and_redacts(hub: Hub, tmp_path: Path) -> None:
    a, p = old_rows(hub)

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir",
                               str(tmp_path / "hub"), "redact", *argv], capture_output=True,
                              text=True, timeout=120, env={
                                  "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                  "IBASHO_HUB_DATABASE_URL": hub.database_url})

    found = cli("--find-numbers")
    assert found.returncode == 0, found.stderr
    assert f"audit  row {a}  detail" in found.stdout
    assert f"provisions  row {p}  basis_note" in found.stdout
    assert NUMBER not in found.stdout and WIDE not in found.stdout
    done = cli("--table", "provisions", "--row", str(p), "--field", "basis_note",
               "--reason", REASON, "--actor", "kanri")
    assert done.returncode == 0, done.stderr
    assert row(hub, "provisions", p).basis_note.startswith("［削除済み: ")
    assert f"provisions  row {p}" not in cli("--find-numbers").stdout


def test_the_migration_goes_down_and_up_again(hub: Hub) -> None:
    cfg = _config()
    with hub.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
        command.upgrade(cfg, "head")
    _, p = old_rows(hub)
    with hub.engine.begin() as conn:
        redaction.redact(conn, "provisions", p, "basis_note", REASON, "kanri")
    assert row(hub, "provisions", p).basis_note.startswith("［削除済み: ")
