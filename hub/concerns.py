"""The office's concern inbox: what needs acting on, most urgent and newest first; the
history of one concern (when it came in, every office change, who read it); and the office
part the office writes (triage, referral, feedback), which its device pulls.

The inbox lists no sensitive field (DESIGN §8): opening a concern is the audited read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain.concern import parse_office_part
from core.domain.errors import ValidationError
from core.domain.legal_basis import basis_of
from core.domain.problem import CHOICE
from core.domain.record import utc_now
from core.domain.reference import Reference
from hub import provisions
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.feed import lock as lock_feed
from hub.reference import reference
from sync.protocol import OFFICE_PART

URGENCY_ORDER = ("emergency", "high", "medium", "watch")
MAX_ROWS = 500
# audit actions that belong to a concern's history, and what the history calls them
AUDITED = {"concern_received": "received", "concern_updated": "updated",
           "office_part_written": "office_part_written", "concern_read": "concern_read",
           "concern_disclosed": "disclosed"}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    category: str = ""
    urgency: str = ""
    place_id: str = ""
    staff: str = ""

    def check(self, ref: Reference) -> list[dict[str, Any]]:
        """Problems with the filter values, as the API reports them."""
        problems = []
        for name, enum in (("status", "concern_status"), ("category", "concern_categories"),
                           ("urgency", "urgency")):
            value = getattr(self, name)
            if value and value not in ref.keys(enum):
                problems.append({"field": name, "value": value[:40],
                                 "expected_en": f"one of {', '.join(sorted(ref.keys(enum)))}",
                                 "expected_ja": "一覧にある値", "code": CHOICE,
                                 "allowed": sorted(ref.keys(enum))})
        return problems

    def admits(self, summary: Mapping[str, Any]) -> bool:
        return ((not self.status or summary["status"] == self.status)
                and (not self.category or self.category in summary["categories"])
                and (not self.urgency or summary["urgency"] == self.urgency)
                and (not self.place_id or summary["place_id"] == self.place_id)
                and (not self.staff or summary["staff"] == self.staff))


def place_names(conn: Connection) -> dict[str, str]:
    return {r.id: json.loads(r.body)["name"]
            for r in conn.execute(select(schema.places.c.id, schema.places.c.body))}


def _staff(conn: Connection) -> dict[str, str]:
    return {r.id: r.staff_name
            for r in conn.execute(select(schema.devices.c.id, schema.devices.c.staff_name))}


def _rank(summary: Mapping[str, Any]) -> int:
    urgency = summary["urgency"]
    return URGENCY_ORDER.index(urgency) if urgency in URGENCY_ORDER else len(URGENCY_ORDER)


def received_after(text: str) -> dt.datetime | None:
    """The `received_after` of an inbox query (an inbox's `newest`), in UTC; None if empty.
    ValueError if it is not an ISO 8601 time."""
    if not text:
        return None
    when = dt.datetime.fromisoformat(text)
    # the hub stores UTC; SQLite keeps it without an offset
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def concerns(conn: Connection, filters: Filters, concern_id: str | None = None,
             after: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every concern the filters admit, in inbox order (page with `page`); with `after`, only
    those received since (an open inbox looking for arrivals reads only those)."""
    places, staff = place_names(conn), _staff(conn)
    parts_q = select(schema.office_parts.c.concern_id, schema.office_parts.c.body)
    rows_q = (select(schema.records.c.id, schema.records.c.device_id, schema.records.c.body,
                     schema.records.c.received_at).where(schema.records.c.kind == "concern"))
    if concern_id is not None:
        parts_q = parts_q.where(schema.office_parts.c.concern_id == concern_id)
        rows_q = rows_q.where(schema.records.c.id == concern_id)
    if after is not None:
        rows_q = rows_q.where(schema.records.c.received_at > after)
    parts = {r.concern_id: json.loads(r.body) for r in conn.execute(parts_q)}
    rows = conn.execute(rows_q)
    found = []
    for r in rows:
        doc = json.loads(r.body)
        part = parts.get(r.id) or {}
        summary = {
            "id": r.id, "observed_on": doc["observed_on"], "urgency": doc["urgency"],
            "categories": doc["categories"], "place_id": doc.get("place_id", ""),
            "place_name": places.get(doc.get("place_id", ""), ""),
            "staff": staff.get(r.device_id, ""), "status": part.get("status", "new"),
            "destination": part.get("destination", ""),
            "suggested_destination": doc.get("suggested_destination", ""),
            "follow_up_on": doc.get("follow_up_on"),
            "received_at": r.received_at.isoformat() if r.received_at else "",
        }
        if filters.admits(summary):
            found.append(summary)
    # Still open before closed (years of closed emergencies must not bury today's), then most
    # urgent first, then newest observed (then newest received). Stable sorts, least
    # significant key first.
    found.sort(key=lambda s: s["received_at"], reverse=True)
    found.sort(key=lambda s: s["observed_on"], reverse=True)
    found.sort(key=_rank)
    found.sort(key=lambda s: s["status"] == "closed")
    return found


def page(found: list[dict[str, Any]], offset: int, limit: int) -> dict[str, Any]:
    """One page of the inbox, with how many there are in all: the office must be able to
    tell that a list goes on past what it shows."""
    return {"concerns": found[offset:offset + limit], "total": len(found), "offset": offset,
            # ask with received_after=newest to learn what arrived since this answer
            "newest": max((s["received_at"] for s in found), default="")}


def staff_names(conn: Connection) -> list[str]:
    return sorted(set(_staff(conn).values()))


def history(conn: Connection, concern_id: str) -> list[dict[str, Any]]:
    """The concern's story, oldest first: received from the device, each later version and any
    conflicting version kept for review, each office change, each provision to a third
    party, and each time the office opened it or disclosed it to the person."""
    staff = _staff(conn)
    events: list[dict[str, Any]] = []
    rows = conn.execute(select(schema.audit).where(
        schema.audit.c.subject == concern_id,
        schema.audit.c.action.in_(tuple(AUDITED))).order_by(schema.audit.c.seq))
    for r in rows:
        by_device = r.action in ("concern_received", "concern_updated")
        events.append({"at": r.at.isoformat(), "action": AUDITED[r.action],
                       "actor": staff.get(r.actor, r.actor) if by_device else r.actor,
                       "detail": json.loads(r.detail or "{}")})
    if not any(e["action"] == "received" for e in events):
        # received before the hub kept each version's arrival: the row knows the latest
        rec = conn.execute(select(schema.records.c.received_at, schema.records.c.rev,
                                  schema.records.c.device_id)
                           .where(schema.records.c.id == concern_id)).first()
        if rec is not None:
            events.append({"at": rec.received_at.isoformat(), "action": "received",
                           "actor": staff.get(rec.device_id, rec.device_id),
                           "detail": {"rev": rec.rev}})
    for p in provisions.listing(conn, provisions.Filters(concern_id=concern_id)):
        events.append({"at": p["recorded_at"], "actor": p["recorded_by"], "action": "provided",
                       "detail": {k: p[k] for k in ("provided_on", "recipient",
                                                    "recipient_name", "items", "basis",
                                                    "basis_note", "basis_by")}})
    for c in conn.execute(select(schema.conflicts.c.received_at, schema.conflicts.c.rev,
                                 schema.conflicts.c.device_id)
                          .where(schema.conflicts.c.record_id == concern_id)):
        events.append({"at": c.received_at.isoformat(), "actor": staff.get(c.device_id, ""),
                       "action": "conflict", "detail": {"rev": c.rev}})
    return sorted(events, key=lambda e: e["at"])


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
    lock_feed(conn)
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
