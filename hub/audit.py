"""The audit log: who did what, when (append-only in the database, migrations 0003/0005;
one text may be redacted by an admin, hub/redaction.py). Details carry ids, counts and
filter keys, never personal text."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from hub.db import schema
from hub.db.engine import utcnow


def audit(conn: Connection, actor: str, action: str, subject: str = "", detail: str = "{}") -> None:
    conn.execute(insert(schema.audit).values(at=utcnow(), actor=actor, action=action,
                                             subject=subject, detail=detail))
