"""A device's pull starts from what changed for it since its cursor (hub/feed.py, migration
0015), on SQLite and PostgreSQL: every change for it once, in small pages, nothing of another
device's or another staff member's, and the pull reads the feed and the grants by index, not
by walking what the office did for every other device."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.engine import Connection

from core.domain.grant import status
from hub import feed, grants, planning
from hub.concerns import set_office_part
from hub.db import bulk, schema
from hub.db.engine import utcnow
from hub.ingest import canonical_text
from hub.places import import_places
from sync.protocol import (
    ASSIGNMENT,
    GRANT,
    OFFICE_PART,
    PLACE,
    Change,
    PullPage,
    assignment_key,
    body_hash,
    grant_key,
)
from tests.factories import IBASHO, PLACES, SALON, concern_data
from tests.hubs import Hub, prepared_engine

TODAY = dt.date(2027, 4, 20)
APPLICATION = {"received_on": "2026-04-10", "requested_yen": 80_000, "plan": "月1回の食事会",
               "budget": [{"category": "food", "amount": 80_000}]}
DECISION = {"decided_on": "2026-05-01", "approved": True, "approved_yen": 80_000}
WATCHING = {"status": "watching", "feedback": "来月も様子を見ます"}
CLOSED = {"status": "closed", "closed_on": "2026-07-01"}


@pytest.fixture
def engine(hub_db: str) -> Iterator[Engine]:
    made = prepared_engine(hub_db)
    yield made
    made.dispose()


def concerns(engine: Engine, device_id: str, staff: str, n: int) -> list[str]:
    """`n` concerns this device pushed (as the hub stores a push)."""
    docs = [{**concern_data(), "device_id": device_id, "author": staff} for _ in range(n)]
    for i, doc in enumerate(docs):
        doc["id"] = f"{device_id[:20]}-{i:06d}"
    with engine.begin() as conn:
        bulk.insert_rows(conn, schema.records, [
            {"id": d["id"], "kind": "concern", "device_id": device_id, "staff_name": staff,
             "rev": 1, "body": canonical_text(d), "body_hash": body_hash(d),
             "received_at": utcnow(), "day": d["observed_on"]} for d in docs])
    return [d["id"] for d in docs]


def pull_all(engine: Engine, device_id: str, staff: str, cursor: str | None, limit: int
             ) -> tuple[list[Change], str]:
    pulled: list[Change] = []
    for _ in range(1000):
        with engine.begin() as conn:
            page: PullPage = feed.pull(conn, device_id, staff, cursor, limit=limit)
        pulled += page.changes
        assert len(page.changes) <= limit
        cursor = page.cursor
        if not page.more:
            return pulled, cursor
    raise AssertionError("the pull never ended")


def test_small_pages_bring_every_change_for_the_device_once_and_nothing_else(
        engine: Engine) -> None:
    mine = concerns(engine, "tablet-a", "山田 花子", 3)
    same_staff = concerns(engine, "tablet-a2", "山田 花子", 2)  # her other tablet
    theirs = concerns(engine, "tablet-b", "鈴木 一郎", 3)
    with engine.begin() as conn:  # the office's work, one change at a time, interleaved
        for a, b in zip(mine, theirs, strict=True):
            set_office_part(conn, a, WATCHING, "事務局")
            set_office_part(conn, b, WATCHING, "事務局")
        set_office_part(conn, same_staff[0], WATCHING, "事務局")
        grants.record(conn, IBASHO.id, 2025, "application", APPLICATION, "事務局",
                      based_on=None, today=TODAY)
        grants.record(conn, IBASHO.id, 2026, "application", APPLICATION, "事務局",
                      based_on=None, today=TODAY)
        grants.record(conn, IBASHO.id, 2026, "decision", DECISION, "事務局", based_on=1,
                      today=TODAY)
        planning.set_assignment(conn, "鈴木 一郎", {"places": [SALON.id]}, "事務局")
        planning.set_assignment(conn, "山田 花子", {"places": [IBASHO.id]}, "事務局")
        import_places(conn, [{**SALON.to_dict(), "rev": SALON.rev + 1, "venue": "2階"}], "事務局")
    pulled, cursor = pull_all(engine, "tablet-a", "山田 花子", None, limit=2)
    keys = Counter((c.kind, c.id) for c in pulled)
    # each change once: the salon, changed after its import, twice (the pages came between)
    assert {k for k, n in keys.items() if n > 1} == {(PLACE, SALON.id)} and keys.total() == len(
        pulled) and keys[(PLACE, SALON.id)] == 2
    assert {i for k, i in keys if k == OFFICE_PART} == set(mine)
    assert {i for k, i in keys if k == ASSIGNMENT} == {assignment_key("山田 花子")}
    assert {i for k, i in keys if k == PLACE} == {p.id for p in PLACES}
    got = {c.id: c.body for c in pulled if c.kind == GRANT}
    assert got == {grant_key(IBASHO.id, 2025): {"place_id": IBASHO.id, "fiscal_year": 2025,
                                                "status": "applied",
                                                "waiting_for": "decision"},
                   grant_key(IBASHO.id, 2026): {"place_id": IBASHO.id, "fiscal_year": 2026,
                                                "status": "decided", "waiting_for": "payment"}}
    assert [c.body for c in pulled if c.id == SALON.id][-1]["venue"] == "2階"
    # the cursor resumes: what changes next, and only that, comes next
    with engine.begin() as conn:
        set_office_part(conn, theirs[0], CLOSED, "事務局")
        set_office_part(conn, mine[1], CLOSED, "事務局")
        planning.set_assignment(conn, "鈴木 一郎", {"places": [IBASHO.id]}, "事務局")
    after, cursor = pull_all(engine, "tablet-a", "山田 花子", cursor, limit=2)
    assert [(c.kind, c.id, c.body["status"]) for c in after] == [(OFFICE_PART, mine[1], "closed")]
    assert pull_all(engine, "tablet-a", "山田 花子", cursor, limit=2) == ([], cursor)
    # and the other device hears of its own only
    theirs_pulled, _ = pull_all(engine, "tablet-b", "鈴木 一郎", None, limit=500)
    assert {c.id for c in theirs_pulled if c.kind == OFFICE_PART} == set(theirs)
    assert [c.body for c in theirs_pulled if c.kind == ASSIGNMENT] == [
        {"places": [IBASHO.id], "areas": []}]


def test_the_migration_gives_grants_already_held_their_feed_id(hub_db: str) -> None:
    from alembic import command

    from hub.db.engine import connect
    from hub.db.migrate import _config, migrate

    engine = connect(hub_db)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0014")
    body = {"application": {"received_on": "2026-04-10", "requested_yen": 80_000}}
    with engine.begin() as conn:
        for place, year in (("p1", 2025), ("p1", 2026), ("p2", 2026)):
            conn.execute(text("INSERT INTO grants (place_id, fiscal_year, rev, body, updated_at, "
                              "updated_by) VALUES (:p, :y, 1, :b, '2026-11-01 09:00:00+00:00', "
                              "'事務局')"), {"p": place, "y": year, "b": json.dumps(body)})
    migrate(engine)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT place_id, fiscal_year, feed_key FROM grants")).all()
        assert {r.feed_key: (r.place_id, r.fiscal_year) for r in found} == {
            grant_key(p, y): (p, y) for p, y in (("p1", 2025), ("p1", 2026), ("p2", 2026))}
        told = feed.grants_for_devices(conn, [grant_key("p1", 2026)])
    assert told == {grant_key("p1", 2026): {"place_id": "p1", "fiscal_year": 2026,
                                            "status": status(body), "waiting_for": "decision"}}
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
    migrate(engine)  # and up again
    engine.dispose()


def statements(conn: Connection, device_id: str, staff: str, cursor: str) -> list[Any]:
    """The SELECTs one pull runs, with their parameters."""
    seen: list[Any] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        feed.pull(conn, device_id, staff, cursor)
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    return seen


def rows_read(plan: dict[str, Any], out: dict[str, int]) -> dict[str, int]:
    """Rows each table's scans in a PostgreSQL plan (EXPLAIN ANALYZE) looked at."""
    table = plan.get("Relation Name")
    if table and "Actual Rows" in plan:
        looked = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
                  + plan.get("Rows Removed by Index Recheck", 0)) * plan.get("Actual Loops", 1)
        out[table] = out.get(table, 0) + int(looked)
    for child in plan.get("Plans", []):
        rows_read(child, out)
    return out


def test_a_pull_reads_what_changed_for_its_device_not_what_changed_for_all(
        engine: Engine) -> None:
    """Many devices' office parts after the cursor, many grants before it, years of the
    device's own records: its pull reads its own few rows of the feed, the one grant its page
    names and the records whose office parts changed."""
    mine = concerns(engine, "tablet-a", "山田 花子", 300)[:12]
    held = {f"tablet-{n:03d}": concerns(engine, f"tablet-{n:03d}", f"職員{n}", 100)
            for n in range(20)}
    others = {device: ids[0] for device, ids in held.items()}
    with engine.begin() as conn:
        part = json.dumps({"status": "triaged"})
        bulk.insert_rows(conn, schema.office_parts, [
            {"concern_id": c, "device_id": device, "body": part, "updated_at": utcnow(),
             "updated_by": "事務局"} for device, ids in held.items() for c in ids])
        bulk.insert_rows(conn, schema.grants, [
            {"place_id": p.id, "fiscal_year": year, "rev": 1, "feed_key": grant_key(p.id, year),
             "body": json.dumps({}), "updated_at": utcnow(), "updated_by": "事務局"}
            for p in PLACES[1:] for year in range(2016, 2026)])
        # a year of the office's work: on every other device's concerns, and on the grants
        bulk.insert_rows(conn, schema.changes, [
            {"kind": OFFICE_PART, "record_id": concern, "device_id": device, "at": utcnow()}
            for _ in range(600) for device, concern in others.items()])
        bulk.insert_rows(conn, schema.changes, [
            {"kind": GRANT, "record_id": grant_key(p.id, year), "device_id": None,
             "at": utcnow()} for _ in range(3) for p in PLACES[1:] for year in range(2016, 2026)])
        cursor = feed.pull(conn, "tablet-a", "山田 花子", None, limit=10_000).cursor
        # a month of the office's work on every other device's concerns, and on a few of ours
        bulk.insert_rows(conn, schema.changes, [
            {"kind": OFFICE_PART, "record_id": concern, "device_id": device, "at": utcnow()}
            for _ in range(50) for device, concern in others.items()])
        for concern in mine:
            set_office_part(conn, concern, WATCHING, "事務局")
        grants.record(conn, IBASHO.id, 2026, "application", APPLICATION, "事務局",
                      based_on=None, today=TODAY)
    with engine.begin() as conn:
        page = feed.pull(conn, "tablet-a", "山田 花子", cursor)
        assert sorted(c.kind for c in page.changes) == sorted([GRANT, *[OFFICE_PART] * 12])
        if conn.dialect.name == "sqlite":
            # SQLite's planner (the hub never gathers statistics for it): a search, never a
            # walk of a whole table (a SCAN of anything but a subquery's rows), and records
            # by their ids, never all the device's
            for statement, parameters in statements(conn, "tablet-a", "山田 花子", cursor):
                plan = [r.detail for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, parameters)]
                walked = [d for d in plan if ((m := re.match(r"SCAN (\w+)", d))
                          and m.group(1) in schema.metadata.tables)
                          or (d.startswith("SEARCH records") and "(id=?)" not in d)]
                assert not walked, (statement, plan)
            return
        # the statistics autovacuum keeps: PostgreSQL's plans follow them (without the
        # indexes of 0015, at this feed's shape, it walked every device's rows since the cursor)
        conn.execute(text("ANALYZE"))
        read: dict[str, int] = {}
        for statement, parameters in statements(conn, "tablet-a", "山田 花子", cursor):
            explained = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement,
                                             parameters).scalar_one()
            rows_read(explained[0]["Plan"], read)
    assert read["changes"] == 13  # its twelve office parts and the grant
    assert read["grants"] == 1
    assert read["records"] == 12


def test_the_hub_writes_a_grants_feed_id_and_the_office_cannot(
        hub: Hub, office: httpx.Client) -> None:
    step = {**APPLICATION, "received_on": "2025-04-10"}
    r = office.put(f"/grants/{SALON.id}/2025/application",
                   json={**step, "feed_key": grant_key(IBASHO.id, 2025), "based_on": 0})
    assert r.status_code == 400
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["feed_key"]
    assert hub.count("grants") == 0  # nothing stored
    assert office.put(f"/grants/{SALON.id}/2025/application",
                      json={**step, "based_on": 0}).status_code == 200
    with hub.engine.connect() as conn:
        stored = conn.execute(select(schema.grants.c.feed_key)).scalar_one()
    assert stored == grant_key(SALON.id, 2025)
