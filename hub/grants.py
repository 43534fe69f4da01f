"""The grants the office records, per place and fiscal year (domain.grant): each step
checked against the steps before it, stored with a revision that refuses lost updates,
audited, and the status sent to every device (read-only there; hub/feed.py tells them)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain import grant as domain
from core.domain.errors import ValidationError
from hub import feed
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.reference import reference
from sync.protocol import GRANT, grant_key


def _place(conn: Connection, place_id: str) -> dict[str, Any]:
    row = conn.execute(select(schema.places.c.body).where(
        schema.places.c.id == place_id[:36])).first()
    if row is None:
        raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
    place: dict[str, Any] = json.loads(row.body)
    return place


def _row(conn: Connection, place_id: str, fiscal_year: int) -> tuple[int, dict[str, Any]]:
    row = conn.execute(select(schema.grants.c.rev, schema.grants.c.body).where(
        schema.grants.c.place_id == place_id, schema.grants.c.fiscal_year == fiscal_year)).first()
    return (row.rev, json.loads(row.body)) if row else (0, {})


def summary(place: Mapping[str, Any], fiscal_year: int, rev: int, body: Mapping[str, Any]
            ) -> dict[str, Any]:
    f = domain.figures(body)
    state = domain.status(body)
    return {"place_id": place["id"], "name": place["name"], "program": place["program"],
            "fiscal_year": fiscal_year, "rev": rev, "status": state,
            "waiting_for": domain.WAITING[state], "requested_yen": f.requested,
            "approved_yen": f.approved, "paid_yen": f.paid, "income_yen": f.income,
            "expenses_yen": f.expenses, "confirmed_yen": f.confirmed, "refund_yen": f.refund}


def listing(conn: Connection, fiscal_year: int) -> list[dict[str, Any]]:
    """Every place with its grant for the year (places with none say so), in kana order."""
    found = {r.place_id: (r.rev, json.loads(r.body)) for r in conn.execute(
        select(schema.grants).where(schema.grants.c.fiscal_year == fiscal_year))}
    places = [json.loads(b) for (b,) in conn.execute(select(schema.places.c.body))]
    out = [summary(p, fiscal_year, *found.get(p["id"], (0, {}))) for p in places]
    return sorted(out, key=lambda g: g["name"])


def one(conn: Connection, place_id: str, fiscal_year: int) -> dict[str, Any]:
    place = _place(conn, place_id)
    rev, body = _row(conn, place["id"], fiscal_year)
    history = [{"at": r.at.isoformat(), "actor": r.actor, "detail": json.loads(r.detail)}
               for r in conn.execute(select(schema.audit).where(
                   schema.audit.c.action == "grant_step",
                   schema.audit.c.subject == grant_key(place["id"], fiscal_year))
                   .order_by(schema.audit.c.seq))]
    program = reference(conn).programs.get(place["program"])
    return {**summary(place, fiscal_year, rev, body), "grant": body, "history": history,
            "cap_yen": program.grant_cap_yen if program else 0,
            "suggested_confirmed_yen": domain.suggested_confirmed(body)}


def record(conn: Connection, place_id: str, fiscal_year: int, step: str, data: Any,
           actor: str, *, based_on: int | None, today: dt.date) -> dict[str, Any]:
    """Record (or correct) one step. `based_on`: the rev the officer's page showed; a change
    made meanwhile by someone else is refused rather than undone."""
    place = _place(conn, place_id)
    feed.lock(conn)  # one writer of grants and the feed at a time
    rev, body = _row(conn, place["id"], fiscal_year)
    if based_on is not None and based_on != rev:
        raise Conflict("someone changed this grant meanwhile; reload it and record again",
                       message_ja="ほかの職員がこの助成を先に変更しました。読み込み直してから"
                                  "記録してください。")
    ref = reference(conn)
    program = ref.programs.get(place["program"])
    categories = {"income": ref.keys("grant_income"), "expenses": ref.keys("grant_expenses")}
    try:
        checked = domain.check_step(step, data, body, program.grant_cap_yen if program else 0,
                                    categories, today, fiscal_year=fiscal_year)
    except ValidationError as exc:
        raise BadRequest(exc.message, message_ja=exc.message_ja,
                         problems=[p.as_dict() for p in exc.problems]) from exc
    new = {**body, step: checked["payments"] if step == "payments" else checked}
    now = utcnow()
    key = grant_key(place["id"], fiscal_year)
    values = {"rev": rev + 1, "body": json.dumps(new, ensure_ascii=False), "updated_at": now,
              "updated_by": actor}
    if rev:  # only over the rev read: the feed's lock serialises, this holds it regardless
        done = conn.execute(update(schema.grants).where(
            schema.grants.c.place_id == place["id"], schema.grants.c.fiscal_year == fiscal_year,
            schema.grants.c.rev == rev).values(**values))
        if done.rowcount != 1:
            raise Conflict("someone changed this grant meanwhile; reload it and record again",
                           message_ja="ほかの職員がこの助成を先に変更しました。読み込み直してから"
                                      "記録してください。")
    else:  # the first step: the key (place, year) lets one in
        conn.execute(insert(schema.grants).values(place_id=place["id"],
                                                  fiscal_year=fiscal_year, feed_key=key,
                                                  **values))
    conn.execute(insert(schema.changes).values(kind=GRANT, record_id=key, device_id=None,
                                               at=now))
    audit(conn, actor, "grant_step", key, json.dumps(
        {"place_id": place["id"], "fiscal_year": fiscal_year, "step": step, "value": checked,
         "status": domain.status(new)}, ensure_ascii=False))
    return one(conn, place["id"], fiscal_year)

