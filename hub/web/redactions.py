"""The office API for lawful erasure: an admin redacts one text of an audit or provision
row (hub/redaction.py), audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from hub import accounts, redaction
from hub.web.access import Transaction, as_officer
from hub.web.request_body import read_json


def redactions_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    @router.post("/redactions", summary="Redact one text of an audit or provision row "
                 "(admins only; audited; the row stays)")
    async def create(request: Request, authorization: str | None = Header(None)
                     ) -> dict[str, Any]:
        body = await read_json(request, limit=4096)

        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            table, row, field, reason = redaction.check(body)  # after the admin is known
            return redaction.redact(conn, table, row, field, reason, who.username)

        return await as_officer(in_tx, authorization, work)

    return router
