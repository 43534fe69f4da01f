"""The staff's visits, consultations and meetings as the office reads them (the seed's
duties 1 to 3): visit notes listed by place, staff member, type and dates; the follow-ups
whose date has passed with nobody back since; a place's history of gatherings and notes;
and the year's counts per place.

Visit notes are the devices' records (DESIGN §6): the hub only reads them. Their free text
(`observations`, `decisions`: VisitNote.SENSITIVE, sealed on the tablet) leaves the hub
only in `with_text` rows, which the web layer gives to the roles hub/roles.py allows and
audits with the notes it showed."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.domain.fiscal import fiscal_year_bounds
from core.domain.reference import Reference
from core.domain.visit_note import (
    CONSULTATION,
    DUTIES,
    MEETING,
    OTHER,
    VISIT,
    VisitNote,
    contacts,
    duty_of,
)
from hub.db import schema
from hub.documents.reports import gatherings_in, notes_in
from hub.errors import BadRequest, NotFound

MAX_ROWS = 200
SEALED = VisitNote.SENSITIVE
# the counts' names in answers, by duty (core/domain/visit_note.py DUTIES)
COUNTED = {VISIT: "staff_visits", CONSULTATION: "consultations", MEETING: "meetings",
           OTHER: "other_contacts"}


def _problem(field: str, value: object, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": str(value)[:40], "expected_en": en, "expected_ja": ja}


def _day(field: str, text: str, problems: list[dict[str, str]]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(_problem(field, text, "a date (YYYY-MM-DD)", "日付（YYYY-MM-DD）"))
        return None


@dataclass(frozen=True)
class Filters:
    """Which notes: a place, a staff member (whose tablet sent it), a visit type, and the
    days: a fiscal year, narrowed by `since` and `until` (both ends included)."""

    place_id: str = ""
    staff: str = ""
    visit_type: str = ""
    fiscal_year: int | None = None
    since: str = ""
    until: str = ""

    def span(self, ref: Reference) -> tuple[str, str]:
        """The first and last day asked for ("" for open); BadRequest naming each bad value."""
        problems: list[dict[str, str]] = []
        if self.visit_type and self.visit_type not in ref.keys("visit_types"):
            problems.append(_problem("visit_type", self.visit_type,
                                     f"one of {', '.join(sorted(ref.keys('visit_types')))}",
                                     "訪問の種類の一覧にある値"))
        first, last = _day("since", self.since, problems), _day("until", self.until, problems)
        if first and last and last < first:
            problems.append(_problem("until", self.until, f"on or after since ({first})",
                                     f"開始日（{first}）以降の日付"))
        if problems:
            raise BadRequest("unknown filter value", problems=problems,
                             message_ja="絞り込みの値が正しくありません。")
        if self.fiscal_year is not None:
            start, end = fiscal_year_bounds(self.fiscal_year)
            first, last = max(first or start, start), min(last or end, end)
        return (first.isoformat() if first else "", last.isoformat() if last else "")

    def shown(self) -> dict[str, Any]:
        """The filters as the audit log keeps them (ids and keys, no text)."""
        return {k: v for k, v in vars(self).items() if v not in ("", None)}


def place_names(conn: Connection) -> dict[str, str]:
    return {r.id: json.loads(r.body).get("name", "")
            for r in conn.execute(select(schema.places.c.id, schema.places.c.body))}


def _startup_names(conn: Connection) -> dict[str, str]:
    return {r.id: json.loads(r.body).get("group_name", "") for r in conn.execute(
        select(schema.records.c.id, schema.records.c.body)
        .where(schema.records.c.kind == "startup"))}


def _read(conn: Connection, first: str = "", last: str = "") -> list[tuple[dict[str, Any], str]]:
    """Visit notes with the staff member whose tablet sent each, between two days."""
    r = schema.records.c
    q = select(r.body, r.staff_name).where(r.kind == "visit_note")
    if first:
        q = q.where(r.day >= first)
    if last:
        q = q.where(r.day <= last)
    return [(orjson.loads(row.body), row.staff_name) for row in conn.execute(q)]


def row(doc: Mapping[str, Any], staff: str, places: Mapping[str, str],
        startups: Mapping[str, str], *, with_text: bool) -> dict[str, Any]:
    """A note as the office lists it; its sealed text only `with_text`."""
    place_id, startup_id = str(doc.get("place_id") or ""), str(doc.get("startup_id") or "")
    out = {"id": doc["id"], "date": doc["date"], "visit_type": doc["visit_type"],
           "duty": duty_of(doc["visit_type"]), "place_id": place_id,
           "place_name": places.get(place_id, ""), "startup_id": startup_id,
           "startup_name": startups.get(startup_id, ""),
           "group_name": doc.get("group_name", ""), "staff": staff,
           "duration_minutes": doc.get("duration_minutes", 0),
           "follow_up_on": doc.get("follow_up_on"),
           "attendee_roles": list(doc.get("attendee_roles") or ()),
           "topics": list(doc.get("topics") or ()),
           "next_meeting_on": doc.get("next_meeting_on"),
           "has_text": any(str(doc.get(k) or "").strip() for k in SEALED)}
    if with_text:
        out.update({k: str(doc.get(k) or "") for k in SEALED})
    return out


def listing(conn: Connection, ref: Reference, filters: Filters, *, with_text: bool
            ) -> dict[str, Any]:
    """Every note the filters admit, newest first, and every staff member who wrote one
    (for the filter menu)."""
    first, last = filters.span(ref)
    found = _read(conn, first, last)
    staff = sorted({s for _, s in found if s})
    kept = [(d, s) for d, s in found
            if (not filters.place_id or d.get("place_id") == filters.place_id)
            and (not filters.staff or s == filters.staff)
            and (not filters.visit_type or d.get("visit_type") == filters.visit_type)]
    kept.sort(key=lambda ds: (ds[0]["date"], ds[0].get("created_at", ""), ds[0]["id"]),
              reverse=True)
    places, startups = place_names(conn), _startup_names(conn)
    return {"visits": [row(d, s, places, startups, with_text=with_text) for d, s in kept],
            "staff": staff, "since": first, "until": last}


def page(found: dict[str, Any], offset: int, limit: int) -> dict[str, Any]:
    rows = found["visits"]
    return {**found, "visits": rows[offset:offset + limit], "total": len(rows),
            "offset": offset}


# follow-ups ---------------------------------------------------------------------------

def _about(doc: Mapping[str, Any]) -> str:
    """Whom a note is about: its place, else its start-up, else its group's name."""
    if doc.get("place_id"):
        return f"place:{doc['place_id']}"
    if doc.get("startup_id"):
        return f"startup:{doc['startup_id']}"
    return "group:" + "".join(str(doc.get("group_name") or "").casefold().split())


def passed_follow_ups(conn: Connection, today: dt.date, *, place_id: str = "",
                      staff: str = "") -> list[dict[str, Any]]:
    """Notes whose follow-up date is before `today` (Japan) and that nobody followed up: a
    note is followed up by any later contact with the same place, start-up or group — a
    visit note dated after it, by anyone, or a gathering of the place staff visited after
    it. Oldest follow-up date first, with how many days have passed. No sealed text."""
    notes = _read(conn)
    due = [(d, s) for d, s in notes
           if d.get("follow_up_on") and d["follow_up_on"] < today.isoformat()
           and (not place_id or d.get("place_id") == place_id)
           and (not staff or s == staff)]
    if not due:
        return []
    latest: dict[str, str] = {}
    for d, _ in notes:
        key = _about(d)
        if d["date"] > latest.get(key, ""):
            latest[key] = d["date"]
    open_ = [(d, s) for d, s in due if latest[_about(d)] <= d["date"]]
    places = {d["place_id"] for d, _ in open_ if d.get("place_id")}
    if places:
        since = min(d["date"] for d, _ in open_)
        r = schema.records.c
        for body in conn.execute(select(r.body).where(r.kind == "gathering", r.day > since)
                                 ).scalars():
            g = orjson.loads(body)
            key = f"place:{g['place_id']}"
            if g["place_id"] in places and g.get("staff_visited") \
                    and g["date"] > latest.get(key, ""):
                latest[key] = g["date"]
        open_ = [(d, s) for d, s in open_ if latest[_about(d)] <= d["date"]]
    names, startups = place_names(conn), _startup_names(conn)
    out = []
    for d, s in sorted(open_, key=lambda ds: (ds[0]["follow_up_on"], ds[0]["date"])):
        found = row(d, s, names, startups, with_text=False)
        found["days_passed"] = (today - dt.date.fromisoformat(d["follow_up_on"])).days
        out.append(found)
    return out


# a place's history --------------------------------------------------------------------

def place_history(conn: Connection, place_id: str, fiscal_year: int) -> list[dict[str, Any]]:
    """A place's year by date, newest first: each gathering (held or not, with its counts;
    not its note) and each visit note (no sealed text)."""
    if conn.execute(select(schema.places.c.id).where(schema.places.c.id == place_id)
                    ).first() is None:
        raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
    events: list[dict[str, Any]] = []
    for g in gatherings_in(conn, fiscal_year):
        if g["place_id"] != place_id:
            continue
        events.append({"date": g["date"], "kind": "gathering", "gathering": {
            "held": g.get("held", True), "start_time": g["start_time"],
            "end_time": g["end_time"], "participants": sum(g["attendance"].values()),
            "first_time": g.get("first_time", 0), "helpers": g.get("helpers", 0),
            "activities": list(g.get("activities") or ()),
            "staff_visited": bool(g.get("staff_visited")),
            "not_held_reason": g.get("not_held_reason", "")}, "visit": None})
    start, end = (d.isoformat() for d in fiscal_year_bounds(fiscal_year))
    names, startups = place_names(conn), _startup_names(conn)
    for d, s in _read(conn, start, end):
        if d.get("place_id") == place_id:
            events.append({"date": d["date"], "kind": "visit_note", "gathering": None,
                           "visit": row(d, s, names, startups, with_text=False)})
    # within a day, the gathering before the note about it
    events.sort(key=lambda e: e["kind"] == "visit_note")
    events.sort(key=lambda e: e["date"], reverse=True)
    return events


# the year's counts --------------------------------------------------------------------

def counts(conn: Connection, fiscal_year: int) -> list[dict[str, Any]]:
    """Per place, the year's staff visits (days), consultations, meetings and other
    contacts, as the year's report counts them; in kana order."""
    visited: list[tuple[str, str]] = [(g["place_id"], g["date"])
                                      for g in gatherings_in(conn, fiscal_year)
                                      if g.get("held", True) and g.get("staff_visited")]
    counted = contacts(notes_in(conn, fiscal_year), visited)
    docs = [json.loads(b) for b in conn.execute(select(schema.places.c.body)).scalars()]
    docs.sort(key=lambda p: (str(p.get("kana") or p.get("name") or ""), p["id"]))
    out = []
    for p in docs:
        made = counted.get(p["id"], Counter())
        out.append({"place_id": p["id"], "name": p.get("name", ""),
                    **{COUNTED[duty]: made[duty] for duty in DUTIES}})
    return out
