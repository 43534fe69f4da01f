"""The office's HTTP API: sign-in, reading and acting on concerns, the audit log.

Every read of a concern's sensitive fields and every change is audited with who and when.
Device tokens do not work here, and office sessions do not work on the device API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from core.domain.legal_basis import basis_of
from hub import accounts, roles
from hub import concerns as inbox
from hub.audit import audit
from hub.changes import UNCHECKED, set_office_part
from hub.db import schema
from hub.errors import BadRequest, NotFound
from hub.reference import reference
from hub.web import devices, grants, places, planning, reports
from hub.web import reference as reference_web
from hub.web.access import Transaction, as_officer
from hub.web.deps import officer
from hub.web.provisions import provisions_router
from hub.web.redactions import redactions_router
from hub.web.request_body import read_json
from sync.protocol import API

OFFICE = f"{API}/office"


def _story(conn: Any, concern_id: str) -> tuple[str, dict[str, Any]]:
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


def office_router(in_tx: Transaction) -> APIRouter:
    # every route below and in the included routers passes `officer` first (roles.py)
    router = APIRouter(prefix=OFFICE, tags=["office"], dependencies=[Depends(officer)])
    router.include_router(places.router)
    router.include_router(reference_web.router)
    router.include_router(reports.router)
    router.include_router(devices.router)
    router.include_router(planning.router)
    router.include_router(grants.router)
    router.include_router(provisions_router(in_tx))
    router.include_router(redactions_router(in_tx))

    @router.post("/login", summary="Sign in; returns a session token that expires")
    async def login(request: Request) -> dict[str, Any]:
        body = await read_json(request, limit=4096)
        if not isinstance(body, dict) or not isinstance(body.get("username"), str) \
                or not isinstance(body.get("password"), str):
            raise BadRequest('expected {"username": "...", "password": "..."}',
                             message_ja="ユーザー名とパスワードを送ってください。")
        name, password = body["username"][:64], body["password"][:200]
        token, expires, held = await run_in_threadpool(accounts.sign_in, in_tx, name, password)
        return {"token": token, "expires_at": expires.isoformat(),
                "role": held[0] if held else "", "roles": list(held)}

    @router.post("/logout", summary="End this session")
    async def logout(authorization: str | None = Header(None)) -> dict[str, bool]:
        await run_in_threadpool(in_tx, lambda c: accounts.sign_out(c, authorization))
        return {"ok": True}

    @router.get("/me", summary="Who this session belongs to, their roles, and the roles "
                               "each office operation needs")
    async def me(authorization: str | None = Header(None)) -> dict[str, Any]:
        who = await as_officer(in_tx, authorization, lambda conn, who: who)
        return {"username": who.username, "role": who.role, "roles": list(who.roles),
                "operations": {f"{method} {path}": [r for r in roles.ROLES if r in needs]
                               for (method, path), needs in roles.OPERATIONS.items()}}

    @router.get("/concerns", summary="The inbox: most urgent and newest first, no sensitive fields")
    async def concerns(authorization: str | None = Header(None),
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
                       ) -> dict[str, Any]:
        filters = inbox.Filters(status, category, urgency, place_id, staff)
        try:
            after = inbox.received_after(received_after)
        except ValueError:
            raise BadRequest("received_after is not a time", problems=[{
                "field": "received_after", "value": received_after,
                "expected_en": "an ISO 8601 time, as in an inbox answer's newest",
                "expected_ja": "日時（ISO 8601 形式、受信箱の応答の newest の値）"}],
                message_ja="received_after の日時が読めません。") from None

        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
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
            return {**found, "staff": inbox.staff_names(conn)}

        return await as_officer(in_tx, authorization, work)

    @router.get("/concerns/{concern_id}",
                summary="A concern with its office part and history (the read is audited)")
    async def concern(concern_id: str, authorization: str | None = Header(None)
                      ) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            # audited first so that the history includes this read; for an unknown id the
            # NotFound below rolls the entry back
            audit(conn, who.username, "concern_read", concern_id[:36])
            body, story = _story(conn, concern_id[:36])
            found = inbox.concerns(conn, inbox.Filters(), concern_id=concern_id[:36])[0]
            return {"concern": json.loads(body), "place_name": found["place_name"],
                    "staff": found["staff"], **story}

        return await as_officer(in_tx, authorization, work)

    @router.get("/concerns/{concern_id}/history",
                summary="A concern's office part and history, without its sensitive fields "
                        "(not a read of the concern; audited as a history read)")
    async def concern_history(concern_id: str, authorization: str | None = Header(None)
                              ) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            story = _story(conn, concern_id[:36])[1]
            # the office part's feedback and the provisions' items are about the person
            audit(conn, who.username, "concern_history_read", concern_id[:36],
                  json.dumps({"events": len(story["history"])}))
            return story

        return await as_officer(in_tx, authorization, work)

    @router.put("/concerns/{concern_id}/office", summary="Triage, refer, watch, close (audited)")
    async def act(concern_id: str, request: Request, authorization: str | None = Header(None)
                  ) -> dict[str, Any]:
        body = await read_json(request, limit=16_384)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
        # what the page showed (its office part's updated_at, or null for none): a change made
        # from an older page is refused with 409 instead of undoing someone else's
        based_on = body.pop("based_on", UNCHECKED)
        if based_on is not UNCHECKED and based_on is not None and not (
                isinstance(based_on, str) and len(based_on) <= 40):
            raise BadRequest("based_on must be the updated_at the page showed, or null",
                             message_ja="based_on の値が正しくありません。",
                             problems=[{"field": "based_on", "value": str(based_on)[:40],
                                        "expected_en": "the office part's updated_at, or null",
                                        "expected_ja": "表示していた対応の updated_at、または null"}])

        # the items passed on if this change refers the concern (the provision record's)
        provide = body.pop("provide", None)
        return {"office": await as_officer(
            in_tx, authorization,
            lambda conn, who: set_office_part(conn, concern_id[:36], body, who.username,
                                              based_on=based_on, provide=provide))}

    @router.get("/audit", summary="The audit log, newest first (admin)")
    async def audit_log(authorization: str | None = Header(None),
                        limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> list[dict[str, Any]]:
            audit(conn, who.username, "audit_read")
            rows = conn.execute(select(schema.audit).order_by(schema.audit.c.seq.desc())
                                .limit(limit))
            return [{"seq": r.seq, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                     "subject": r.subject, "detail": json.loads(r.detail or "{}")} for r in rows]

        return {"entries": await as_officer(in_tx, authorization, work)}

    return router
