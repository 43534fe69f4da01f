"""The wire contract between devices and the hub (DESIGN §6). Shared by client and hub.

Push: `POST /api/v1/sync/push` with `{"records": [...]}` (JSON, gzip allowed) and an
`Idempotency-Key` header per batch. The answer has one result per record, in order.
Pull: `GET /api/v1/sync/pull?cursor=…` answers `{"changes": [...], "cursor": …, "more": …,
"history": …, "reset": …}`: `history` names the hub's history of changes (a restore from
backup gives it a new name); `reset` says the cursor was of another history, so the answer
starts from the beginning (a full pull).
Errors are `{"error": {"code", "message", "message_ja", "problems"?}}` with a 4xx status.
Photos: their bytes go after their record, over tus 1.0.0 (core and creation) at
`/api/v1/sync/photos/{sha256}`: content-addressed, so a resend is a no-op and a broken
link resumes from the offset the hub holds (docs/hub.md, "Photos").
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API = "/api/v1"
PUSH_PATH = f"{API}/sync/push"
PULL_PATH = f"{API}/sync/pull"
ENROL_PATH = f"{API}/enrol"
PING_PATH = f"{API}/ping"
PHOTOS_PATH = f"{API}/sync/photos"
PROTOCOL_VERSION = 1

MAX_BATCH_RECORDS = 500
MAX_BODY_BYTES = 8 << 20  # after gzip is undone
MAX_IDEMPOTENCY_KEY = 100

# tus 1.0.0 (https://tus.io/protocols/resumable-upload), core and creation
TUS_VERSION = "1.0.0"
TUS_CHUNK = "application/offset+octet-stream"  # a PATCH's content type
MAX_PHOTO_PATCH = 1 << 20  # bytes one PATCH may carry (413 above)
CHECKSUM_MISMATCH = 460  # the tus checksum extension's status: the bytes are not their address

ACCEPTED, DUPLICATE, STALE, CONFLICT, REJECTED = (
    "accepted", "duplicate", "stale", "conflict", "rejected")
STATUSES = (ACCEPTED, DUPLICATE, STALE, CONFLICT, REJECTED)

# change kinds in a pull
PLACE, OFFICE_PART = "place", "concern_office"
REFERENCE = "reference"  # the office's destinations and program settings (one document)
ASSIGNMENT = "assignment"  # the places and areas the device's staff member looks after
GRANT = "grant"  # a place's grant status for a fiscal year (read-only on the device)


def grant_key(place_id: str, fiscal_year: int) -> str:
    """The feed's record id of a place's grant for a year."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ibasho:grant:{place_id}:{fiscal_year}"))


def assignment_key(staff_name: str) -> str:
    """The feed's record id of a staff member's assignment (names are longer than ids)."""
    return hashlib.sha256(staff_name.encode("utf-8")).hexdigest()[:36]


def canonical(record: Mapping[str, Any]) -> str:
    """A record as the one JSON text its hash is taken of (keys sorted, no spaces)."""
    # stdlib json, not orjson: the client also runs on Android, and both ends must agree
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hash_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_hash(record: Mapping[str, Any]) -> str:
    """Content identity of a record: same id+rev with the same hash is a replay."""
    return hash_of(canonical(record))


@dataclass(frozen=True)
class RecordResult:
    id: str
    rev: int
    status: str
    hub_rev: int | None = None
    problems: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "rev": self.rev, "status": self.status}
        if self.hub_rev is not None:
            out["hub_rev"] = self.hub_rev
        if self.problems:
            out["problems"] = list(self.problems)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordResult:
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown result status {status!r}")
        return cls(str(data["id"]), int(data["rev"]), status, data.get("hub_rev"),
                   tuple(data.get("problems", ())))


@dataclass(frozen=True)
class Change:
    kind: str  # place | concern_office | reference | assignment
    id: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "body": self.body}


@dataclass(frozen=True)
class PullPage:
    changes: tuple[Change, ...]
    cursor: str
    more: bool
    settings: Mapping[str, Any] | None = None  # the office's settings for devices (retention)
    history: str = ""  # the hub's history of changes ("" from a hub older than this field)
    reset: bool = False  # the cursor was of another history: this is a full pull

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PullPage:
        settings = data.get("settings")
        return cls(tuple(Change(c["kind"], c["id"], c["body"]) for c in data["changes"]),
                   str(data["cursor"]), bool(data["more"]),
                   settings if isinstance(settings, dict) else None,
                   str(data.get("history") or ""), bool(data.get("reset")))


@dataclass(frozen=True)
class Enrolment:
    token: str
    device_id: str
    staff_name: str
    office_public_key: str = ""  # PEM; lets the office recover a device whose PIN is lost


def tus_metadata(pairs: Mapping[str, str]) -> str:
    """tus's Upload-Metadata: `key base64(value)` pairs, separated by commas."""
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def parse_tus_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata read back; ValueError if it is not pairs of a key and base64 UTF-8."""
    out: dict[str, str] = {}
    for part in header.split(","):
        if not part.strip():
            continue
        key, _, value = part.strip().partition(" ")
        if not key or " " in value or key in out:
            raise ValueError("not tus metadata")
        out[key] = base64.b64decode(value, validate=True).decode("utf-8")
    return out


def encode_cursor(seq: int, history: str) -> str:
    """A position in one history of changes: a cursor is never read against another."""
    return base64.urlsafe_b64encode(f"v2:{history}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, int]:
    """(history, seq); ("", 0) for a full resync, and "" as the history of a cursor given
    out before histories had names (`v1`), which matches none; ValueError for anything
    that is not one of ours."""
    if not cursor:
        return "", 0
    padded = cursor + "=" * (-len(cursor) % 4)
    text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    prefix, _, rest = text.partition(":")
    if prefix == "v2":
        history, _, number = rest.rpartition(":")
        if not history:
            raise ValueError("not a cursor")
    elif prefix == "v1":
        history, number = "", rest
    else:
        raise ValueError("not a cursor")
    if not number.isdigit() or len(number) > 18 or len(history) > 64 \
            or not set(history) <= HISTORY_CHARS:
        raise ValueError("not a cursor")
    return history, int(number)


HISTORY_CHARS = frozenset("0123456789abcdef")
