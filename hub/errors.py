"""Errors the hub answers with: a status, a stable code, and words in ja and en."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from core.domain.errors import IbashoError


class HubError(IbashoError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, message_ja: str | None = None,
                 problems: Sequence[dict[str, Any]] = (), headers: dict[str, str] | None = None
                 ) -> None:
        super().__init__(message, message_ja=message_ja)
        self.problems = list(problems)
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "message_ja": self.message_ja}
        if self.problems:
            error["problems"] = self.problems
        return {"error": error}


class BadRequest(HubError):
    pass


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"


class Forbidden(HubError):
    status = 403
    code = "forbidden"


class NotFound(HubError):
    status = 404
    code = "not_found"


class Gone(HubError):
    status = 410
    code = "gone"


class Conflict(HubError):
    status = 409
    code = "conflict"


class PreconditionFailed(HubError):
    """412: a tus request without the protocol version it speaks (Tus-Resumable)."""
    status = 412
    code = "precondition_failed"


class Unprocessable(HubError):
    """422: well-formed, but not what may be stored (a photo that fails the hub's checks)."""
    status = 422
    code = "unprocessable"


class ChecksumMismatch(HubError):
    """460, the tus checksum extension's status: the bytes are not those their address (the
    SHA-256 the photo record declared) names."""
    status = 460
    code = "checksum_mismatch"


class TooLarge(HubError):
    status = 413
    code = "too_large"


class Unsupported(HubError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(HubError):
    status = 429
    code = "too_many_requests"


class Unavailable(HubError):
    status = 503
    code = "unavailable"


class DiskFull(HubError):
    """507 Insufficient Storage: the database's disk is full. Nothing was saved; a device
    keeps its records and sends them again later (Retry-After), a person must free space."""
    status = 507
    code = "disk_full"


SQLITE_FULL = 13
PG_DISK_FULL = "53100"  # disk_full: also "could not extend file" and a temporary file's write


def is_disk_full(exc: BaseException) -> bool:
    """Whether a database error (SQLAlchemy's, or the driver's under it: a COPY runs on the
    driver's own cursor) is a full disk."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return (isinstance(code, int) and code & 0xFF == SQLITE_FULL) or \
            "database or disk is full" in str(orig)
    return getattr(orig, "sqlstate", None) == PG_DISK_FULL


def describe(exc: BaseException) -> str:
    """A database error for the log: its kind and code, never its message, which can
    quote the values of a row (PostgreSQL's DETAIL) or the statement's parameters."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    parts = [type(exc).__name__] if orig is not exc else []
    parts.append(f"{type(orig).__module__}.{type(orig).__name__}")
    for attr in ("sqlstate", "sqlite_errorname"):
        value = getattr(orig, attr, None)
        if value:
            parts.append(str(value))
    diag = getattr(orig, "diag", None)
    for attr in ("table_name", "constraint_name"):
        value = getattr(diag, attr, None)
        if value:
            parts.append(f"{attr}={value}")
    return " ".join(parts)


def database_unavailable(exc: BaseException) -> HubError:
    """What a request answers when the database could not do its work: its disk is full
    (507), or it is busy or unreachable (503); tablets try again later either way."""
    if is_disk_full(exc):
        return DiskFull("the hub's disk is full: nothing was saved. The office must free "
                        "space on the hub's disk; devices keep their records and send them "
                        "again later",
                        message_ja="ハブのディスクがいっぱいです。保存されていません。事務局でハブの"
                                   "空き容量を確保してください。端末の記録は端末に残り、後で再送されます。",
                        headers={"Retry-After": "120"})
    return Unavailable("the database is busy or unreachable; try again",
                       message_ja="サーバーが混み合っています。しばらくして再送します。",
                       headers={"Retry-After": "5"})


# What a request check (FastAPI's, for query and path parameters) expected, in Japanese;
# {name} is filled from the check's context.
EXPECTED_JA = {
    "missing": "必須です",
    "int_parsing": "半角の整数",
    "int_type": "半角の整数",
    "greater_than_equal": "{ge}以上の数",
    "less_than_equal": "{le}以下の数",
    "greater_than": "{gt}より大きい数",
    "less_than": "{lt}より小さい数",
    "string_too_long": "{max_length}文字以内",
    "string_too_short": "{min_length}文字以上",
    "string_type": "文字列",
    "bool_parsing": "true または false",
}


def request_problem(error: dict[str, Any]) -> dict[str, str]:
    """One failed request check, in the same shape as a record's problems."""
    en = str(error.get("msg", ""))
    ja = EXPECTED_JA.get(str(error.get("type", "")))
    try:
        ja = ja.format(**(error.get("ctx") or {})) if ja else None
    except (KeyError, IndexError):
        ja = None
    return {"field": ".".join(str(p) for p in error.get("loc", ())),
            "value": str(error.get("input", ""))[:40], "expected_en": en,
            "expected_ja": ja or f"正しい値（{en}）"}


class OutsideFolder(HubError):
    """A file to write would land outside the folder it was meant for."""
    code = "outside_folder"
