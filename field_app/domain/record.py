"""What every record carries (DESIGN §4), and how a local edit moves it on.

Ids are UUIDs made on the device; `rev` goes up by one per local edit; times
are UTC ISO-8601 with a `Z`. Records are frozen: an edit makes a new value.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Self

from field_app.domain.validation import Checker

SCHEMA = 2  # record schema written by this version; see store.migrations for 1 -> 2


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, kw_only=True)
class Record:
    id: str
    kind: str
    schema: int = SCHEMA
    rev: int = 1
    created_at: str
    updated_at: str
    device_id: str
    author: str

    META: ClassVar[tuple[str, ...]] = (
        "id", "kind", "schema", "rev", "created_at", "updated_at", "device_id", "author")
    # Free-text fields that may identify or describe a person: sealed at rest (DESIGN §8).
    SENSITIVE: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    def edited(self, *, at: str | None = None, **changes: Any) -> Self:
        """The next local revision of this record with `changes` applied."""
        return replace(self, rev=self.rev + 1, updated_at=at or utc_now(), **changes)


def check_meta(c: Checker, kind: str) -> dict[str, Any]:
    """Read and check the common fields; the caller adds its own."""
    meta: dict[str, Any] = {
        "id": c.uuid("id", required=True),
        "kind": c.choice("kind", {kind}, required=True),
        "schema": c.integer("schema", minimum=SCHEMA, maximum=SCHEMA, default=SCHEMA),
        "rev": c.integer("rev", required=True, minimum=1, maximum=10**9, default=1),
        "created_at": c.timestamp("created_at", required=True),
        "updated_at": c.timestamp("updated_at", required=True),
        "device_id": c.text("device_id", required=True, max_len=64),
        "author": c.text("author", max_len=100),
    }
    if meta["created_at"] and meta["updated_at"] and meta["updated_at"] < meta["created_at"]:
        c.fail("updated_at", meta["updated_at"], "not before created_at", "created_at 以降の日時")
    return meta


def new_meta(kind: str, device_id: str, author: str) -> dict[str, Any]:
    now = utc_now()
    return {"id": new_id(), "kind": kind, "schema": SCHEMA, "rev": 1, "created_at": now,
            "updated_at": now, "device_id": device_id, "author": author}
