"""The reference data the hub validates pushes against: programs and enumerations from
assets/ with the office's changes (destinations, program settings) on top, places from the
hub's own database. Cached per process until the feed says they changed. The office saves
its changes here too (`save_reference`); every device pulls the document."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from core.domain.errors import ValidationError
from core.domain.overrides import apply_overrides, parse_overrides
from core.domain.reference import Reference
from core.reference_data import load_reference
from hub import feed, hub_settings
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest
from sync.protocol import PLACE, REFERENCE

SETTING = "reference"


@dataclass
class _Cached:
    version: int = -1
    reference: Reference | None = None


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def reference(conn: Connection) -> Reference:
    """Cheap when nothing changed: one MAX() over the feed's place rows."""
    version = conn.execute(select(func.coalesce(func.max(schema.changes.c.seq), 0)).where(
        schema.changes.c.kind.in_((PLACE, REFERENCE)))).scalar_one()
    key = str(conn.engine.url)
    with _lock:
        cached = _cache.setdefault(key, _Cached())
        if cached.reference is not None and cached.version == version:
            return cached.reference
    rows = conn.execute(select(schema.places.c.id, schema.places.c.body)).all()
    ref = apply_overrides(load_reference(), overrides(conn)).with_places(
        {r.id: json.loads(r.body)["program"] for r in rows})
    with _lock:
        _cache[key] = _Cached(version, ref)
    return ref


def overrides(conn: Connection) -> dict[str, Any] | None:
    stored = hub_settings.get(conn, SETTING)
    return json.loads(stored) if stored else None


def save_reference(conn: Connection, data: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """The office's destinations and program settings; every device pulls the document."""
    try:
        doc = parse_overrides(data, load_reference())
    except ValidationError as exc:
        raise BadRequest(exc.message, message_ja=exc.message_ja,
                         problems=[p.as_dict() for p in exc.problems]) from exc
    previous = overrides(conn) or {}
    if doc["destinations"] is None:  # only programs sent: the destinations stay as they were
        doc["destinations"] = previous.get("destinations")
    doc["programs"] = {**(previous.get("programs") or {}), **doc["programs"]}
    feed.lock(conn)
    hub_settings.put(conn, SETTING, json.dumps(doc, ensure_ascii=False), actor)
    # the feed sends devices the hub setting a reference row names
    conn.execute(insert(schema.changes).values(kind=REFERENCE, record_id=SETTING,
                                               device_id=None, at=utcnow()))
    return doc
