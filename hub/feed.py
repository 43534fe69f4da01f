"""What devices pull: reference data (places with their schedules, the office's settings),
the office part of their own concerns, their own staff member's assignment, and the status
of every place's grant.

Every office-side change appends a row to `changes`; a device pulls the rows after its
cursor that are for everyone (places) or for it (its concerns' office parts). Writers
of the feed take `lock` first, so rows commit in `seq` order and a reader can never
skip a row that commits late.

The writers (hub/places.py, hub/reference.py, hub/grants.py, hub/planning.py, …) import
this module; it imports none of them: it reads what each kind of row names straight from
the tables, so the dependency runs one way.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select, text, union_all
from sqlalchemy.engine import Connection, Row

from core.domain import grant
from hub import history, hub_settings
from hub.db import schema
from hub.db.engine import is_postgres
from hub.errors import BadRequest
from sync.protocol import (
    ASSIGNMENT,
    GRANT,
    OFFICE_PART,
    PLACE,
    REFERENCE,
    Change,
    PullPage,
    assignment_key,
    decode_cursor,
    encode_cursor,
)

PAGE = 500


def lock(conn: Connection) -> None:
    """Make this transaction the feed's only writer until it ends."""
    if is_postgres(conn):
        conn.execute(text("LOCK TABLE changes IN EXCLUSIVE MODE"))
    # SQLite: BEGIN IMMEDIATE already made this the only writer.


def grants_for_devices(conn: Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """What a tablet is told of grants: the status and what the office waits for."""
    out = {}
    for r in conn.execute(select(schema.grants.c.feed_key, schema.grants.c.place_id,
                                 schema.grants.c.fiscal_year, schema.grants.c.body)
                          .where(schema.grants.c.feed_key.in_(keys))):
        state = grant.status(json.loads(r.body))
        out[r.feed_key] = {"place_id": r.place_id, "fiscal_year": r.fiscal_year,
                           "status": state, "waiting_for": grant.WAITING[state]}
    return out


def _after(conn: Connection, device_id: str, staff_name: str, after: int, limit: int
           ) -> list[Row[tuple[int, str, str]]]:
    """The feed's rows after `after` this device hears of, the first `limit`, in order.

    Two walks from the cursor, each along an index in `seq` order: the rows for this device
    (its concerns' office parts; the (device_id, seq) index) and the rows for every device
    (places, grants, reference, assignments: only this staff member's; their own index,
    0015). One filtered walk of the feed from the cursor passed every other device's rows
    too: a pull cost what the whole office did since, not what it did for this device. One
    statement, not two: a row committed between two would be skipped for good on
    PostgreSQL, where each statement reads its own snapshot.
    """
    c = schema.changes.c
    for_me = (select(c.seq, c.kind, c.record_id)
              .where(c.device_id == device_id, c.seq > after).order_by(c.seq).limit(limit))
    for_all = (select(c.seq, c.kind, c.record_id)
               .where(c.device_id.is_(None), c.seq > after,
                      or_(c.kind != ASSIGNMENT, c.record_id == assignment_key(staff_name)))
               .order_by(c.seq).limit(limit))
    both = union_all(select(for_me.subquery()), select(for_all.subquery())).subquery()
    return list(conn.execute(select(both).order_by(both.c.seq).limit(limit)).all())


def pull(conn: Connection, device_id: str, staff_name: str, cursor: str | None,
         limit: int = PAGE) -> PullPage:
    try:
        of, after = decode_cursor(cursor)
    except (ValueError, UnicodeError) as exc:
        raise BadRequest("cursor is not one this hub gave out; pull without a cursor to resync",
                         message_ja="同期位置が不正です。最初から同期し直してください。") from exc
    named = history.identity(conn)
    # a cursor of another history (from before a restore, or older than names) may point
    # past changes this history has not given out yet, or gave out others under its numbers
    reset = bool(cursor) and of != named
    if reset:
        after = 0
    rows = _after(conn, device_id, staff_name, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    latest: dict[tuple[str, str], int] = {}
    for r in rows:
        latest[(r.kind, r.record_id)] = r.seq
    place_ids = [rid for kind, rid in latest if kind == PLACE]
    part_ids = [rid for kind, rid in latest if kind == OFFICE_PART]
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, rid in latest:
        if kind == REFERENCE:  # the row names the hub setting that holds the document
            stored = hub_settings.get(conn, rid)
            bodies[(REFERENCE, rid)] = json.loads(stored) if stored else {}
    mine = assignment_key(staff_name)
    if (ASSIGNMENT, mine) in latest:  # other staff members' assignments were not read
        found = conn.execute(select(schema.assignments.c.body).where(
            schema.assignments.c.staff_name == staff_name)).scalar()
        bodies[(ASSIGNMENT, mine)] = json.loads(found) if found else {"places": [], "areas": []}
    grant_ids = [rid for kind, rid in latest if kind == GRANT]
    if grant_ids:
        for key, body in grants_for_devices(conn, grant_ids).items():
            bodies[(GRANT, key)] = body
    if place_ids:
        for p in conn.execute(select(schema.places).where(schema.places.c.id.in_(place_ids))):
            bodies[(PLACE, p.id)] = json.loads(p.body)
    if part_ids:
        # only concerns this device pushed for the staff member it belongs to: each part
        # checked against its own record (a join let SQLite walk every record the device
        # ever pushed to find the few)
        parts, records = schema.office_parts.c, schema.records.c
        pushed_by_it = select(records.id).where(
            records.id == parts.concern_id, records.device_id == device_id,
            records.staff_name == staff_name).exists()
        for o in conn.execute(select(parts.concern_id, parts.body).where(
                parts.concern_id.in_(part_ids), parts.device_id == device_id, pushed_by_it)):
            bodies[(OFFICE_PART, o.concern_id)] = json.loads(o.body)
    ordered = sorted(latest.items(), key=lambda item: item[1])
    changes = tuple(Change(kind, rid, bodies[(kind, rid)]) for (kind, rid), _ in ordered
                    if (kind, rid) in bodies)
    next_cursor = encode_cursor(rows[-1].seq if rows else after, named)
    return PullPage(changes, next_cursor, more, history=named, reset=reset)
