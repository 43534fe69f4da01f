"""Errors the hub answers with: a status, a stable code, and words in ja and en."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from field_app.domain.errors import IbashoError


class HubError(IbashoError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, message_ja: str | None = None,
                 problems: Sequence[dict[str, str]] = (), headers: dict[str, str] | None = None
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
