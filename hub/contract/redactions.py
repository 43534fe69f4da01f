"""Lawful erasure of one text in an append-only log (hub/redaction.py)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, StrictInt, StrictStr


class RedactionRequest(BaseModel):
    """The shape of a request; which table, field and reason are allowed is the domain's
    to say (hub/redaction.check), as it says for the CLI."""

    table: StrictStr = Field(description="audit or provisions")
    row: StrictInt = Field(description="the row's seq")
    field: StrictStr = Field(description="the text to redact (audit: actor, subject, detail; "
                                         "provisions: recipient_name, items, subject, "
                                         "basis_note, recorded_by)")
    reason: StrictStr = Field(description="why, 1 to 500 characters")


class Redaction(BaseModel):
    table: str
    row: int
    field: str
    at: dt.datetime
    mark: str = Field(description="what the text became (as stored)")
