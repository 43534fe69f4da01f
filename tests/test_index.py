"""The store's indexes stay right on every write path: after random saves, edits,
acknowledgements, office parts, retention, reference data put and removed, compactions and
reopenings (journal replay), every index kept on write equals one built afresh from the
tables, and the repository's lookups answer what a full scan of the store and the archives answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from core.domain.retention import Policy
from field_app.store import Store
from field_app.store.index import INDEXES, Index
from field_app.store.repository import Repository
from tests.factories import IBASHO, PLACES, concern, gathering, visit_note, visit_plan

START = dt.date(2024, 1, 1)
DAYS = 900
CLOSED = {"status": "closed", "destination": "houkatsu", "referred_on": "2025-01-01",
          "method": "", "feedback": "", "closed_on": "2025-01-10", "updated_at": "",
          "updated_by": "office"}


# a gathering's attendance categories are its program's: gatherings stay in one program
SAME_PROGRAM = [p for p in PLACES if p.program == IBASHO.program]


def day(rng: random.Random) -> str:
    return (START + dt.timedelta(days=rng.randrange(DAYS))).isoformat()


def maybe_after(rng: random.Random, first: str) -> str | None:
    later = dt.date.fromisoformat(first) + dt.timedelta(days=rng.randrange(60))
    return later.isoformat() if rng.random() < 0.5 else None


HOUSES = [p for p in PLACES if p.program == "tenmillion"]
URGENCIES = ("emergency", "high", "medium", "watch")


def new_record(rng: random.Random) -> Any:
    place = rng.choice(PLACES).id
    kind = rng.choice(("gathering", "visit_note", "concern", "visit_plan"))
    if kind == "gathering" and rng.random() < 0.2:  # a monthly house's report of a month
        month = (START + dt.timedelta(days=rng.randrange(DAYS))).replace(day=1).isoformat()
        return gathering(place_id=rng.choice(HOUSES).id, date=month, covers="month",
                         opening_days=rng.randrange(1, 27), staff_visited=False,
                         attendance={"senior": 40, "under_65": 4})
    if kind == "gathering":
        return gathering(place_id=rng.choice(SAME_PROGRAM).id, date=day(rng),
                         staff_visited=rng.random() < 0.5)
    if kind == "visit_note":
        when = day(rng)
        return visit_note(place_id=place, date=when, follow_up_on=maybe_after(rng, when),
                          next_meeting_on=maybe_after(rng, when))
    if kind == "concern":
        when = day(rng)
        return concern(place_id=place, observed_on=when, follow_up_on=maybe_after(rng, when),
                       urgency=rng.choice(URGENCIES))
    return visit_plan(place_id=place, date=day(rng))


def edited(rng: random.Random, record: Any) -> Any:
    changes: dict[str, Any] = {}
    if hasattr(record, "place_id") and rng.random() < 0.5:
        changes["place_id"] = rng.choice(SAME_PROGRAM if record.kind == "gathering" else PLACES).id
    if record.kind == "concern":
        changes["follow_up_on"] = maybe_after(rng, record.observed_on)
    elif record.kind == "gathering" and record.covers == "month":
        changes = {"opening_days": rng.randrange(1, 27)}  # a house's report stays its month's
    elif record.kind == "gathering":
        changes.update(date=day(rng), staff_visited=rng.random() < 0.5)
    elif record.kind == "visit_note":
        when = day(rng)
        changes.update(date=when, follow_up_on=maybe_after(rng, when), next_meeting_on=None)
    else:
        changes["date"] = day(rng)
    return record.edited(**changes)


def touch_every_index(store: Store) -> None:
    """Build each index now, so that what follows is kept on write, not rebuilt."""
    for table, names in INDEXES.items():
        for name in names:
            store.indexed(table, name, lambda index, docs: None)


def assert_indexes_right(store: Store) -> None:
    for table, names in INDEXES.items():
        docs = _table(store, table)
        for name, value_of in names.items():
            fresh = Index.build(value_of, docs)
            kept = store.indexed(table, name, lambda index, _: (
                {v: set(k) for v, k in index.keys.items()}, list(index.values)))
            assert kept == (fresh.keys, fresh.values), f"{table}.{name}"


def _table(store: Store, table: str) -> dict[str, dict[str, Any]]:
    return store.indexed(table, next(iter(INDEXES[table])),
                         lambda index, docs: {k: dict(d) for k, d in docs.items()})


def everything(store: Store, kind: str) -> list[dict[str, Any]]:
    """The store's records of `kind` and those retention moved to the archives."""
    here = store.all(kind)
    ids = {d["id"] for d in here}
    return here + [d for year in store.archived_years() for d in store.archived(year)
                   if d["kind"] == kind and d["id"] not in ids]


def assert_lookups_answer_as_scans(store: Store, rng: random.Random) -> None:
    today = START + dt.timedelta(days=rng.randrange(DAYS))
    records = Repository(store, today=today)
    first = START + dt.timedelta(days=rng.randrange(DAYS))
    last = first + dt.timedelta(days=rng.randrange(60))
    lo, hi = first.isoformat(), last.isoformat()
    gatherings = everything(store, "gathering")
    notes = everything(store, "visit_note")
    assert {g.id for g in records.gatherings_between(first, last)} == {
        g["id"] for g in gatherings if lo <= g["date"] <= hi}
    assert {p.id for p in records.plans_between(first, last)} == {
        p["id"] for p in store.all("visit_plan") if lo <= p["date"] <= hi}
    assert {n.id for n in records.notes_between(first, last)} == {
        n["id"] for n in notes if lo <= n["date"] <= hi
        or lo <= (n.get("next_meeting_on") or "") <= hi}
    place = rng.choice(PLACES).id
    of_place = sorted((g for g in gatherings if g["place_id"] == place),
                      key=lambda g: (g["date"], g["start_time"]), reverse=True)
    assert [g.id for g in records.gatherings_of(place, limit=5)] == [g["id"] for g in of_place[:5]]
    assert {g.id for g in records.gatherings_of(place, first, last)} == {
        g["id"] for g in of_place if lo <= g["date"] <= hi}
    due = {c["id"] for c in store.all("concern") if not c.get("stub")
           and (c.get("office") or {}).get("status") != "closed"
           and c.get("follow_up_on") and c["follow_up_on"] <= hi}
    due |= {n["id"] for n in store.all("visit_note")
            if n.get("follow_up_on") and n["follow_up_on"] <= hi}
    assert {r.id for r in records.follow_ups_due(last)} == due
    assert {r.id for r in records.on_day(first)} == {
        d["id"] for kind, field in (("gathering", "date"), ("visit_note", "date"),
                                    ("concern", "observed_on"))
        for d in store.all(kind) if d.get(field) == lo and not d.get("stub")}
    latest: dict[str, str] = {}
    for d in [g for g in gatherings if g["staff_visited"]] + notes:
        if d["date"] >= lo and d["date"] > latest.get(d["place_id"], ""):
            latest[d["place_id"]] = d["date"]
    assert records.last_visits(first) == {p: dt.date.fromisoformat(v) for p, v in latest.items()}
    start = (today - dt.timedelta(days=90)).isoformat()
    recent: dict[str, str] = {}
    for g in store.all("gathering"):  # the last 90 days: never archived here
        if g["date"] >= start and g["date"] > recent.get(g["place_id"], ""):
            recent[g["place_id"]] = g["date"]
    assert {p: d.isoformat() for p, d in records.recent_places(100)} == recent
    for kind in ("gathering", "concern", "visit_note"):
        assert records.pending_count(kind) == sum(
            1 for d in store.pending() if d["kind"] == kind)
    months = [g for g in store.all("gathering") if g.get("covers") == "month"
              and lo <= g["date"] <= hi]
    assert {g.id for g in records.month_reports(first, last)} == {g["id"] for g in months}
    house = rng.choice(HOUSES).id
    assert {g.id for g in records.month_reports(first, last, house)} == {
        g["id"] for g in months if g["place_id"] == house}
    active = sorted((p for p in store.all("place") if p.get("active") is not False),
                    key=lambda p: (p.get("kana") or p["name"], p["id"]))
    assert [p.id for p in records.places()] == [p["id"] for p in active]
    program = rng.choice(PLACES).program
    assert [p.id for p in records.places(program=program)] == [
        p["id"] for p in active if p["program"] == program]
    # the follow-ups screen's order: follow-up day (none, and stubs, last), urgency, id
    listed = sorted(store.all("concern"), key=lambda c: (
        "9999" if c.get("stub") else c.get("follow_up_on") or "9999",
        9 if c.get("stub") else URGENCIES.index(c["urgency"]), c["id"]))
    begin, count = rng.randrange(len(listed) + 1), rng.randrange(1, 40)
    page, total = records.concerns_listed(begin, count)
    assert ([c.id for c in page], total) == ([c["id"] for c in listed[begin:begin + count]],
                                             len(listed))


@pytest.mark.parametrize("seed", range(10))
def test_indexes_stay_right_on_every_write_path(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    # a small fold threshold: compactions happen along the way
    store = Store(tmp_path, compact_min_bytes=20_000)
    saved: dict[str, Any] = {}
    try:
        touch_every_index(store)
        for _ in range(160):
            op = rng.random()
            if op < 0.4 or not saved:
                record = new_record(rng)
                store.save(record)
                saved[record.id] = record
            elif op < 0.6:
                rid = rng.choice(sorted(saved))
                if store.get(saved[rid].kind, rid) is None:
                    continue  # archived by retention
                record = edited(rng, saved[rid])
                store.save(record)
                saved[rid] = record
            elif op < 0.7:
                waiting = store.pending()
                store.acknowledge([(d["id"], d["rev"]) for d in waiting
                                   if rng.random() < 0.7])
            elif op < 0.78:
                ids = [r.id for r in saved.values() if r.kind == "concern"]
                store.set_office_parts({rid: (CLOSED if rng.random() < 0.6 else None)
                                        for rid in rng.sample(ids, min(len(ids), 3))})
            elif op < 0.84:
                today = START + dt.timedelta(days=DAYS + rng.randrange(400))
                store.apply_retention(today, Policy(rng.randrange(5, 60),
                                                    rng.randrange(100, 500)))
            elif op < 0.9:
                # what a pull brings: reference records, and a field record as given
                record = dataclasses.replace(rng.choice(PLACES), name=f"場所{rng.randrange(9)}",
                                             active=rng.random() < 0.8)
                extra = new_record(rng)
                store.put_reference([record, extra.to_dict()])
                saved[extra.id] = extra
            elif op < 0.94:
                store.remove_reference("place", [rng.choice(PLACES).id])
            else:  # reopen: snapshot and journal replay, indexes built afresh
                store.close()
                store = Store(tmp_path, compact_min_bytes=20_000)
                touch_every_index(store)
            assert_indexes_right(store)
            assert_lookups_answer_as_scans(store, rng)
    finally:
        store.close()


def test_a_closed_store_keeps_no_restored_records(tmp_path: Path) -> None:
    store = Store(tmp_path)
    record = gathering(date="2026-06-10")
    store.save(record)
    assert [r.id for r in store.lookup("gathering", "day", "2026-06-10", "2026-06-10")] == [record.id]
    store.close()
    assert store._indexes._restored == {} and store._indexes._built == {}
