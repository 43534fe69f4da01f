"""A planned visit (訪問予定): a date, a place or a start-up, a purpose. Written on the
device; when the visit is done, the visit note it became is linked (`done_note_id`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

FIELDS = ("date", "start_time", "place_id", "startup_id", "purpose", "note", "done_note_id",
          "cancelled")


@dataclass(frozen=True, kw_only=True)
class VisitPlan(Record):
    kind: str = "visit_plan"
    date: str
    start_time: str | None = None
    place_id: str = ""
    startup_id: str = ""
    purpose: str  # a visit type: what the note it becomes will be
    note: str = ""
    done_note_id: str = ""
    cancelled: bool = False

    SENSITIVE = ("note",)

    @property
    def open(self) -> bool:
        return not self.done_note_id and not self.cancelled


def parse_visit_plan(data: Mapping[str, Any], ref: Reference) -> VisitPlan:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "visit_plan")
    day = c.date("date", required=True)  # a plan may be for any day, the future above all
    place_id = c.uuid("place_id")
    if place_id and ref.place_programs and place_id not in ref.place_programs:
        c.fail("place_id", place_id, "a known place", "登録済みの場所")
    startup_id = c.uuid("startup_id")
    if not place_id and not startup_id and not c.problems:
        c.fail("place_id", None, "a place, or a start-up", "場所または立ち上げ相談")
    body: dict[str, Any] = dict(
        date=day.isoformat() if day else "",
        start_time=c.time("start_time"),
        place_id=place_id,
        startup_id=startup_id,
        purpose=c.choice("purpose", ref.keys("visit_types"), required=True),
        note=c.text("note", max_len=1000),
        done_note_id=c.uuid("done_note_id"),
        cancelled=c.boolean("cancelled"),
    )
    c.raise_if_any()
    return rebuild(VisitPlan, {**meta, **body})
