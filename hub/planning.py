"""The office's side of planning (DESIGN §4, second plan): which staff look after which
places or areas, the start-ups devices report, and opening a place from a start-up.

Assignments are the office's: each device pulls its own staff member's. Start-ups are
the devices' records; the office only links the place it opens (`Place.startup_id`), so
each side keeps writing only what it owns (DESIGN §6).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain.fiscal import fiscal_year_bounds
from core.domain.startup import DECLINED, OPENED
from hub import feed
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, Conflict, NotFound
from hub.places import save_place
from hub.reference import reference
from sync.protocol import ASSIGNMENT, assignment_key

MAX_ASSIGNED = 500


def _problem(field: str, value: Any, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": repr(value)[:40], "expected_en": en, "expected_ja": ja}


# assignments ---------------------------------------------------------------------------

def assignments(conn: Connection) -> dict[str, dict[str, list[str]]]:
    return {r.staff_name: json.loads(r.body) for r in conn.execute(select(schema.assignments))}


def assignment_of(conn: Connection, staff_name: str) -> dict[str, list[str]]:
    row = conn.execute(select(schema.assignments.c.body).where(
        schema.assignments.c.staff_name == staff_name)).first()
    return json.loads(row.body) if row else {"places": [], "areas": []}


def set_assignment(conn: Connection, staff_name: str, data: Mapping[str, Any], actor: str
                   ) -> dict[str, list[str]]:
    """Replace a staff member's places and areas (validated: every problem at once)."""
    ref = reference(conn)
    problems: list[dict[str, str]] = []
    if not isinstance(staff_name, str) or not staff_name.strip() or len(staff_name) > 100:
        problems.append(_problem("staff_name", staff_name, "a staff name (1-100 characters)",
                                 "職員名（1〜100文字）"))
    unknown = sorted(set(data) - {"places", "areas"})
    problems += [_problem(k, data[k], "a known field (places, areas)", "定義されている項目名")
                 for k in unknown]
    known = {"places": set(ref.place_programs), "areas": {a.key for a in ref.areas}}
    body: dict[str, list[str]] = {}
    for key, allowed in known.items():
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) \
                or len(value) > MAX_ASSIGNED:
            problems.append(_problem(key, value, f"a list of at most {MAX_ASSIGNED} ids",
                                     f"{MAX_ASSIGNED}件以内のIDのリスト"))
            continue
        bad = [v for v in value if v not in allowed]
        if bad:
            problems.append(_problem(key, bad, f"known {key}", "登録済みの場所・地区"))
        body[key] = sorted(set(value))
    if problems:
        raise BadRequest(f"{len(problems)} problem(s) in the assignment", problems=problems,
                         message_ja="担当の設定に誤りがあります。")
    feed.lock(conn)
    now = utcnow()
    text = json.dumps(body, ensure_ascii=False)
    done = conn.execute(update(schema.assignments)
                        .where(schema.assignments.c.staff_name == staff_name)
                        .values(body=text, updated_at=now, updated_by=actor))
    if done.rowcount == 0:
        conn.execute(insert(schema.assignments).values(staff_name=staff_name, body=text,
                                                       updated_at=now, updated_by=actor))
    conn.execute(insert(schema.changes).values(kind=ASSIGNMENT,
                                               record_id=assignment_key(staff_name),
                                               device_id=None, at=now))
    audit(conn, actor, "assignment_set", staff_name, text)
    return body


# start-ups -----------------------------------------------------------------------------

def startups(conn: Connection) -> list[dict[str, Any]]:
    """Every start-up devices have pushed, with who reported it and the place opened."""
    opened = {p["startup_id"]: p for p in _places(conn) if p.get("startup_id")}
    out = []
    for row in conn.execute(select(schema.records.c.body, schema.records.c.staff_name)
                            .where(schema.records.c.kind == "startup")):
        doc = json.loads(row.body)
        place = opened.get(doc["id"])
        out.append({**doc, "staff_name": row.staff_name,
                    "place": {"id": place["id"], "name": place["name"]} if place else None})
    return sorted(out, key=lambda s: (s["history"][0]["on"] if s["history"] else "", s["id"]))


def open_place(conn: Connection, startup_id: str, data: Mapping[str, Any], actor: str
               ) -> dict[str, Any]:
    """Create the place a start-up became, in one step: its fields carried over (what the
    office sends replaces them), its 開設日 the day the start-up reached 開設, linked both
    ways, pulled by every device.

    The feed's lock is taken before the start-up is looked at: requests opening the same
    one at once then take turns, and the second is told which place the first made (the
    unique index on `places.startup_id` holds it for any other way in)."""
    feed.lock(conn)
    row = conn.execute(select(schema.records.c.body).where(
        schema.records.c.id == startup_id[:36], schema.records.c.kind == "startup")).first()
    if row is None:
        raise NotFound(f"no start-up {startup_id}", message_ja="その立ち上げ相談は見つかりません。")
    doc = json.loads(row.body)
    if doc["stage"] != OPENED:
        raise Conflict(f"this start-up is at stage {doc['stage']!r}; a place is opened from "
                       "one at 'opened' (the staff member records the opening first)",
                       message_ja="この立ち上げ相談はまだ「開設」になっていません。"
                                  "担当職員が開設を記録してから場所を作成してください。")
    held = conn.execute(select(schema.places.c.body).where(
        schema.places.c.startup_id == doc["id"])).scalar()
    if held is not None:
        name = json.loads(held)["name"]
        raise Conflict(f"a place was already opened from this start-up: {name}",
                       message_ja=f"この立ち上げ相談からは既に場所「{name}」を作成済みです。")
    # it opened on the day the staff member recorded 開設 (the latest, if moved there twice)
    opened_on = next((str(h["on"]) for h in reversed(doc.get("history") or [])
                      if h.get("stage") == OPENED), "")
    place = {"name": doc["group_name"], "kana": "", "program": doc.get("program") or "",
             "area": doc["area"], "group_name": doc["group_name"],
             "venue": doc.get("planned_venue", ""), "schedule": doc.get("planned_frequency", ""),
             "open_to_all": True, "subsidised": False, "active": True, "opened_on": opened_on}
    unknown = sorted(set(data) - set(place) - {"recurrence"})
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}",
                         message_ja="場所にない項目があります。",
                         problems=[_problem(k, data[k], "a field of a place", "場所の項目")
                                   for k in unknown])
    saved = save_place(conn, {**place, **data, "startup_id": doc["id"]}, actor)
    audit(conn, actor, "place_opened_from_startup", doc["id"],
          json.dumps({"place_id": saved["id"]}))
    return saved


def _places(conn: Connection) -> list[dict[str, Any]]:
    return [json.loads(b) for (b,) in conn.execute(select(schema.places.c.body))]


def startup_summary(startup_docs: Iterable[Mapping[str, Any]],
                    notes: Iterable[Mapping[str, Any]], place_areas: Mapping[str, str],
                    fiscal_year: int) -> dict[str, Counter[str]]:
    """Per area, for the fiscal year: consultations (notes of type startup_consult), the
    start-ups active in the year by their stage at its end, and the places opened in it."""
    first, last = (d.isoformat() for d in fiscal_year_bounds(fiscal_year))
    out: dict[str, Counter[str]] = {}
    area_of = {}
    for s in startup_docs:
        area_of[s["id"]] = s["area"]
        steps = [h for h in s["history"] if h["on"] <= last]
        if not steps:
            continue
        closed_before = steps[-1]["stage"] in (OPENED, DECLINED) and steps[-1]["on"] < first
        counts = out.setdefault(s["area"], Counter())
        if not closed_before:
            counts[f"stage:{steps[-1]['stage']}"] += 1
        if any(h["stage"] == OPENED and first <= h["on"] <= last for h in steps):
            counts["opened"] += 1
    for n in notes:
        if n.get("visit_type") != "startup_consult" or not first <= n["date"] <= last:
            continue
        area = area_of.get(n.get("startup_id") or "") or place_areas.get(n.get("place_id") or "")
        out.setdefault(area or "", Counter())["consultations"] += 1
    return out


def startup_report(conn: Connection, fiscal_year: int) -> dict[str, Counter[str]]:
    docs: dict[str, list[dict[str, Any]]] = {"startup": [], "visit_note": []}
    for kind, body in conn.execute(select(schema.records.c.kind, schema.records.c.body).where(
            schema.records.c.kind.in_(tuple(docs)))):
        docs[kind].append(json.loads(body))
    areas = {p["id"]: p["area"] for p in _places(conn)}
    return startup_summary(docs["startup"], docs["visit_note"], areas, fiscal_year)
