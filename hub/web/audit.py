"""The office API for the audit log: an admin reads it, newest first; the read is audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.engine import Connection

from hub import accounts
from hub.audit import audit
from hub.contract.accounts import AuditEntry, AuditLog
from hub.contract.errors import OFFICE, answers
from hub.db import schema
from hub.web.deps import Db, Officer, run

router = APIRouter()


@router.get("/audit", summary="The audit log, newest first (admin)", response_model=AuditLog,
            responses=answers(*OFFICE))
async def audit_log(who: Officer, db: Db,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> AuditLog:
    def work(conn: Connection, officer: accounts.OfficeUser) -> AuditLog:
        audit(conn, officer.username, "audit_read")
        rows = conn.execute(select(schema.audit).order_by(schema.audit.c.seq.desc())
                            .limit(limit))
        return AuditLog(entries=[
            AuditEntry(seq=r.seq, at=_utc(r.at), actor=r.actor, action=r.action, subject=r.subject,
                       detail=json.loads(r.detail or "{}")) for r in rows])

    return await run(db, work, who)


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time stored is UTC (an answer's `at` is an
    RFC 3339 time, with its offset, on both databases)."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
