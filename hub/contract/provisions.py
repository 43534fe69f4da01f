"""The 第三者提供記録 (records of passing a concern on to a third party) and disclosure
requests (every concern about one person) as the office sees them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from hub.contract.concerns import Row

# what the hub answers for each file an operation exports (the errors come as JSON)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"

_SUBJECT = ("the person as the concern describes them: age_band, gender, alias (pseudonymous); "
            "{\"redacted\": …} once an admin redacted it")


class ProvisionRow(BaseModel):
    """One provision record (hub/provisions.py)."""

    model_config = ConfigDict(extra="forbid")
    seq: int
    concern_id: str
    provided_on: str = Field(description="YYYY-MM-DD")
    recipient: str = Field(description="the destination's key")
    recipient_name: str
    items: list[str] = Field(description="the provision_items passed on")
    subject: dict[str, str] = Field(description=_SUBJECT)
    place_id: str
    basis: str = Field(description="the legal_basis, or consent")
    basis_note: str
    basis_by: str = Field(description="device or office: whose record the basis is")
    consent: str
    recorded_by: str
    recorded_at: str = Field(description="ISO 8601")
    keep_until: str = Field(description="YYYY-MM-DD: kept until then, then purged")


class ProvisionList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provisions: list[ProvisionRow] = Field(description="newest first")
    total: int
    limit: int = Field(description="the most rows one answer holds")


class Found(Row):
    """A concern that may be about the person, for the officer to confirm."""

    subject: dict[str, str] = Field(description=_SUBJECT)


class DisclosureSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concerns: list[Found] = Field(description="oldest observed first")
    total: int


class DisclosureRequest(BaseModel):
    """The concerns to disclose. The hub checks the list itself (1 to 200 ids) and names
    `concern_ids` in ja and en when it is wrong."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["concern_ids"]})
    concern_ids: Annotated[Any, WithJsonSchema({
        "type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 200})] = None


def files(*media: str, what: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of an operation that answers a file."""
    return {200: {"description": what,
                  "content": {m: {"schema": {"type": "string", "format": "binary"}}
                              for m in media}}}
