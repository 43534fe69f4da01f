"""The office's HTTP API: sign-in, reading and acting on concerns, the audit log.

Every read of a concern's sensitive fields and every change is audited with who and when.
Device tokens do not work here, and office sessions do not work on the device API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hub import accounts, roles
from hub.audit import audit
from hub.db import schema
from hub.errors import BadRequest
from hub.web import concerns, devices, provisions
from hub.web.access import Transaction, as_officer
from hub.web.deps import officer
from hub.web.grants import grants_router
from hub.web.places import data_router
from hub.web.planning import planning_router
from hub.web.redactions import redactions_router
from hub.web.request_body import read_json
from sync.protocol import API

OFFICE = f"{API}/office"


def office_router(in_tx: Transaction) -> APIRouter:
    # every route below and in the included routers passes `officer` first (roles.py)
    router = APIRouter(prefix=OFFICE, tags=["office"], dependencies=[Depends(officer)])
    router.include_router(concerns.router)
    router.include_router(data_router(in_tx))
    router.include_router(devices.router)
    router.include_router(planning_router(in_tx))
    router.include_router(grants_router(in_tx))
    router.include_router(provisions.router)
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
