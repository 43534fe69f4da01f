"""Office sign-in: a session, who it belongs to and what each operation needs; and the
audit log an admin reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    username: str = Field(description="the account's name (cut to 64 characters)")
    password: str = Field(description="cut to 200 characters")


class Session(BaseModel):
    token: str = Field(description="the session's bearer token")
    expires_at: dt.datetime
    role: str = Field(description="the first of the roles ('' for none)")
    roles: list[str]


class Me(BaseModel):
    username: str
    role: str = Field(description="the first of the roles ('' for none)")
    roles: list[str]
    operations: dict[str, list[str]] = Field(
        description='the roles each office operation needs: "GET /concerns" -> ["supervisor"]')


class SignedOut(BaseModel):
    ok: bool


class AuditEntry(BaseModel):
    seq: int
    at: dt.datetime
    actor: str = Field(description="who: an office user, a device id, or cli")
    action: str
    subject: str
    detail: Any = Field(description="the action's details (JSON; {} for none)")


class AuditLog(BaseModel):
    entries: list[AuditEntry] = Field(description="newest first")
