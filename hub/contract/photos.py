"""Activity photos as the office sees them: a place's photos of a year (its gallery), a
record's photos, and the photos chosen for the place's 実績報告書. The pictures themselves
are fetched one by one (`GET /photos/{photo_id}`, or its thumbnail), each read audited."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kept = Literal["kept", "arriving", "waiting", "expired"]


class PhotoRow(BaseModel):
    """One photo record (written by the device that took it) and where its bytes are."""

    id: str
    record_id: str = Field(description="the gathering, visit note or start-up it belongs to")
    record_kind: str = Field(description="gathering | visit_note | startup")
    record_day: str = Field("", description="YYYY-MM-DD: the record's own day, if it has one")
    taken_on: str
    caption: str = Field("", description="sealed on the tablet; every listing is audited")
    use: str = Field(description="report (報告書に使用可) or record_only (記録のみ)")
    width: int
    height: int
    size: int
    staff_name: str = ""
    bytes: Kept = Field(description="kept: on the hub, checked; arriving: being sent; "
                                    "waiting: not sent yet; expired: removed past the "
                                    "keeping period")
    received: int = Field(0, description="bytes on the hub so far")
    chosen: bool = Field(False, description="chosen for the 実績報告書 of its year")


class PhotoList(BaseModel):
    photos: list[PhotoRow] = Field(description="oldest first")


class Gallery(BaseModel):
    """A place's photos of a fiscal year, and the ones chosen for its 実績報告書."""

    place_id: str
    fiscal_year: int
    photos: list[PhotoRow]
    chosen: list[str] = Field(description="photo ids chosen for the report, in its order")
    report_max: int = Field(description="how many the report may show (data)")


class ReportPhotosBody(BaseModel):
    """The photos the 実績報告書 shows, in order: each marked 報告書に使用可 by the tablet,
    of this place and year, its bytes on the hub; at most `report_max` of them."""

    model_config = ConfigDict(extra="forbid")
    photos: list[str] = Field(max_length=100)
