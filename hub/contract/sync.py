"""The device API's wire format (DESIGN §6) as models: ping, enrolment, a push's batch and
its results, a pull's page. The tablet does not import these (it carries sync.protocol,
pure Python); tests/test_contract_sync.py holds the two to one format."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.contract.errors import Problem

# sync.protocol.STATUSES, in its order (a test holds them equal)
Status = Literal["accepted", "duplicate", "stale", "conflict", "rejected"]
MAX_BATCH_RECORDS = 500  # sync.protocol.MAX_BATCH_RECORDS (tested equal)


class Ping(BaseModel):
    """With a device token: which device and staff member it is enrolled for."""

    ok: bool
    protocol: int = Field(description="the device protocol's version")
    device_id: str | None = Field(default=None, description="only when a token was sent")
    staff_name: str | None = Field(default=None, description="only when a token was sent")


class EnrolRequest(BaseModel):
    code: str = Field(min_length=1, max_length=40, description="the one-time enrolment code")
    device_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$",
                           description="the device's own id, 8-64 letters, digits or -")
    device_name: str = Field("", max_length=100)


class Enrolment(BaseModel):
    token: str = Field(description="the device's bearer token (shown once)")
    device_id: str
    staff_name: str
    office_public_key: str = Field(description="PEM: lets the office recover a device "
                                               "whose PIN is lost")


class Record(BaseModel):
    """A record as the device sends it: the envelope the hub routes by, and the record's
    own fields, which the domain validates (a bad record is rejected in its result, never
    the whole batch)."""

    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    rev: int
    device_id: str


class PushBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[Record] = Field(max_length=MAX_BATCH_RECORDS)


class PushResult(BaseModel):
    id: str = Field(description="the record's id as sent (cut to 36 characters; '' if none)")
    rev: int
    status: Status
    hub_rev: int | None = Field(default=None, description="the revision the hub holds (duplicate, "
                                                  "stale, conflict); absent otherwise")
    problems: list[Problem] = Field(default_factory=list,
                                    description="why it was rejected; absent otherwise")


class PushAnswer(BaseModel):
    results: list[PushResult] = Field(description="one per record, in the order sent")


class Change(BaseModel):
    kind: str = Field(description="place, concern_office, reference, assignment or grant")
    id: str
    body: dict[str, Any]


class DeviceSettings(BaseModel):
    retention: dict[str, Any] = Field(description="the office's retention settings")


class PullAnswer(BaseModel):
    changes: list[Change]
    cursor: str = Field(description="where the next pull starts")
    more: bool = Field(description="more changes wait: pull again at once")
    settings: DeviceSettings
    history: str = Field(description="the name of the hub's history of changes")
    reset: bool = Field(description="the cursor was of another history: a full pull")
