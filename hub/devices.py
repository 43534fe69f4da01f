"""Enrolment codes, device tokens and revocation (DESIGN §6 "Enrolment").

The office makes a one-time, expiring code for a staff member; the tablet exchanges it
for a device token (256 random bits). The hub keeps only SHA-256 hashes of both: the
values are random and long, so a plain hash is enough and lookups stay indexable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection

from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, Gone, Unauthorized
from sync.protocol import REJECTED

# No 0/O, 1/I/L: codes are read aloud and typed on a tablet.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 2**59


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class Device:
    id: str
    staff_name: str
    device_name: str
    enrolled_at: dt.datetime
    revoked_at: dt.datetime | None
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None = None

    @property
    def last_sync(self) -> dt.datetime | None:
        seen = [t for t in (self.last_push_at, self.last_pull_at) if t is not None]
        return max(seen) if seen else None


def create_code(conn: Connection, staff_name: str, hours: int, actor: str = "cli"
                ) -> tuple[str, dt.datetime]:
    staff_name = staff_name.strip()
    if not staff_name or len(staff_name) > 100:
        raise BadRequest("staff name must be 1 to 100 characters",
                         message_ja="職員名は1〜100文字で入力してください。")
    if not 1 <= hours <= 24 * 14:
        raise BadRequest("a code must expire within 1 hour to 14 days",
                         message_ja="有効期限は1時間〜14日の間で指定してください。")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    expires = now + dt.timedelta(hours=hours)
    conn.execute(insert(schema.enrolment_codes).values(
        code_hash=digest(raw), staff_name=staff_name, created_at=now, expires_at=expires))
    audit(conn, actor, "enrolment_code_created", staff_name,
          json.dumps({"expires_at": expires.isoformat()}))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4)), expires


def enrol(conn: Connection, code: str, device_id: str, device_name: str) -> tuple[str, str]:
    """Spend a code; returns (token, staff name). The code works once, before it expires."""
    code_hash = digest(normalise_code(code))
    row = conn.execute(select(schema.enrolment_codes).where(
        schema.enrolment_codes.c.code_hash == code_hash)).first()
    now = utcnow()
    if row is None:
        raise Unauthorized("unknown enrolment code", message_ja="登録コードが正しくありません。")
    if row.used_at is not None:
        raise Gone("this enrolment code was already used",
                   message_ja="この登録コードはすでに使われています。事務局に新しいコードを依頼してください。")
    if _aware(row.expires_at) <= now:
        raise Gone("this enrolment code has expired",
                   message_ja="この登録コードは有効期限が切れています。事務局に新しいコードを依頼してください。")
    existing = conn.execute(select(schema.devices).where(schema.devices.c.id == device_id)).first()
    if existing is not None and existing.revoked_at is None and existing.token_hash is not None:
        raise already_enrolled()
    if existing is not None and existing.staff_name != row.staff_name:
        # A device id belongs to one staff member for good: re-enrolling it for someone else
        # would hand them the office's answers to the first staff member's concerns.
        raise Conflict("this device belongs to another staff member; a code for a different "
                       "staff member cannot re-enrol it (use a code made for the same staff "
                       "member, or give the new staff member a new device)",
                       message_ja="この端末は別の職員の端末として登録されています。別の職員の登録コードでは"
                                  "再登録できません。同じ職員のコードを使うか、新しい端末で登録してください。")
    spent = conn.execute(update(schema.enrolment_codes).where(
        schema.enrolment_codes.c.code_hash == code_hash,
        schema.enrolment_codes.c.used_at.is_(None)).values(used_at=now, used_by=device_id))
    if spent.rowcount != 1:  # another request spent it between our read and this write
        raise Gone("this enrolment code was already used",
                   message_ja="この登録コードはすでに使われています。")
    token = secrets.token_urlsafe(32)
    values = dict(staff_name=row.staff_name, device_name=device_name[:100],
                  token_hash=digest(token), enrolled_at=now, revoked_at=None)
    if existing is None:  # two codes for one new id at once: the key lets one in (409 after)
        conn.execute(insert(schema.devices).values(id=device_id, **values))
    else:
        # Re-enrolment after a revocation keeps the device's records. Only while it is still
        # revoked, for the same staff member: of two codes re-enrolling it at once, the
        # second would otherwise replace the token the first was just given.
        taken = conn.execute(update(schema.devices).where(
            schema.devices.c.id == device_id, schema.devices.c.staff_name == row.staff_name,
            or_(schema.devices.c.revoked_at.is_not(None), schema.devices.c.token_hash.is_(None))
        ).values(**values))
        if taken.rowcount != 1:
            raise already_enrolled()
    audit(conn, device_id, "device_enrolled", row.staff_name,
          json.dumps({"device_name": device_name[:100]}, ensure_ascii=False))
    return token, row.staff_name


def already_enrolled() -> Conflict:
    return Conflict("this device is already enrolled; the office must revoke it first",
                    message_ja="この端末はすでに登録されています。再登録するには事務局で登録解除が必要です。")


def authenticate(conn: Connection, authorization: str | None) -> Device:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a device token is required (Authorization: Bearer …)",
                           message_ja="端末の登録が必要です。", headers={"WWW-Authenticate": "Bearer"})
    row = conn.execute(select(schema.devices).where(
        schema.devices.c.token_hash == digest(token.strip()))).first()
    if row is None:
        raise Unauthorized("unknown device token", message_ja="端末の登録が確認できません。",
                           headers={"WWW-Authenticate": "Bearer"})
    if row.revoked_at is not None:
        raise Unauthorized("this device has been revoked by the office",
                           message_ja="この端末は事務局により登録解除されています。記録は端末に残っています。",
                           headers={"WWW-Authenticate": "Bearer"})
    return _device(row)


def revoke(conn: Connection, device_id: str, actor: str = "cli") -> bool:
    done = conn.execute(update(schema.devices).where(
        schema.devices.c.id == device_id, schema.devices.c.revoked_at.is_(None)
    ).values(revoked_at=utcnow()))  # the hash stays, so the device is told it was revoked
    if done.rowcount:
        audit(conn, actor, "device_revoked", device_id)
    return bool(done.rowcount)


def list_devices(conn: Connection) -> list[Device]:
    rows = conn.execute(select(schema.devices).order_by(schema.devices.c.enrolled_at)).all()
    return [_device(r) for r in rows]


def _device(row: object) -> Device:
    return Device(row.id, row.staff_name, row.device_name, _aware(row.enrolled_at),  # type: ignore[attr-defined]
                  _maybe(row.revoked_at), _maybe(row.last_push_at),  # type: ignore[attr-defined]
                  _maybe(row.last_pull_at))  # type: ignore[attr-defined]


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _maybe(value: dt.datetime | None) -> dt.datetime | None:
    return _aware(value) if value is not None else None


def touch_pull(conn: Connection, device_id: str) -> None:
    conn.execute(update(schema.devices).where(schema.devices.c.id == device_id)
                 .values(last_pull_at=utcnow()))


def problems(conn: Connection) -> dict[str, int]:
    """Per device: records its last push had refused plus edits that conflicted with
    another device's, which someone has to look at."""
    out: dict[str, int] = {}
    for r in conn.execute(select(schema.conflicts.c.device_id, func.count())
                          .group_by(schema.conflicts.c.device_id)):
        out[r[0]] = int(r[1])
    last_push = (select(schema.audit.c.actor, func.max(schema.audit.c.seq).label("seq"))
                 .where(schema.audit.c.action == "push").group_by(schema.audit.c.actor)
                 .subquery())
    rows = conn.execute(select(schema.audit.c.actor, schema.audit.c.detail)
                        .join(last_push, schema.audit.c.seq == last_push.c.seq))
    for actor, detail in rows:
        rejected = int(json.loads(detail or "{}").get(REJECTED, 0))
        if rejected:
            out[actor] = out.get(actor, 0) + rejected
    return out
