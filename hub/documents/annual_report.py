"""A place's 実績報告書 for a fiscal year, built from the records (pure over documents):
sessions month by month with their dates and durations, participants by category (延べ),
first-timers, helpers, activities, the registered members of a program with registration,
each grant condition's result, the budget and the settled accounts and the group's
self-evaluation. `hub.report_files` renders it as XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.domain import grant as grants
from core.domain.compliance import Compliance, assess
from core.domain.fiscal import fiscal_year_bounds
from core.domain.gathering import MONTH
from core.domain.kinds import restore
from core.domain.place import open_span_of
from core.domain.reference import Reference
from hub import hub_settings
from hub.db import schema
from hub.documents.reports import MONTHS
from hub.errors import NotFound

COUNCIL = "council_name"  # the hub setting the documents are headed with
DEFAULT_COUNCIL = "社会福祉協議会"


@dataclass(frozen=True)
class Session:
    date: str
    start: str
    end: str
    minutes: int
    participants: int
    held: bool = True
    reason: str = ""
    days: int = 1  # the sessions it stands for: a month's report, its opening days
    monthly: bool = False  # the operator's report of the month (gathering.MONTH)


@dataclass
class PlaceYear:
    council: str
    place: Mapping[str, Any]
    program_label: str
    fiscal_year: int
    sessions: dict[int, list[Session]] = field(default_factory=dict)  # month -> sessions
    attendance: Counter[str] = field(default_factory=Counter)
    first_time: int = 0
    helpers: int = 0
    activities: Counter[str] = field(default_factory=Counter)
    compliance: Compliance | None = None
    grant: Mapping[str, Any] = field(default_factory=dict)
    categories: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    registration: bool = False  # a program with registration (登録制)
    members: Mapping[str, Any] | None = None  # its registered members; None: not recorded

    @property
    def held(self) -> list[Session]:
        return [s for month in MONTHS for s in self.sessions.get(month, []) if s.held]

    @property
    def participants(self) -> int:
        return sum(self.attendance.values())

    @property
    def held_sessions(self) -> int:
        """Sessions held: a month's report counts its opening days."""
        return sum(s.days for s in self.held)

    @property
    def figures(self) -> grants.Figures:
        return grants.figures(self.grant)

    @property
    def status(self) -> str:
        return grants.status(self.grant)


def council_name(conn: Connection) -> str:
    return hub_settings.get(conn, COUNCIL) or DEFAULT_COUNCIL


def build(place: Mapping[str, Any], gathering_docs: Iterable[Mapping[str, Any]],
          grant: Mapping[str, Any], ref: Reference, fiscal_year: int, today: dt.date,
          council: str, members: Mapping[str, Any] | None = None) -> PlaceYear:
    program = ref.programs.get(str(place["program"]))
    first, last = (d.isoformat() for d in fiscal_year_bounds(fiscal_year))
    year = PlaceYear(council, place, program.label.ja if program else str(place["program"]),
                     fiscal_year, grant=grant,
                     categories=[(c.key, c.label.ja) for c in program.participant_categories]
                     if program else [],
                     registration=bool(program and program.requires_registration),
                     members=members)
    reasons = {o.key: o.label.ja for o in ref.enums["not_held_reasons"]}
    kept = []
    for g in sorted(gathering_docs, key=lambda d: (d["date"], d["start_time"])):
        kept.append(g)  # a week's condition may need the days just outside the year
        if not first <= g["date"] <= last:
            continue
        held = bool(g.get("held", True))
        counts = {k: int(v) for k, v in g["attendance"].items()}
        sh, sm = (int(x) for x in g["start_time"].split(":"))
        eh, em = (int(x) for x in g["end_time"].split(":"))
        year.sessions.setdefault(int(g["date"][5:7]), []).append(Session(
            g["date"], g["start_time"], g["end_time"], (eh * 60 + em) - (sh * 60 + sm),
            sum(counts.values()), held, reasons.get(g.get("not_held_reason") or "", ""),
            *((int(g["opening_days"]), True) if g.get("covers") == MONTH else ())))
        if held:
            year.attendance.update(counts)
            year.first_time += int(g["first_time"])
            year.helpers += int(g["helpers"])
            year.activities.update(g["activities"])
    if program is not None:
        year.compliance = assess(program, [restore(g) for g in kept],  # type: ignore[misc]
                                 fiscal_year, today, open_span=open_span_of(place))
    return year


def load(conn: Connection, ref: Reference, place_id: str, fiscal_year: int, today: dt.date
         ) -> PlaceYear:
    row = conn.execute(select(schema.places.c.body).where(
        schema.places.c.id == place_id[:36])).first()
    if row is None:
        raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
    place = json.loads(row.body)
    first, last = fiscal_year_bounds(fiscal_year)
    week = dt.timedelta(days=7)
    docs = []
    r = schema.records.c
    for (body,) in conn.execute(select(r.body).where(
            r.kind == "gathering",
            r.day.between((first - week).isoformat(), (last + week).isoformat()))):
        doc = json.loads(body)
        if doc["place_id"] == place["id"]:
            docs.append(doc)
    found = conn.execute(select(schema.grants.c.body).where(
        schema.grants.c.place_id == place["id"],
        schema.grants.c.fiscal_year == fiscal_year)).scalar()
    roster = conn.execute(select(schema.members.c.body).where(
        schema.members.c.place_id == place["id"],
        schema.members.c.fiscal_year == fiscal_year)).scalar()
    return build(place, docs, json.loads(found) if found else {}, ref, fiscal_year, today,
                 council_name(conn), json.loads(roster) if roster else None)
