"""What the city's surveys ask for (the national 通いの場 survey, municipal reports): per
place and month, sessions and 延べ participants by age band; and for programs with
registration, 実人数 — the registered members the office records per place and year as
counts by age band and sex, from the group's roster (never names)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from core.domain.gathering import MONTH
from core.domain.reference import Reference
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.documents.reports import MONTHS, gatherings_in
from hub.errors import BadRequest, NotFound
from hub.reference import reference

MEMBER_BANDS = ("under_65", "65_74", "75_plus")  # from a roster's birth years
MAX_MEMBERS = 10_000
UNKNOWN = "実人数不明（登録者数が未記録）"


def _problem(field: str, value: Any, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": repr(value)[:40], "expected_en": en, "expected_ja": ja}


def members(conn: Connection, place_id: str, fiscal_year: int) -> dict[str, Any]:
    row = conn.execute(select(schema.members.c.body).where(
        schema.members.c.place_id == place_id,
        schema.members.c.fiscal_year == fiscal_year)).scalar()
    return json.loads(row) if row else {"counts": {}}


def set_members(conn: Connection, place_id: str, fiscal_year: int, data: Any, actor: str
                ) -> dict[str, Any]:
    """Record a place's registered members for a year (validated whole; audited)."""
    row = conn.execute(select(schema.places.c.body).where(
        schema.places.c.id == place_id[:36])).first()
    if row is None:
        raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
    place = json.loads(row.body)
    ref = reference(conn)
    program = ref.programs.get(place["program"])
    problems = []
    if program is None or not program.requires_registration:
        problems.append(_problem("program", place["program"],
                                 "a program with registration (登録制)", "登録制の事業"))
    sexes = ref.keys("member_sexes")
    counts: dict[str, dict[str, int]] = {}
    raw = data.get("counts") if isinstance(data, Mapping) else None
    if isinstance(data, Mapping):  # a roster's names, say, have no place here
        problems += [_problem(str(k), data[k], "a known field (counts)", "定義されている項目名")
                     for k in sorted(set(data) - {"counts"}, key=str)]
    if not isinstance(raw, Mapping):
        problems.append(_problem("counts", raw, "{counts: {age band: {sex: number}}}",
                                 "{counts: {年齢区分: {性別: 人数}}}"))
        raw = {}
    for band, by_sex in raw.items():
        if band not in MEMBER_BANDS:
            problems.append(_problem(f"counts.{band}", band, "one of: " + ", ".join(MEMBER_BANDS),
                                     "年齢区分: 65歳未満・65〜74歳・75歳以上"))
            continue
        if not isinstance(by_sex, Mapping):
            problems.append(_problem(f"counts.{band}", by_sex, "{sex: number}", "{性別: 人数}"))
            continue
        for sex, n in by_sex.items():
            if sex not in sexes:
                problems.append(_problem(f"counts.{band}.{sex}", sex,
                                         "one of: " + ", ".join(sorted(sexes)), "性別の区分"))
            elif isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_MEMBERS:
                problems.append(_problem(f"counts.{band}.{sex}", n,
                                         f"a whole number from 0 to {MAX_MEMBERS}",
                                         f"0〜{MAX_MEMBERS}の整数"))
            else:
                counts.setdefault(band, {})[sex] = n
    if problems:
        raise BadRequest(f"{len(problems)} problem(s) in the members", problems=problems,
                         message_ja="登録者数に誤りがあります。")
    body = {"counts": counts}
    text = json.dumps(body, ensure_ascii=False)
    now = utcnow()
    done = conn.execute(update(schema.members).where(
        schema.members.c.place_id == place["id"],
        schema.members.c.fiscal_year == fiscal_year).values(body=text, updated_at=now,
                                                            updated_by=actor))
    if done.rowcount == 0:
        conn.execute(insert(schema.members).values(place_id=place["id"], fiscal_year=fiscal_year,
                                                   body=text, updated_at=now, updated_by=actor))
    audit(conn, actor, "members_set", place["id"], json.dumps(
        {"fiscal_year": fiscal_year, **body}, ensure_ascii=False))
    return body


def survey_rows(places: Iterable[Mapping[str, Any]], gatherings: Iterable[Mapping[str, Any]],
                member_counts: Mapping[str, Mapping[str, Any]], ref: Reference,
                fiscal_year: int) -> list[list[Any]]:
    """One row per place and month: sessions, 延べ by age band; 実人数 for registration
    programs (the year's registered members, by band), left blank with a note saying why
    when the year's members were never recorded; blank for programs without registration."""
    bands = [o for o in ref.enums["age_bands_survey"]]
    band_of: dict[str, dict[str, str]] = {
        k: {c.key: str(c.attrs.get("band") or "under_65") for c in p.participant_categories}
        for k, p in ref.programs.items()}
    program_of = {p["id"]: p["program"] for p in places}
    held: dict[tuple[str, int], Counter[str]] = {}
    sessions: Counter[tuple[str, int]] = Counter()
    for g in gatherings:
        if not g.get("held", True) or g["place_id"] not in program_of:
            continue
        key = (g["place_id"], int(g["date"][5:7]))
        sessions[key] += g["opening_days"] if g.get("covers") == MONTH else 1
        mapping = band_of.get(program_of[g["place_id"]], {})
        tally = held.setdefault(key, Counter())
        for category, n in g["attendance"].items():
            tally[mapping.get(category, "under_65")] += int(n)
    header: list[Any] = ["場所", "事業", "月", "開催回数"]
    header += [f"延べ {b.label.ja}" for b in bands] + ["延べ 合計"]
    header += ["実人数 65歳未満", "実人数 65〜74歳", "実人数 75歳以上", "実人数 合計", "備考"]
    rows: list[list[Any]] = [header]
    for p in sorted(places, key=lambda p: p.get("kana") or p["name"]):
        program = ref.programs.get(p["program"])
        registered = program is not None and program.requires_registration
        roster = member_counts.get(p["id"])
        unique: list[Any] = ["", "", "", ""]
        note = ""
        if registered and roster is None:
            note = UNKNOWN  # unknown is not none: a 0 would be read as nobody registered
        elif registered and roster is not None:
            counts = roster.get("counts") or {}
            by_band = [sum((counts.get(b) or {}).values()) for b in MEMBER_BANDS]
            unique = [*by_band, sum(by_band)]
        for m in MONTHS:
            tally = held.get((p["id"], m), Counter())
            row: list[Any] = [p["name"], program.label.ja if program else p["program"],
                              f"{fiscal_year + (m < 4)}-{m:02d}", sessions[(p["id"], m)]]
            row += [tally[b.key] for b in bands] + [sum(tally.values())]
            row += [*unique, note]
            rows.append(row)
    return rows


def survey(conn: Connection, ref: Reference, fiscal_year: int) -> list[list[Any]]:
    places = [json.loads(b) for (b,) in conn.execute(select(schema.places.c.body))]
    counts = {r.place_id: json.loads(r.body) for r in conn.execute(
        select(schema.members).where(schema.members.c.fiscal_year == fiscal_year))}
    return survey_rows(places, gatherings_in(conn, fiscal_year), counts, ref, fiscal_year)
