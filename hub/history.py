"""The name of the hub's history of changes: a random id kept in hub_settings, made the
first time a device pulls, and replaced by a restore from backup.

A restored database hands out change numbers again from where its backup stopped, so a
device's cursor from before the restore would point past changes it never saw. Every
cursor carries the history's name; one of another name starts the device's pull from
the beginning, and tells it the hub it meets is not the one it last synced with (it then
offers again every record it holds: the hub may have lost some)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hub import hub_settings
from hub.audit import audit
from hub.db import schema
from hub.db.engine import is_postgres

KEY = "history"


def identity(conn: Connection) -> str:
    """This hub's history's name, made now if it has none (two hubs starting at once on
    one PostgreSQL agree: the first to insert wins)."""
    found = hub_settings.get(conn, KEY)
    if found:
        return found
    made = uuid.uuid4().hex
    dialect = postgresql if is_postgres(conn) else sqlite
    done = conn.execute(dialect.insert(schema.hub_settings).values(key=KEY, value=made)
                        .on_conflict_do_nothing(index_elements=["key"]))
    if done.rowcount:
        audit(conn, "hub", "history_named", KEY, json.dumps({"history": made}))
    named = hub_settings.get(conn, KEY)
    assert named is not None
    return named


def renew(conn: Connection, actor: str, why: str) -> str:
    """Give the history a new name (after a restore): every cursor given out before no
    longer matches. Audited with the old and new names and `why`."""
    old = hub_settings.get(conn, KEY)
    new = uuid.uuid4().hex
    hub_settings.put(conn, KEY, new, actor, action="history_renewed",
                     detail=json.dumps({"from": old, "to": new, "why": why}, ensure_ascii=False))
    return new
