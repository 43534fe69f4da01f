"""A gathering place (居場所 and the related programs): office-owned reference data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from field_app.domain.record import Record, check_meta
from field_app.domain.reference import Reference
from field_app.domain.validation import Checker

FIELDS = ("name", "kana", "program", "area", "group_name", "venue", "schedule", "open_to_all",
          "subsidised", "active", "sample")


@dataclass(frozen=True, kw_only=True)
class Place(Record):
    kind: str = "place"
    name: str
    kana: str
    program: str
    area: str
    group_name: str = ""
    venue: str = ""
    schedule: str = ""
    open_to_all: bool = True
    subsidised: bool = False
    active: bool = True
    sample: bool = False  # sample reference data, to be replaced by the council's own


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
        venue=c.text("venue", max_len=200),
        schedule=c.text("schedule", max_len=200),
        open_to_all=c.boolean("open_to_all", default=True),
        subsidised=c.boolean("subsidised"),
        active=c.boolean("active", default=True),
        sample=c.boolean("sample"),
    )
    c.raise_if_any()
    return Place(**meta, **place)
