"""Settings kept in the hub_settings table: small documents the office changes
rarely — the office's public key, the reference-data overrides, the retention periods.
Every change is audited."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from hub.audit import audit
from hub.db import schema


def get(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(schema.hub_settings.c.value).where(
        schema.hub_settings.c.key == key)).first()
    return str(row.value) if row else None


def put(conn: Connection, key: str, value: str, actor: str,
        action: str = "hub_setting_changed", detail: str | None = None) -> None:
    """Replace a setting; audited as `action`, with `detail` (by default the new value)."""
    conn.execute(delete(schema.hub_settings).where(schema.hub_settings.c.key == key))
    conn.execute(insert(schema.hub_settings).values(key=key, value=value))
    audit(conn, actor, action, key, value if detail is None else detail)
