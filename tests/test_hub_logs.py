"""What the hub logs, run as `ibasho-hub serve --workers 2` on SQLite and on PostgreSQL
with hostile and sensitive input and statements that fail: every line carries its time and
level, and no personal data (a concern's text and subject, a searched alias, an office
user's name in a failed audit row) ever reaches the log."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from sqlalchemy import Engine, text

from field_app.store import Store
from hub import accounts, devices
from sync.client import HUB_META, enrol
from sync.errors import TransientError
from tests.factories import IBASHO, concern
from tests.hubs import database_url, prepared_engine, serve_process, sync_once
from tests.test_hub_office import PASSWORD

OBSERVED = "夜中に徘徊ZQ31observed"
ALIAS = "Kzq48alias"
SEARCHED = "Wqv59searched"
OFFICER = "officer_xj72"
SECRETS = (OBSERVED, ALIAS, SEARCHED, OFFICER)
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                  r"[\w.]+: ")


def trap(engine: Engine) -> None:
    """Statements that fail as a database fails: every insert of a record, and the audit
    row of a disclosure search (its actor is the office user's name)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # malformed JSON is an error (SQLITE_ERROR) when the statement runs
            for table, when in (("records", ""), ("audit", "WHEN NEW.action = 'disclosure_search'")):
                conn.execute(text(f"CREATE TRIGGER trap_{table} BEFORE INSERT ON {table} {when} "
                                  "BEGIN SELECT json('{trapped'); END"))
            return
        conn.execute(text("CREATE FUNCTION trap() RETURNS trigger LANGUAGE plpgsql AS $$ "
                          "BEGIN RAISE EXCEPTION 'trapped' USING ERRCODE = '55P03'; END $$"))
        conn.execute(text("CREATE TRIGGER trap_records BEFORE INSERT ON records "
                          "FOR EACH ROW EXECUTE FUNCTION trap()"))
        conn.execute(text("CREATE TRIGGER trap_audit BEFORE INSERT ON audit FOR EACH ROW "
                          "WHEN (NEW.action = 'disclosure_search') EXECUTE FUNCTION trap()"))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_logs_carry_time_and_level_and_no_personal_data(kind: str, tmp_path: Path) -> None:
    with database_url(kind, tmp_path) as url:
        engine = prepared_engine(url)
        with engine.begin() as conn:
            accounts.add_user(conn, OFFICER, PASSWORD, "office", "test")
            code = devices.create_code(conn, "山田 花子", 24)[0]
        trap(engine)
        store = Store(tmp_path / "tablet")
        with serve_process(url, tmp_path, workers=2, args=("--log-level", "info")) as hub:
            enrol(store, hub, code, "tablet")
            token = store.meta(HUB_META)["token"]  # type: ignore[index]
            store.save(dataclasses.replace(concern(observed=OBSERVED, subject_alias=ALIAS),
                                           device_id=store.device_id))
            for _ in range(2):  # each worker, likely
                with pytest.raises(TransientError):
                    sync_once(store, hub, token)
            assert store.pending_count() == 1
            with httpx.Client(base_url=hub + "/api/v1/office", timeout=30) as http:
                signed = http.post("/login", json={"username": OFFICER, "password": PASSWORD})
                assert signed.status_code == 200, signed.text
                auth = {"Authorization": f"Bearer {signed.json()['token']}"}
                for _ in range(2):
                    searched = http.get("/disclosure", headers=auth, params={
                        "place_id": IBASHO.id, "alias": SEARCHED})
                    assert searched.status_code == 503, searched.text
                # hostile input the hub refuses
                bad = http.get("/disclosure", headers=auth, params={"alias": SEARCHED * 9})
                assert bad.status_code == 400
        store.close()
        engine.dispose()
    port = urlsplit(hub).port
    logged = (tmp_path / f"hub-{port}.log").read_text(encoding="utf-8", errors="replace")
    lines = [line for line in logged.splitlines() if line.strip()]
    assert any("database unavailable" in line or "unhandled error" in line for line in lines)
    assert any("GET /api/v1/office/disclosure HTTP" in line for line in lines), logged
    assert any("Ibasho hub: http://" in line for line in lines), logged
    for line in lines:
        assert LINE.match(line), line
    for secret in SECRETS:
        for form in (secret, quote(secret), quote(secret, safe=""), quote(secret).lower()):
            assert form not in logged, (secret, logged)
