"""Concerns as the office sees them: the inbox, one concern with its office part and history,
and the office part the office writes (triage, referral, feedback, closing)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

# A field the domain checks itself (core/domain/concern.py parse_office_part, hub/provisions.py
# items): the model documents its shape but lets any value through, so that a bad one is
# refused by the domain with its own ja/en words and field name (`office.status`), as before.
_TEXT = WithJsonSchema({"type": "string"})
_DAY = WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]})


class Row(BaseModel):
    """One concern in the inbox: no sensitive field (DESIGN §8)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    observed_on: str = Field(description="YYYY-MM-DD")
    urgency: str
    categories: list[str]
    place_id: str
    place_name: str
    staff: str = Field(description="the staff member whose tablet sent it")
    status: str = Field(description="the office part's status; new when there is none")
    destination: str
    suggested_destination: str
    follow_up_on: str | None
    received_at: str = Field(description="when the hub received it (ISO 8601, UTC)")


class Inbox(BaseModel):
    """One page of the inbox, most urgent and newest first."""

    model_config = ConfigDict(extra="forbid")
    concerns: list[Row]
    total: int = Field(description="how many concerns the filters admit, on every page")
    offset: int
    newest: str = Field(description="the latest received_at of the admitted concerns: ask "
                                    "again with received_after=newest to learn what arrived")
    staff: list[str] = Field(description="every staff member with a tablet, for the filter")


class OfficePart(BaseModel):
    """What the office wrote about a concern, as stored (core/domain/concern.py OfficePart)."""

    model_config = ConfigDict(extra="forbid")
    status: str = "new"
    destination: str = ""
    referred_on: str | None = None
    method: str = ""
    feedback: str = ""
    closed_on: str | None = None
    legal_basis: str = ""
    legal_basis_note: str = ""
    updated_at: str = Field(default="",
                            description="send it back as based_on with the next change")
    updated_by: str = ""


class Event(BaseModel):
    """One event of a concern's history."""

    model_config = ConfigDict(extra="forbid")
    at: str = Field(description="ISO 8601")
    action: str = Field(description="received, updated, office_part_written, concern_read, "
                                    "disclosed, provided or conflict")
    actor: str
    detail: dict[str, Any]


class Basis(BaseModel):
    """What a referral would rest on when there is no consent (core/domain/legal_basis.py)."""

    model_config = ConfigDict(extra="forbid")
    key: str
    note: str
    by: str = Field(description="device or office: whose record the basis is")


class Story(BaseModel):
    """A concern's office part and history, without its sensitive fields."""

    model_config = ConfigDict(extra="forbid")
    office: OfficePart | None
    history: list[Event] = Field(description="oldest first")
    basis: Basis | None = Field(description="null: neither consent nor a legal basis, so "
                                            "the concern cannot be passed on yet")


class Concern(Story):
    """A concern with its sensitive fields (reading it is audited)."""

    concern: dict[str, Any] = Field(description="the concern as the tablet sent it "
                                                "(core/domain/concern.py), sensitive fields "
                                                "included")
    place_name: str
    staff: str


class OfficePartRequest(BaseModel):
    """The office part to write. Every field is checked by the domain, which names it
    (`office.status`) in ja and en; a field it does not know is refused there too."""

    model_config = ConfigDict(extra="allow")
    based_on: Annotated[Any, WithJsonSchema({"anyOf": [
        {"type": "string", "maxLength": 40}, {"type": "null"}]})] = Field(
        default=None,
        description="the updated_at of the office part the page showed (null: there was "
                    "none); a change made since answers 409. Left out: not checked")
    provide: Annotated[Any, WithJsonSchema({"anyOf": [
        {"type": "array", "items": {"type": "string"}}, {"type": "null"}]})] = Field(
        default=None,
        description="the provision_items passed on if this change refers the concern "
                    "(null: the minimal default)")
    status: Annotated[Any, _TEXT] = Field(default=None, description="concern_status")
    destination: Annotated[Any, _TEXT] = Field(default=None,
                                               description="required to mark referred")
    referred_on: Annotated[Any, _DAY] = None
    method: Annotated[Any, _TEXT] = Field(default=None, description="at most 100 characters")
    feedback: Annotated[Any, _TEXT] = None
    closed_on: Annotated[Any, _DAY] = Field(default=None, description="required to close")
    legal_basis: Annotated[Any, _TEXT] = None
    legal_basis_note: Annotated[Any, _TEXT] = None


class Written(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office: OfficePart
