"""The office API for lawful erasure: an admin redacts one text of an audit or provision
row (hub/redaction.py), audited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection

from hub import accounts, redaction
from hub.contract.errors import OFFICE, answers
from hub.contract.redactions import Redaction, RedactionRequest
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()


@router.post("/redactions", summary="Redact one text of an audit or provision row "
             "(admins only; audited; the row stays)", response_model=Redaction,
             responses=answers(*OFFICE, 404), openapi_extra=documented(RedactionRequest))
async def create(request: Request, who: Officer, db: Db) -> Redaction:
    asked = await body(request, RedactionRequest, limit=4096)
    # which table, field and reason may be is the domain's to say, as for the CLI
    table, row, field, reason = redaction.check(asked.model_dump())

    def work(conn: Connection, officer: accounts.OfficeUser) -> Redaction:
        return Redaction.model_validate(
            redaction.redact(conn, table, row, field, reason, officer.username))

    return await run(db, work, who)
