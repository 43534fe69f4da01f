"""What every error answer looks like (hub/errors.py makes them), and the `responses=` each
operation declares so that /openapi.json documents every status it can answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """One thing wrong with a request: the field (a path like `budget[0].note`), the value
    sent (masked where it could be personal), and what is expected, in both languages;
    and what kind of problem it is, with a choice's keys, so that a screen can name the
    field and the values by their labels."""

    model_config = ConfigDict(extra="forbid")
    field: str
    value: str
    expected_en: str
    expected_ja: str
    code: str = Field(default="", description=(
        "what kind of problem: required, empty, choice, choices, range, too_long, type, date, "
        "time, timestamp, uuid, unknown, …; absent for a rule of its own (e.g. more than the "
        "program's cap)"))
    allowed: list[str] = Field(default_factory=list, description=(
        "for a choice: the keys it takes (a screen shows their labels); absent otherwise"))


class ErrorDetail(BaseModel):
    code: str = Field(description="a stable code, e.g. bad_request, unauthorized, disk_full")
    message: str
    message_ja: str
    problems: list[Problem] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorDetail


WHY = {
    400: "The request is not valid: each problem names the field and what is expected",
    401: "No valid office session (or device token): sign in (or enrol) again",
    403: "The signed-in roles may not call this operation (the answer names the roles needed)",
    404: "No such record",
    409: "Someone changed it first, or it exists already: reload and try again",
    410: "The enrolment code was used or has expired",
    412: "The request does not say which tus version it speaks (Tus-Resumable: 1.0.0)",
    413: "The request is too large",
    415: "The body is not JSON (or gzip-compressed JSON); for a photo: not the bytes of a "
         "JPEG, or not sent as application/offset+octet-stream",
    422: "The photo is not one the hub keeps (its pixels, size, metadata or data): nothing "
         "was stored; the problem says what is wrong",
    429: "Too many attempts: wait for Retry-After seconds",
    460: "Checksum mismatch: the photo's bytes do not hash to the SHA-256 they were sent "
         "under; nothing was stored",
    503: "The database is busy or unreachable: try again after Retry-After seconds",
    507: "The hub's disk is full: nothing was stored; try again after Retry-After seconds",
}
# what every operation can answer, whatever it does: a bad request (its path, query or body),
# a request too large, a database that is busy or unreachable, a full disk
EVERY = (400, 413, 503, 507)
# and every office operation behind sign-in
OFFICE = (*EVERY, 401, 403)


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of an operation: each status with its problem body."""
    return {status: {"model": ErrorBody, "description": WHY[status]}
            for status in sorted(set(statuses))}
