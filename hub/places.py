"""The places the office keeps (core/domain/place.py): added or edited one at a time from
the console, or imported in bulk (cli); every device receives them at its next pull."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain.errors import ValidationError
from core.domain.place import FIELDS as PLACE_FIELDS
from core.domain.place import parse_place
from core.domain.record import SCHEMA, new_id, utc_now
from hub import feed
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.reference import reference
from sync.protocol import PLACE

EDITABLE = tuple(f for f in PLACE_FIELDS if f != "sample")


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
    feed.lock(conn)
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


def listing(conn: Connection, search: str = "") -> list[dict[str, Any]]:
    """Every place (or those whose name, kana or id holds `search`), in kana order."""
    found = [json.loads(r.body) for r in conn.execute(select(schema.places.c.body))]
    wanted = search.strip().casefold()
    if wanted:
        found = [p for p in found if any(wanted in str(p.get(k) or "").casefold()
                                         for k in ("name", "kana", "id"))]
    return sorted(found, key=lambda p: (str(p.get("kana") or p.get("name") or ""), p["id"]))


def find(conn: Connection, given: str) -> dict[str, Any]:
    """The one place `given` names: its id, its exact name, or the only place whose name or
    kana holds it. NotFound when none does; BadRequest naming each when several do."""
    every = listing(conn)
    for exact in ([p for p in every if p["id"] == given],
                  [p for p in every if p.get("name") == given]):
        if len(exact) == 1:
            return exact[0]
    found = listing(conn, given)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no place is named {given!r} (ibasho-hub places lists them)",
                       message_ja=f"「{given}」という場所はありません（ibasho-hub places で一覧できます）。")
    names = "; ".join(f"{p['id']} {p.get('name', '')}" for p in found[:10])
    raise BadRequest(f"{len(found)} places match {given!r}: {names}. Give the id or the whole name",
                     message_ja=f"「{given}」に当てはまる場所が{len(found)}件あります。IDか正式な名前で指定してください。")
