"""A gathering place (居場所 and the related programs): office-owned reference data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.schedule import Schedule, parse_schedule, read_schedule, schedule_to_json
from core.domain.validation import Checker

FIELDS = ("name", "kana", "program", "area", "group_name", "representative", "venue", "schedule",
          "recurrence", "open_to_all", "subsidised", "active", "sample", "startup_id")


@dataclass(frozen=True, kw_only=True)
class Place(Record):
    kind: str = "place"
    name: str
    kana: str
    program: str
    area: str
    group_name: str = ""
    representative: str = ""  # the group's representative, as the grant's forms name them
    venue: str = ""
    schedule: str = ""  # the free-text note: what the rules below cannot say
    recurrence: Mapping[str, Any] | None = None  # the usual schedule as data (domain.schedule)
    open_to_all: bool = True
    subsidised: bool = False
    active: bool = True
    sample: bool = False  # sample reference data, to be replaced by the council's own
    startup_id: str = ""  # the start-up consultation this place was opened from

    @property
    def usual(self) -> Schedule:
        """The schedule as rules (stored already checked)."""
        return parse_schedule(self.recurrence) if self.recurrence else Schedule()


def parse_place(data: Mapping[str, Any], ref: Reference) -> Place:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "place")
    place: dict[str, Any] = dict(
        name=c.text("name", required=True, max_len=100),
        kana=c.text("kana", max_len=200),
        program=c.choice("program", ref.programs.keys(), required=True),
        area=c.choice("area", {a.key for a in ref.areas}, required=True) if ref.areas
        else c.text("area", required=True, max_len=50),
        group_name=c.text("group_name", max_len=100),
        representative=c.text("representative", max_len=100),
        venue=c.text("venue", max_len=200),
        schedule=c.text("schedule", max_len=200),
        recurrence=schedule_to_json(read_schedule(data.get("recurrence"), "recurrence",
                                                  c.problems)),
        open_to_all=c.boolean("open_to_all", default=True),
        subsidised=c.boolean("subsidised"),
        active=c.boolean("active", default=True),
        sample=c.boolean("sample"),
        startup_id=c.uuid("startup_id"),
    )
    c.raise_if_any()
    return rebuild(Place, {**meta, **place})
