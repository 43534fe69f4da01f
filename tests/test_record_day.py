"""Each record's day is a column beside its kind (migration 0010): filled from the bodies
already there, set and moved by every push; a fiscal year's report reads by it."""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import text

from tests.factories import gathering
from tests.hubs import Field, Hub


def days(hub: Hub) -> dict[str, str | None]:
    with hub.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, day FROM records")).all())


def test_the_migration_fills_the_day_of_records_already_held(hub_db: str) -> None:
    from alembic import command

    from hub.db.engine import connect
    from hub.db.migrate import _config, migrate

    engine = connect(hub_db)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
    bodies = {"g": ("gathering", {"date": "2025-06-01"}),
              "c": ("concern", {"observed_on": "2025-07-02"}),
              "v": ("visit_note", {"date": "2025-08-03"}),
              "s": ("startup", {"group_name": "x"}), "e": ("concern", {})}
    with engine.begin() as conn:
        for rid, (kind, body) in bodies.items():
            conn.execute(text("INSERT INTO records (id, kind, device_id, staff_name, rev, body, "
                              "body_hash, received_at) VALUES (:i, :k, 'd', '', 1, :b, 'h', "
                              "'2026-11-01 09:00:00+00:00')"),
                         {"i": rid, "k": kind, "b": json.dumps(body)})
    migrate(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT id, day FROM records")).all())
    assert found == {"g": "2025-06-01", "c": "2025-07-02", "v": "2025-08-03", "s": None,
                     "e": None}
    engine.dispose()


def test_a_push_sets_the_day_and_a_later_version_moves_it(field: Field, hub: Hub) -> None:
    g = dataclasses.replace(gathering(date="2026-06-10"), device_id=field.store.device_id)
    field.store.save(g)
    field.sync(hub)
    assert days(hub) == {g.id: "2026-06-10"}
    field.store.save(dataclasses.replace(g, rev=2, date="2026-06-11"))
    field.sync(hub)
    assert days(hub) == {g.id: "2026-06-11"}
