"""Grants as the office sees them: every place's for a year, one with its history, a step."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GrantSummary(BaseModel):
    place_id: str
    name: str
    program: str
    fiscal_year: int
    rev: int = Field(description="0 before the first step; send it as `based_on`")
    status: str
    waiting_for: str = Field(description="the next step the office waits for, or empty")
    requested_yen: int
    approved_yen: int
    paid_yen: int
    income_yen: int
    expenses_yen: int
    confirmed_yen: int | None = Field(description="確定額: none before the settlement")
    refund_yen: int


class GrantList(BaseModel):
    fiscal_year: int
    grants: list[GrantSummary]


class GrantEvent(BaseModel):
    at: str
    actor: str
    detail: dict[str, Any]


class Grant(GrantSummary):
    grant: dict[str, Any] = Field(description="each step recorded (core/domain/grant.py)")
    history: list[GrantEvent]
    cap_yen: int
    suggested_confirmed_yen: int


class StepBody(BaseModel):
    """The step's values (core/domain/grant.py checks them) and `based_on`: the rev the
    page showed."""

    model_config = ConfigDict(extra="allow")
    based_on: Any = None
