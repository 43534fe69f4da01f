"""What devices pull: reference data (places with their schedules, the office's settings),
the office part of their own concerns, and their own staff member's assignment.

Every office-side change appends a row to `changes`; a device pulls the rows after its
cursor that are for everyone (places) or for it (its concerns' office parts). Writers
of the feed take a lock first, so rows commit in `seq` order and a reader can never
skip a row that commits late.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.engine import Connection

from core.domain.errors import ValidationError
from core.domain.overrides import parse_overrides
from core.domain.place import FIELDS as PLACE_FIELDS
from core.domain.place import parse_place
from core.domain.record import SCHEMA, new_id, utc_now
from core.reference_data import load_reference
from hub import history, hub_settings
from hub.audit import audit
from hub.db import schema
from hub.db.engine import is_postgres, utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.reference import SETTING, overrides, reference
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
EDITABLE = tuple(f for f in PLACE_FIELDS if f != "sample")


def _lock_feed(conn: Connection) -> None:
    if is_postgres(conn):
        conn.execute(text("LOCK TABLE changes IN EXCLUSIVE MODE"))
    # SQLite: BEGIN IMMEDIATE already made this the only writer.


def import_places(conn: Connection, places: Iterable[Mapping[str, Any]], actor: str) -> int:
    """Add or update places (validated as a whole: all or nothing)."""
    ref = reference(conn)
    parsed, problems = [], []
    for i, data in enumerate(places):
        try:
            parsed.append(parse_place(data, ref))
        except ValidationError as exc:
            problems += [{**p.as_dict(), "field": f"places[{i}].{p.field}"} for p in exc.problems]
    if problems:
        raise BadRequest(f"{len(problems)} problem(s) in the places", problems=problems,
                         message_ja="場所データに誤りがあります。")
    _lock_feed(conn)
    _refuse_second_place(conn, parsed)
    now = utcnow()
    known = {r.id: r.rev for r in conn.execute(select(schema.places.c.id, schema.places.c.rev))}
    for place in parsed:
        body = json.dumps(place.to_dict(), ensure_ascii=False)
        if place.id in known:
            conn.execute(update(schema.places).where(schema.places.c.id == place.id)
                         .values(rev=place.rev, body=body, updated_at=now,
                                 startup_id=place.startup_id or None))
        else:
            conn.execute(insert(schema.places).values(id=place.id, rev=place.rev, body=body,
                                                      updated_at=now,
                                                      startup_id=place.startup_id or None))
        conn.execute(insert(schema.changes).values(kind=PLACE, record_id=place.id,
                                                   device_id=None, at=now))
    audit(conn, actor, "places_imported", "", json.dumps({"count": len(parsed)}))
    return len(parsed)


def _refuse_second_place(conn: Connection, parsed: Iterable[Any]) -> None:
    """One place per start-up (a unique index, 0012, holds it; this names the place that
    has it, as the office is told, instead of failing on the index)."""
    linked = [p for p in parsed if p.startup_id]
    claimed = {p.startup_id: p.id for p in linked}
    if len(claimed) < len(linked):
        raise BadRequest("two places name the same start-up (startup_id)",
                         message_ja="同じ立ち上げ相談から作成した場所が2つあります。")
    if not claimed:
        return
    for held in conn.execute(select(schema.places.c.id, schema.places.c.startup_id,
                                    schema.places.c.body).where(
            schema.places.c.startup_id.in_(list(claimed)))):
        if claimed[held.startup_id] != held.id:
            name = json.loads(held.body).get("name", "")
            raise Conflict(f"a place was already opened from this start-up: {name}",
                           message_ja=f"この立ち上げ相談からは既に場所「{name}」を作成済みです。")


def save_place(conn: Connection, data: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Add a place (no `id`) or edit one from the office. The hub owns the metadata: the
    revision goes up by one, and an edit based on an older revision is refused rather
    than silently undoing someone else's change."""
    unknown = sorted(set(data) - set(EDITABLE) - {"id", "rev"})
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}",
                         message_ja="場所にない項目があります。",
                         problems=[{"field": f, "value": "…", "expected_en": "no such field",
                                    "expected_ja": "不要な項目"} for f in unknown])
    now = utc_now()
    place_id = str(data.get("id") or "")
    old: dict[str, Any] = {}
    if place_id:
        row = conn.execute(select(schema.places.c.body).where(
            schema.places.c.id == place_id[:36])).first()
        if row is None:
            raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
        old = json.loads(row.body)
        if "rev" in data and data["rev"] != old["rev"]:
            raise Conflict("someone else changed this place meanwhile; reload it and edit again",
                           message_ja="ほかの人がこの場所を変更しました。読み込み直してから編集してください。")
    fields = {k: v for k, v in data.items() if k in EDITABLE}
    doc = {**old, **fields, "id": place_id or new_id(), "kind": "place", "schema": SCHEMA,
           "rev": int(old.get("rev", 0)) + 1, "created_at": old.get("created_at", now),
           "updated_at": now, "device_id": "office", "author": actor}
    try:
        import_places(conn, [doc], actor)
    except BadRequest as exc:  # one place: name its fields plainly, not "places[0].name"
        exc.problems = [{**p, "field": p["field"].removeprefix("places[0].")}
                        for p in exc.problems]
        raise
    return doc


def save_reference(conn: Connection, data: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """The office's destinations and program settings; every device pulls the document."""
    try:
        doc = parse_overrides(data, load_reference())
    except ValidationError as exc:
        raise BadRequest(exc.message, message_ja=exc.message_ja,
                         problems=[p.as_dict() for p in exc.problems]) from exc
    previous = overrides(conn) or {}
    if doc["destinations"] is None:  # only programs sent: the destinations stay as they were
        doc["destinations"] = previous.get("destinations")
    doc["programs"] = {**(previous.get("programs") or {}), **doc["programs"]}
    _lock_feed(conn)
    hub_settings.put(conn, SETTING, json.dumps(doc, ensure_ascii=False), actor)
    conn.execute(insert(schema.changes).values(kind=REFERENCE, record_id=SETTING,
                                               device_id=None, at=utcnow()))
    return doc


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
    rows = conn.execute(
        select(schema.changes.c.seq, schema.changes.c.kind, schema.changes.c.record_id)
        .where(schema.changes.c.seq > after,
               or_(schema.changes.c.device_id.is_(None), schema.changes.c.device_id == device_id))
        .order_by(schema.changes.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    latest: dict[tuple[str, str], int] = {}
    for r in rows:
        latest[(r.kind, r.record_id)] = r.seq
    place_ids = [rid for kind, rid in latest if kind == PLACE]
    part_ids = [rid for kind, rid in latest if kind == OFFICE_PART]
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    if any(kind == REFERENCE for kind, _ in latest):
        bodies[(REFERENCE, SETTING)] = overrides(conn) or {}
    mine = assignment_key(staff_name)
    if (ASSIGNMENT, mine) in latest:  # other staff members' assignments are not sent
        found = conn.execute(select(schema.assignments.c.body).where(
            schema.assignments.c.staff_name == staff_name)).scalar()
        bodies[(ASSIGNMENT, mine)] = json.loads(found) if found else {"places": [], "areas": []}
    grant_ids = [rid for kind, rid in latest if kind == GRANT]
    if grant_ids:
        from hub.grants import for_devices

        for key, body in for_devices(conn, grant_ids).items():
            bodies[(GRANT, key)] = body
    if place_ids:
        for p in conn.execute(select(schema.places).where(schema.places.c.id.in_(place_ids))):
            bodies[(PLACE, p.id)] = json.loads(p.body)
    if part_ids:
        # only concerns this device pushed for the staff member it belongs to
        for o in conn.execute(select(schema.office_parts).join(
                schema.records, schema.records.c.id == schema.office_parts.c.concern_id).where(
                schema.office_parts.c.concern_id.in_(part_ids),
                schema.office_parts.c.device_id == device_id,
                schema.records.c.device_id == device_id,
                schema.records.c.staff_name == staff_name)):
            bodies[(OFFICE_PART, o.concern_id)] = json.loads(o.body)
    ordered = sorted(latest.items(), key=lambda item: item[1])
    changes = tuple(Change(kind, rid, bodies[(kind, rid)]) for (kind, rid), _ in ordered
                    if (kind, rid) in bodies)
    next_cursor = encode_cursor(rows[-1].seq if rows else after, named)
    return PullPage(changes, next_cursor, more, history=named, reset=reset)
