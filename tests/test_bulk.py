"""The hub's fast writes: rows written by COPY (PostgreSQL) or the driver (SQLite) read back
exactly as SQLAlchemy's own INSERT stores them, a clash rolls the whole batch back, and
the hub's canonical text is the protocol's, byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from hub.db import schema
from hub.db.bulk import insert_rows
from hub.ingest import canonical_text
from sync.protocol import canonical
from tests.factories import concern, gathering, startup, visit_note, visit_plan
from tests.hubs import prepared_engine


def _row(rid: str, day: str | None, at: dt.datetime) -> dict[str, Any]:
    return {"id": rid, "kind": "gathering", "device_id": "dev-0001", "staff_name": "山田 花子",
            "rev": 1, "body": '{"note":"居場所\\n🙂\\t\\\\ \\"x\\""}', "body_hash": "ab" * 32,
            "received_at": at, "day": day}


def test_bulk_rows_read_back_as_core_insert_stores_them(hub_db: str) -> None:
    engine = prepared_engine(hub_db, places=False)
    at = dt.datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            conn.execute(insert(schema.records), [_row("core-1", "2026-04-01", at)])
            insert_rows(conn, schema.records, [_row("bulk-1", "2026-04-01", at),
                                               _row("bulk-2", None, at)])
        with engine.connect() as conn:
            rows = {r.id: r._asdict() for r in conn.execute(select(schema.records))}
        core, bulk = rows.pop("core-1"), rows.pop("bulk-1")
        assert {k: v for k, v in bulk.items() if k != "id"} == \
            {k: v for k, v in core.items() if k != "id"}
        assert bulk["received_at"].astimezone(dt.UTC) == at
        assert rows["bulk-2"]["day"] is None
    finally:
        engine.dispose()


def test_a_clash_in_a_bulk_write_is_an_integrity_error_and_nothing_of_the_batch_stays(
        hub_db: str) -> None:
    engine = prepared_engine(hub_db, places=False)
    at = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            insert_rows(conn, schema.records, [_row("taken", "2026-05-01", at)])
        with pytest.raises(IntegrityError), engine.begin() as conn:
            insert_rows(conn, schema.audit, [{"at": at, "actor": "d", "action": "concern_received",
                                              "subject": "new", "detail": "{}"}])
            insert_rows(conn, schema.records, [_row("new", None, at), _row("taken", None, at)])
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema.records)).scalar() == 1
            assert conn.execute(select(func.count()).select_from(schema.audit).where(
                schema.audit.c.subject == "new")).scalar() == 0
    finally:
        engine.dispose()


def test_nothing_to_write_sends_nothing(hub_db: str) -> None:
    engine = prepared_engine(hub_db, places=False)
    try:
        with engine.begin() as conn:
            insert_rows(conn, schema.records, [])
            assert conn.execute(select(func.count()).select_from(schema.records)).scalar() == 0
    finally:
        engine.dispose()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=8), inner,
                      max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), JSON, max_size=8))
def test_the_hubs_canonical_text_is_the_protocols(value: dict[str, Any]) -> None:
    assert canonical_text(value) == canonical(value)


@pytest.mark.parametrize("make", [gathering, visit_note, concern, visit_plan, startup])
def test_every_kind_of_record_has_the_same_canonical_text(make: Any) -> None:
    body = dataclasses.replace(make()).to_dict()
    assert canonical_text(body) == canonical(body)
    assert canonical_text({"n": 2**70, **body}) == canonical({"n": 2**70, **body})


def test_more_rows_than_one_statement_takes_are_all_written(hub_db: str) -> None:
    """On SQLite the rows go many to a statement, up to its limit on parameters: a batch
    past that limit is split, and every row of it arrives once."""
    engine = prepared_engine(hub_db, places=False)
    at = dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC)
    rows = [_row(f"many-{n:05d}", "2026-04-01", at) for n in range(4000)]  # 36,000 values
    try:
        with engine.begin() as conn:
            insert_rows(conn, schema.records, rows)
        with engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(schema.records.c.id)
                                              .order_by(schema.records.c.id))]
        assert ids == [r["id"] for r in rows]
    finally:
        engine.dispose()


def test_an_answer_orjson_will_not_write_is_written_by_the_stdlib() -> None:
    import json

    from hub.ingest import answer_json

    answer = {"results": [{"id": "a", "rev": 1, "status": "rejected",
                           "problems": [{"field": "note", "value": "居場所\ud800"}]}]}
    assert json.loads(answer_json(answer)) == answer
    plain = {"results": [{"id": "居場所", "rev": 2, "status": "accepted"}]}
    assert json.loads(answer_json(plain)) == plain
