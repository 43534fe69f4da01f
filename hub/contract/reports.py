"""Grant compliance of every place for a fiscal year (the files — the year's reports, a
place's 実績報告書 — are answered as XLSX, CSV or PDF)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class Period(BaseModel):
    start: dt.date
    end: dt.date
    state: str = Field(description="met | missed | open | future, or not counted: before "
                                   "(the place had not opened) | after (it had closed) | "
                                   "exempt (open for part of it, and the condition exempts that)")
    qualifying: int = Field(description="gatherings that count in it")
    required: int = Field(0, description="qualifying gatherings it needs: the condition's count, "
                                         "pro rata when the place was open for part of it")


class Condition(BaseModel):
    key: str
    ja: str
    en: str
    kind: str = Field(description="period | year")
    state: str = Field(description="met | missed | open | future | exempt (nothing counted: "
                                   "the place was not open that year)")
    periods: list[Period]
    value: int | float | None
    minimum: int | float
    needed: int | float
    by: dt.date | None


class Warning(BaseModel):
    code: str = Field(description="period_ending | low_attendance | year_below")
    ja: str
    en: str


class ComplianceRow(BaseModel):
    place_id: str
    name: str
    program: str
    gatherings: int
    participants: int
    assessed: bool
    met: int
    missed: int
    qualifying: int
    periods: list[Period]
    state: str = Field(description="the year's state, empty when not assessed")
    opened_on: str = Field("", description="the place's 開設日 (YYYY-MM-DD; empty: not known): "
                                           "no day before it is counted")
    closed_on: str = Field("", description="the place's 閉所日 (YYYY-MM-DD; empty: open): "
                                           "no day after it is counted")
    conditions: list[Condition]
    warnings: list[Warning]


class Compliance(BaseModel):
    fiscal_year: int
    places: list[ComplianceRow]
