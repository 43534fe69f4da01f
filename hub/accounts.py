"""Office accounts: scrypt-hashed passwords, roles, sessions that expire, and rate limits
(for sign-in and enrolment) kept in the database so every hub process shares them."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from hub import rate_limits, roles
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.devices import _aware, digest
from hub.errors import BadRequest, Conflict, Unauthorized
from hub.rate_limits import Limit

ROLES = roles.ROLES
SESSION_HOURS = 8
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
LOGIN_LIMIT = Limit(5, dt.timedelta(minutes=15))  # attempts per user name, per window
# attempts per client address, per window: an office enrolling a row of tablets behind one
# address fits; guessing a 59-bit code does not
ENROL_LIMIT = Limit(30, dt.timedelta(minutes=10))


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 << 20, **SCRYPT)
    return "scrypt$15$8$1$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(key).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=2 ** int(log2_n),
                             r=int(r), p=int(p), dklen=32, maxmem=64 << 20)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


@dataclass(frozen=True)
class OfficeUser:
    username: str
    roles: tuple[str, ...]

    @property
    def role(self) -> str:
        """The first of the roles (what answers said before an account held several)."""
        return self.roles[0] if self.roles else ""


def _password_problems(password: str) -> list[dict[str, str]]:
    if len(password) < 12:
        return [{"field": "password", "value": "…", "expected_en": "at least 12 characters",
                 "expected_ja": "12文字以上"}]
    return []


def add_user(conn: Connection, username: str, password: str, role: str | Iterable[str],
             actor: str) -> None:
    """`role`: one or more of roles.ROLES (`supervisor,grants`, or a list)."""
    problems = []
    if not (1 <= len(username) <= 64) or not username.replace("_", "").replace(".", "").isalnum():
        problems.append({"field": "username", "value": username[:40],
                         "expected_en": "1-64 letters, digits, . or _",
                         "expected_ja": "1〜64文字の英数字・.・_"})
    problems += _password_problems(password)
    held: tuple[str, ...] = ()
    try:
        held = roles.parse(role)
    except BadRequest as exc:
        problems += exc.problems
    if problems:
        raise BadRequest("invalid office account", problems=problems,
                         message_ja="事務局アカウントの内容が正しくありません。")
    exists = conn.execute(select(schema.office_users.c.username).where(
        schema.office_users.c.username == username)).first()
    if exists:
        raise Conflict(f"user {username} exists", message_ja="そのユーザー名はすでにあります。")
    conn.execute(insert(schema.office_users).values(
        username=username, password_hash=hash_password(password), roles=",".join(held),
        created_at=utcnow()))
    audit(conn, actor, "office_user_added", username, json.dumps({"roles": list(held)}))


def set_password(conn: Connection, username: str, password: str, actor: str) -> bool:
    """A new password (a forgotten one, or a leaked one): every session of the user ends."""
    problems = _password_problems(password)
    if problems:
        raise BadRequest("invalid password", problems=problems,
                         message_ja="パスワードは12文字以上にしてください。")
    done = conn.execute(update(schema.office_users).where(
        schema.office_users.c.username == username).values(password_hash=hash_password(password)))
    conn.execute(delete(schema.office_sessions).where(
        schema.office_sessions.c.username == username))
    if done.rowcount:
        audit(conn, actor, "office_password_set", username)
    return bool(done.rowcount)


def set_roles(conn: Connection, username: str, role: str | Iterable[str], actor: str) -> bool:
    """Give an account these roles (in place of the ones it had; audited). Its sessions go
    on: each request checks the roles held at that moment."""
    held = roles.parse(role)
    done = conn.execute(update(schema.office_users).where(
        schema.office_users.c.username == username).values(roles=",".join(held)))
    if done.rowcount:
        audit(conn, actor, "office_roles_set", username, json.dumps({"roles": list(held)}))
    return bool(done.rowcount)


def disable_user(conn: Connection, username: str, actor: str) -> bool:
    done = conn.execute(update(schema.office_users).where(
        schema.office_users.c.username == username, schema.office_users.c.disabled_at.is_(None)
    ).values(disabled_at=utcnow()))
    conn.execute(delete(schema.office_sessions).where(
        schema.office_sessions.c.username == username))
    if done.rowcount:
        audit(conn, actor, "office_user_disabled", username)
    return bool(done.rowcount)


def list_users(conn: Connection) -> list[tuple[str, str, bool]]:
    """(name, roles comma-separated, active) for every account."""
    rows = conn.execute(select(schema.office_users).order_by(schema.office_users.c.username))
    return [(r.username, ",".join(roles.loaded(r.roles)), r.disabled_at is None) for r in rows]


WRONG = Unauthorized("wrong user name or password",
                     message_ja="ユーザー名またはパスワードが違います。")


@functools.cache
def _decoy_hash() -> str:
    """Checked against when the name is unknown or disabled, so that a wrong name costs
    what a wrong password costs and the answer's time tells nobody who has an account."""
    return hash_password(secrets.token_urlsafe(16))


def sign_in(in_tx: Callable[[Callable[[Connection], Any]], Any], username: str, password: str
            ) -> tuple[str, dt.datetime, tuple[str, ...]]:
    """A new session for a right name and password; raises 401 (wrong) or 429 (too many).

    Three short transactions: the attempt is counted and committed first (so that parallel
    attempts see it), the password is checked outside any transaction (scrypt takes ~0.1 s
    and must not hold a lock), then the outcome is written."""
    bucket = f"login:{username.lower()[:64]}"
    actor = username[:100] or "?"

    def attempt(conn: Connection) -> tuple[int, Any]:
        wait = rate_limits.take(conn, bucket, LOGIN_LIMIT)
        if wait:  # a locked-out name waits, right password or not; and that is on record
            audit(conn, actor, "office_sign_in_refused", detail=json.dumps({"retry_after": wait}))
            return wait, None
        return 0, conn.execute(select(schema.office_users).where(
            schema.office_users.c.username == username)).first()

    wait, row = in_tx(attempt)
    if wait:
        raise rate_limits.refusal(wait)
    usable = row is not None and row.disabled_at is None
    right = verify_password(password, row.password_hash if usable else _decoy_hash())
    if not (usable and right):
        in_tx(lambda conn: audit(conn, actor, "office_sign_in_failed"))
        raise WRONG

    def open_session(conn: Connection) -> tuple[str, dt.datetime, tuple[str, ...]]:
        rate_limits.clear(conn, bucket)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + dt.timedelta(hours=SESSION_HOURS)
        conn.execute(insert(schema.office_sessions).values(
            token_hash=digest(token), username=username, created_at=now, expires_at=expires))
        audit(conn, username, "office_signed_in")
        return token, expires, roles.loaded(row.roles)

    result: tuple[str, dt.datetime, tuple[str, ...]] = in_tx(open_session)
    return result


def officer(conn: Connection, authorization: str | None) -> OfficeUser:
    """The signed-in office user; device tokens and expired sessions get 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("office sign-in required", message_ja="事務局のサインインが必要です。",
                           headers={"WWW-Authenticate": "Bearer"})
    row = conn.execute(
        select(schema.office_sessions.c.username, schema.office_sessions.c.expires_at,
               schema.office_users.c.roles, schema.office_users.c.disabled_at)
        .join(schema.office_users,
              schema.office_users.c.username == schema.office_sessions.c.username)
        .where(schema.office_sessions.c.token_hash == digest(token.strip()))).first()
    if row is None or row.disabled_at is not None or _aware(row.expires_at) <= utcnow():
        raise Unauthorized("the session has expired; sign in again",
                           message_ja="セッションの有効期限が切れました。もう一度サインインしてください。",
                           headers={"WWW-Authenticate": "Bearer"})
    return OfficeUser(str(row.username), roles.loaded(row.roles))


def sign_out(conn: Connection, authorization: str | None) -> None:
    _, _, token = (authorization or "").partition(" ")
    conn.execute(delete(schema.office_sessions).where(
        schema.office_sessions.c.token_hash == digest(token.strip())))
