"""The office part of a concern, written from the office (engineer R2 moves it to
hub/concerns.py). The feed devices pull is hub/feed.py; the place and reference writers are
hub/places.py and hub/reference.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain.concern import parse_office_part
from core.domain.errors import ValidationError
from core.domain.legal_basis import basis_of
from core.domain.record import utc_now
from hub import provisions
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.feed import lock as _lock_feed
from hub.feed import pull
from hub.reference import reference
from sync.protocol import OFFICE_PART

# hub/web/app.py (not R3's to edit) still imports `pull` from here
__all__ = ["UNCHECKED", "pull", "set_office_part"]


UNCHECKED = object()  # set_office_part's based_on when the caller does not say


def set_office_part(conn: Connection, concern_id: str, part: Mapping[str, Any], actor: str,
                    *, based_on: object = UNCHECKED, provide: object = None) -> dict[str, Any]:
    """Write the office part of a concern; the authoring device gets it at its next pull.

    `based_on`: the `updated_at` of the part the change was made from (None: there was none).
    If someone changed it since, the change is refused rather than silently undoing theirs
    (a referral overwritten by a page opened before it).

    A part that passes the concern on (a referral, a later change of destination) needs the
    person's consent or a legal basis, and writes a provision record of the items chosen in
    `provide` (default: the minimal ones) in the same transaction."""
    row = conn.execute(select(schema.records.c.device_id, schema.records.c.body).where(
        schema.records.c.id == concern_id, schema.records.c.kind == "concern")).first()
    if row is None:
        raise NotFound(f"no concern {concern_id}", message_ja="その気づきの記録は見つかりません。")
    body = {**part, "updated_at": utc_now(), "updated_by": actor}
    ref = reference(conn)
    try:
        checked = parse_office_part(body, ref)
    except ValidationError as exc:
        raise BadRequest(exc.message, message_ja=exc.message_ja,
                         problems=[p.as_dict() for p in exc.problems]) from exc
    stored = dict(vars(checked))
    chosen = provisions.items(provide, ref)
    _lock_feed(conn)
    if based_on is not UNCHECKED:
        current = conn.execute(select(schema.office_parts.c.body).where(
            schema.office_parts.c.concern_id == concern_id)).scalar()
        now_part = json.loads(current) if current else {}
        if now_part.get("updated_at") != based_on:
            who = str(now_part.get("updated_by") or "")
            raise Conflict(f"{who or 'someone'} changed this concern's office part meanwhile; "
                           "check what they did, then save again if it is still right",
                           message_ja=f"ほかの職員{f'（{who}）' if who else ''}がこの気づきの"
                                      "対応を先に変更しました。経過を確認し、必要ならもう一度保存"
                                      "してください。")
    if provisions.due(conn, concern_id, stored):
        concern = json.loads(row.body)
        basis = basis_of(ref, concern, stored)
        if basis is None:
            raise provisions.no_basis()
        provided = provisions.record(conn, concern, concern_id, stored, basis, chosen, actor, ref)
        audit(conn, actor, "provision_recorded", concern_id, json.dumps(
            {k: provided[k] for k in ("recipient", "items", "basis", "provided_on")}))
    now = utcnow()
    values = dict(device_id=row.device_id, body=json.dumps(stored, ensure_ascii=False),
                  updated_at=now, updated_by=actor)
    done = conn.execute(update(schema.office_parts)
                        .where(schema.office_parts.c.concern_id == concern_id).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(schema.office_parts).values(concern_id=concern_id, **values))
    conn.execute(insert(schema.changes).values(kind=OFFICE_PART, record_id=concern_id,
                                               device_id=row.device_id, at=now))
    # the whole part, so that the concern's history shows what each change said
    audit(conn, actor, "office_part_written", concern_id, json.dumps(
        {k: v for k, v in stored.items() if k not in ("updated_at", "updated_by")},
        ensure_ascii=False))
    return stored
