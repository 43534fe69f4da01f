"""The reference data the hub validates pushes against: programs and enumerations from
assets/, places from the hub's own database (cached per process until they change)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from field_app.catalogue import load_reference
from field_app.domain.reference import Reference
from sync.hub import schema
from sync.protocol import PLACE


@dataclass
class _Cached:
    version: int = -1
    reference: Reference | None = None


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def reference(conn: Connection) -> Reference:
    """Cheap when nothing changed: one MAX() over the feed's place rows."""
    version = conn.execute(select(func.coalesce(func.max(schema.changes.c.seq), 0)).where(
        schema.changes.c.kind == PLACE)).scalar_one()
    key = str(conn.engine.url)
    with _lock:
        cached = _cache.setdefault(key, _Cached())
        if cached.reference is not None and cached.version == version:
            return cached.reference
    rows = conn.execute(select(schema.places.c.id, schema.places.c.body)).all()
    ref = load_reference().with_places({r.id: json.loads(r.body)["program"] for r in rows})
    with _lock:
        _cache[key] = _Cached(version, ref)
    return ref
