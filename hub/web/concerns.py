"""The office API for concerns: the inbox, reading one (audited), its history, and the
office part the office writes (triage, referral, feedback, closing; audited)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.domain.legal_basis import basis_of
from core.domain.problem import Problem, shown
from hub import accounts
from hub import concerns as inbox
from hub.audit import audit
from hub.contract.concerns import Concern, Inbox, OfficePartRequest, Story, Written
from hub.contract.errors import OFFICE, answers
from hub.db import schema
from hub.errors import BadRequest, NotFound
from hub.reference import reference
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()


def _story(conn: Connection, concern_id: str) -> tuple[str, dict[str, Any]]:
    """A concern's stored body, and its office part and history (no sensitive field)."""
    row = conn.execute(select(schema.records.c.body).where(
        schema.records.c.id == concern_id, schema.records.c.kind == "concern")).first()
    if row is None:
        raise NotFound("no such concern", message_ja="その気づきの記録は見つかりません。")
    part = conn.execute(select(schema.office_parts.c.body).where(
        schema.office_parts.c.concern_id == concern_id)).first()
    office = json.loads(part.body) if part else None
    basis = basis_of(reference(conn), json.loads(row.body), office)
    return row.body, {"office": office, "history": inbox.history(conn, concern_id),
                      # what a referral would rest on (None: neither consent nor a basis)
                      "basis": vars(basis) if basis else None}


@router.get("/concerns", summary="The inbox: most urgent and newest first, no sensitive fields",
            response_model=Inbox, responses=answers(*OFFICE))
async def concerns(who: Officer, db: Db,
                   status: str = Query("", max_length=40),
                   category: str = Query("", max_length=40),
                   urgency: str = Query("", max_length=40),
                   place_id: str = Query("", max_length=36),
                   staff: str = Query("", max_length=100),
                   limit: int = Query(inbox.MAX_ROWS, ge=1, le=inbox.MAX_ROWS),
                   offset: int = Query(0, ge=0, le=10_000_000),
                   received_after: str = Query("", max_length=40,
                                               description="only concerns received since "
                                                           "this time (an answer's `newest`)")
                   ) -> Inbox:
    filters = inbox.Filters(status, category, urgency, place_id, staff)
    try:
        after = inbox.received_after(received_after)
    except ValueError:
        raise BadRequest("received_after is not a time", problems=[Problem(
            "received_after", shown(received_after),
            "an ISO 8601 time, as in an inbox answer's newest",
            "日時（ISO 8601 形式、受信箱の応答の newest の値）").as_dict()],
            message_ja="received_after の日時が読めません。") from None

    def work(conn: Connection, who: accounts.OfficeUser) -> Inbox:
        problems = filters.check(reference(conn))
        if problems:
            raise BadRequest("unknown filter value", problems=problems,
                             message_ja="絞り込みの値が正しくありません。")
        found = inbox.page(inbox.concerns(conn, filters, after=after), offset, limit)
        if found["concerns"]:  # a look that found nothing new showed nobody
            audit(conn, who.username, "concerns_listed", detail=json.dumps({
                "filters": {k: v for k, v in vars(filters).items() if v},
                "received_after": bool(received_after), "offset": offset,
                "rows": len(found["concerns"]), "total": found["total"]}))
        return Inbox.model_validate({**found, "staff": inbox.staff_names(conn)})

    return await run(db, work, who)


@router.get("/concerns/{concern_id}",
            summary="A concern with its office part and history (the read is audited)",
            response_model=Concern, responses=answers(*OFFICE, 404))
async def concern(concern_id: str, who: Officer, db: Db) -> Concern:
    def work(conn: Connection) -> Concern:
        # audited first so that the history includes this read; for an unknown id the
        # NotFound below rolls the entry back
        audit(conn, who.username, "concern_read", concern_id[:36])
        stored, story = _story(conn, concern_id[:36])
        found = inbox.concerns(conn, inbox.Filters(), concern_id=concern_id[:36])[0]
        return Concern.model_validate({"concern": json.loads(stored),
                                       "place_name": found["place_name"],
                                       "staff": found["staff"], **story})

    return await run(db, work)


@router.get("/concerns/{concern_id}/history",
            summary="A concern's office part and history, without its sensitive fields "
                    "(not a read of the concern; audited as a history read)",
            response_model=Story, responses=answers(*OFFICE, 404))
async def concern_history(concern_id: str, who: Officer, db: Db) -> Story:
    def work(conn: Connection) -> Story:
        story = _story(conn, concern_id[:36])[1]
        # the office part's feedback and the provisions' items are about the person
        audit(conn, who.username, "concern_history_read", concern_id[:36],
              json.dumps({"events": len(story["history"])}))
        return Story.model_validate(story)

    return await run(db, work)


@router.put("/concerns/{concern_id}/office", summary="Triage, refer, watch, close (audited)",
            response_model=Written, responses=answers(*OFFICE, 404, 409),
            openapi_extra=documented(OfficePartRequest))
async def act(concern_id: str, request: Request, who: Officer, db: Db) -> Written:
    asked = await body(request, OfficePartRequest, limit=16_384)
    part = asked.model_dump(exclude_unset=True)
    # what the page showed (its office part's updated_at, or null for none): a change made
    # from an older page is refused with 409 instead of undoing someone else's
    based_on = part.pop("based_on", inbox.UNCHECKED)
    if based_on is not inbox.UNCHECKED and based_on is not None and not (
            isinstance(based_on, str) and len(based_on) <= 40):
        raise BadRequest("based_on must be the updated_at the page showed, or null",
                         message_ja="based_on の値が正しくありません。",
                         problems=[Problem("based_on", shown(based_on),
                                           "the office part's updated_at, or null",
                                           "表示していた対応の updated_at、または null").as_dict()])
    # the items passed on if this change refers the concern (the provision record's)
    provide = part.pop("provide", None)

    def work(conn: Connection) -> Written:
        return Written.model_validate({"office": inbox.set_office_part(
            conn, concern_id[:36], part, who.username, based_on=based_on, provide=provide)})

    return await run(db, work)
