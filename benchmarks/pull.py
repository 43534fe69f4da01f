"""A tablet away for a month pulls what the office changed for it: its cost should grow with
those changes, not with the hub's size. The same tablet (one store, enrolled to both hubs over
HTTP) pulls the same month's changes from a big hub — 200 places, 100 devices, a year of their
records and of the office's work — and from a small one: a few places and this tablet alone.

    .venv/bin/python -m benchmarks.pull [--db sqlite|postgresql] [--records 100000]

Both hubs are loaded the same way: a year (the hub's bulk path for the records, the office
parts and the feed's rows; the hub's own import for places), then the tablet's full pull over
HTTP with the real sync client (its cursor: "a month ago"), then the month: the other devices'
records and the office's work on their concerns and assignments, and, between them, C
changes for this tablet made through the hub's own functions (office parts of its concerns, a
few places, a grant step, its assignment). Timed: the tablet's pull from that cursor to the
end, page by page, with the sync client's HTTP client (HubClient.pull), alternating the hubs,
median of --runs. The tablet's store applying what it pulled is the same on both and not timed.
A line before the last gives the hub's own part: its feed read over a database connection.

Last line (an interface; keep it exact):
    pull: hub_records=N changed=C seconds=X small_hub_seconds=Y ratio=X/Y
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from core.domain import grant
from core.domain.concern import parse_office_part
from core.reference_data import load_reference, sample_places
from field_app.store import Store
from hub import devices, feed, grants, planning
from hub.concerns import set_office_part
from hub.db import bulk, schema
from hub.ingest import canonical_text, record_day
from hub.places import import_places
from sync.client import HUB_META, SYNC_META, Report, Syncer, enrol
from sync.http import HubClient
from sync.protocol import ASSIGNMENT, GRANT, OFFICE_PART, assignment_key, body_hash, grant_key
from tests.factories import concern_data, gathering_data, visit_note_data
from tests.hubs import database_url, prepared_engine, serve_process

TABLET_STAFF = "山田 花子"
FY = 2026  # the year in progress; FY-1 is settled
TODAY = dt.date(2027, 4, 20)  # the grants' "today": every step's date is behind it
NOW = dt.datetime.now(dt.UTC)
YEAR, MONTH = 365, 30
REF = load_reference()
CATS = {"income": REF.keys("grant_income"), "expenses": REF.keys("grant_expenses")}
STEPS = (("application", {"received_on": "2026-04-10", "requested_yen": 80_000,
                          "plan": "月1回の食事会",
                          "budget": [{"category": "food", "amount": 80_000}]}),
         ("decision", {"decided_on": "2026-05-01", "approved": True, "approved_yen": 80_000}),
         ("payments", {"payments": [{"paid_on": "2026-05-20", "amount": 80_000}]}),
         ("report", {"received_on": "2027-04-10",
                     "income": [{"category": "grant", "amount": 80_000}],
                     "expenses": [{"category": "food", "amount": 72_500}],
                     "self_evaluation": "参加者が増えた"}),
         ("settlement", {"settled_on": "2027-04-15", "confirmed_yen": 72_500}))
# the tablet's month: office parts on this many of its concerns, places, one grant step, and
# its assignment
TABLET_PARTS, TABLET_PLACES = 8, 3
HOME_PLACES = 5  # the places the tablet's staff member visits: all the small hub has


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_places(n: int) -> list[dict[str, Any]]:
    rng = random.Random("places")
    samples = [p.to_dict() for p in sample_places()]
    return [{**samples[i % len(samples)], "id": new_id(rng), "sample": False,
             "name": f"{samples[i % len(samples)]['name']} {i + 1}"} for i in range(n)]


@dataclass
class Device:
    id: str
    staff: str
    rng: random.Random
    concerns: list[str] = field(default_factory=list)

    def records(self, n: int, place_ids: list[str], first_day: float, days: float,
                ) -> list[dict[str, Any]]:
        """`n` records written over `days` from `first_day` ago: one in ten a concern, two
        visit notes, the rest gatherings."""
        rows = []
        for i in range(n):
            when = ago(first_day - days * i / max(n, 1))
            day = (when + dt.timedelta(hours=9)).date().isoformat()
            place = self.rng.choice(place_ids)
            kind = ("concern", "visit_note", "visit_note", *("gathering",) * 7)[i % 10]
            if kind == "concern":
                doc = concern_data(place_id=place, observed_on=day, follow_up_on=None)
            elif kind == "visit_note":
                doc = visit_note_data(place_id=place, date=day)
            else:
                doc = gathering_data(place_id=place, date=day)
            doc.update(id=new_id(self.rng), device_id=self.id, author=self.staff)
            if kind == "concern":
                self.concerns.append(doc["id"])
            rows.append({"id": doc["id"], "kind": kind, "device_id": self.id,
                         "staff_name": self.staff, "rev": 1, "body": canonical_text(doc),
                         "body_hash": body_hash(doc), "received_at": when, "day": record_day(doc)})
        return rows


def office_part() -> str:
    """An office part as the hub stores one (set_office_part's form)."""
    part = parse_office_part({"status": "triaged", "updated_at": "2026-06-01T00:00:00.000Z",
                              "updated_by": "事務局 佐藤"}, REF)
    return json.dumps(dict(vars(part)), ensure_ascii=False)


def grant_body(steps: int, cap: int, fiscal_year: int) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, data in STEPS[:steps]:
        checked = grant.check_step(name, data, body, cap, CATS, TODAY, fiscal_year=fiscal_year)
        body = {**body, name: checked["payments"] if name == "payments" else checked}
    return body


@dataclass
class Hub:
    url: str
    engine: Engine
    places: list[dict[str, Any]]
    others: list[Device]
    tablet: Device
    token: str = ""
    cursor: str = ""


def load_year(engine: Engine, places: list[dict[str, Any]], tablet: Device,
              others: list[Device], per_device: int) -> None:
    """A year of the hub: places, devices, records, the office's parts, grants, assignments."""
    place_ids = [p["id"] for p in places]
    with engine.begin() as conn:
        import_places(conn, places, "bench")
        for d in others:
            devices.enrol(conn, devices.create_code(conn, d.staff, 1)[0], d.id, "bench")
    part = office_part()
    feed: list[tuple[float, dict[str, Any]]] = []  # (days ago, row) of the year's office work
    with engine.begin() as conn:
        for d in [tablet, *others]:
            bulk.insert_rows(conn, schema.records,
                             d.records(per_device, place_ids[:HOME_PLACES] if d is tablet
                                       else place_ids, YEAR + MONTH, YEAR))
            written = [c for c in d.concerns if d.rng.random() < 0.6]
            bulk.insert_rows(conn, schema.office_parts, [
                {"concern_id": c, "device_id": d.id, "body": part, "updated_at": NOW,
                 "updated_by": "事務局 佐藤"} for c in written])
            for c in written:  # one to three changes of each part over the year
                for _ in range(d.rng.randint(1, 3)):
                    feed.append((MONTH + d.rng.random() * YEAR, {
                        "kind": OFFICE_PART, "record_id": c, "device_id": d.id}))
            feed.append((MONTH + YEAR - d.rng.random() * 10, {
                "kind": ASSIGNMENT, "record_id": assignment_key(d.staff), "device_id": None}))
        rng = random.Random("grants")
        grant_rows = []
        for p in places:
            cap = REF.programs[p["program"]].grant_cap_yen
            if cap < 80_000:
                continue
            for year, steps in ((FY - 1, 5), (FY, 3)):
                grant_rows.append({"place_id": p["id"], "fiscal_year": year, "rev": steps,
                                   "feed_key": grant_key(p["id"], year),
                                   "body": json.dumps(grant_body(steps, cap, year), ensure_ascii=False),
                                   "updated_at": NOW, "updated_by": "事務局"})
                for _ in range(steps):
                    feed.append((MONTH + rng.random() * YEAR, {
                        "kind": GRANT, "record_id": grant_key(p["id"], year), "device_id": None}))
        bulk.insert_rows(conn, schema.grants, grant_rows)
        bulk.insert_rows(conn, schema.assignments, [
            {"staff_name": d.staff, "body": json.dumps({"places": sorted(place_ids[:3]),
                                                        "areas": []}, ensure_ascii=False),
             "updated_at": NOW, "updated_by": "事務局"} for d in [tablet, *others]])
        feed.sort(key=lambda item: -item[0])
        bulk.insert_rows(conn, schema.changes, [{**row, "at": ago(days)} for days, row in feed])


def month(hub: Hub, per_device: int) -> None:
    """The month since the tablet's last pull: the other devices' records and the office's
    work on their concerns and staff, with the tablet's changes made in between."""
    place_ids = [p["id"] for p in hub.places]
    rows: list[dict[str, Any]] = []
    feed: list[dict[str, Any]] = []
    for d in hub.others:
        rows += d.records(per_device // 12, place_ids, MONTH, MONTH)
        for c in d.rng.sample(d.concerns, min(len(d.concerns), per_device // 100)):
            feed.append({"kind": OFFICE_PART, "record_id": c, "device_id": d.id})
    rng = random.Random("month")
    rng.shuffle(feed)
    for d in hub.others[:5]:  # a few staff members' assignments change
        feed.append({"kind": ASSIGNMENT, "record_id": assignment_key(d.staff),
                     "device_id": None})
    tablet_work = tablet_changes(hub)
    slices = len(tablet_work) + 1
    with hub.engine.begin() as conn:
        bulk.insert_rows(conn, schema.records, rows)
    for i in range(slices):
        part = feed[i * len(feed) // slices:(i + 1) * len(feed) // slices]
        with hub.engine.begin() as conn:
            bulk.insert_rows(conn, schema.changes, [{**r, "at": NOW} for r in part])
        if i < len(tablet_work):
            with hub.engine.begin() as conn:
                tablet_work[i](conn)


def tablet_changes(hub: Hub) -> list[Any]:
    """What the office changes for the tablet in its month, through the hub's own functions."""
    t = hub.tablet
    work: list[Any] = []
    for c in t.concerns[:TABLET_PARTS]:
        work.append(lambda conn, c=c: set_office_part(
            conn, c, {"status": "watching", "feedback": "来月も様子を見ます"}, "事務局 佐藤"))
    for p in hub.places[:TABLET_PLACES]:
        work.append(lambda conn, p=p: import_places(
            conn, [{**p, "rev": p["rev"] + 1, "venue": f"{p['venue']}（2階）"}], "bench"))
    first = next(p for p in hub.places if REF.programs[p["program"]].grant_cap_yen >= 80_000)
    work.append(lambda conn: grants.record(conn, first["id"], FY, *STEPS[3], "事務局",
                                           based_on=None, today=TODAY))
    work.append(lambda conn: planning.set_assignment(
        conn, TABLET_STAFF, {"places": [p["id"] for p in hub.places[:4]], "areas": []}, "事務局"))
    return work


def feed_seconds(hub: Hub) -> float:
    """The hub's own part of that pull: its feed read over a database connection, no HTTP."""
    began = time.perf_counter()
    cursor = hub.cursor
    while True:
        with hub.engine.begin() as conn:
            page = feed.pull(conn, hub.tablet.id, TABLET_STAFF, cursor)
        cursor = page.cursor
        if not page.more:
            return time.perf_counter() - began


def pull_seconds(hub: Hub) -> tuple[float, int]:
    """The tablet's pull from its month-old cursor to the end, as its sync client asks."""
    with HubClient(hub.url, hub.token) as client:
        began = time.perf_counter()
        cursor, changes = hub.cursor, 0
        while True:
            page = client.pull(cursor)
            changes += len(page.changes)
            cursor = page.cursor
            if not page.more:
                return time.perf_counter() - began, changes


def settle(engine: Engine) -> None:
    """On PostgreSQL, what autovacuum gives a hub after a year: its statistics (the planner
    follows them) and its tables vacuumed, now rather than while the pulls are timed."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def main() -> int:
    p = argparse.ArgumentParser(description="a month-away tablet's pull, big hub against small")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--records", type=int, default=100_000, help="the big hub's year of records")
    p.add_argument("--devices", type=int, default=100)
    p.add_argument("--places", type=int, default=200)
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()
    per_device = args.records // args.devices
    root = Path(tempfile.mkdtemp(prefix="ibasho-pull-"))
    places = make_places(args.places)
    try:
        with ExitStack() as stack:
            store = Store(root / "tablet")
            stack.callback(store.close)
            hubs: dict[str, Hub] = {}
            for name, n_places, n_devices in (("small", HOME_PLACES, 1),
                                              ("big", args.places, args.devices)):
                began = time.perf_counter()
                (root / name).mkdir()
                database = stack.enter_context(database_url(args.db, root / name))
                engine = prepared_engine(database, places=False)
                stack.callback(engine.dispose)
                url = stack.enter_context(serve_process(database, root / name))
                tablet = Device(store.device_id, TABLET_STAFF, random.Random("tablet"))
                others = [Device(f"bench-device-{i:03d}", f"職員{i:03d}", random.Random(i))
                          for i in range(1, n_devices)]
                hub = hubs[name] = Hub(url, engine, places[:n_places], others, tablet)
                load_year(engine, hub.places, tablet, others, per_device)
                settle(engine)
                with engine.begin() as conn:
                    code = devices.create_code(conn, TABLET_STAFF, 1)[0]
                enrol(store, url, code, "tablet")  # the real enrolment and full pull
                with HubClient(url, (store.meta(HUB_META) or {})["token"]) as client:
                    Syncer(store, client).pull_all(Report())
                hub.token = (store.meta(HUB_META) or {})["token"]
                hub.cursor = (store.meta(SYNC_META) or {})["cursor"]
                month(hub, per_device)
                settle(engine)
                print(f"{name} hub: {len(hub.places)} places, {len(others) + 1} devices, "
                      f"loaded in {time.perf_counter() - began:.0f} s")
            big, small = hubs["big"], hubs["small"]
            pull_seconds(big), pull_seconds(small)  # warm: each hub process's first request
            times: dict[str, list[float]] = {"big": [], "small": []}
            counted = {}
            in_process: dict[str, list[float]] = {"big": [], "small": []}
            for run in range(args.runs):
                # each hub first in every other run: neither gains from what the other warmed
                for name in ("small", "big")[::1 if run % 2 else -1]:
                    seconds, counted[name] = pull_seconds(hubs[name])
                    times[name].append(seconds)
                    in_process[name].append(feed_seconds(hubs[name]))
            if counted["big"] != counted["small"]:
                raise SystemExit(f"the hubs sent different changes: {counted}")
            with big.engine.connect() as conn:
                records = conn.execute(text("SELECT COUNT(*) FROM records")).scalar_one()
                feed_rows = conn.execute(text("SELECT COUNT(*) FROM changes")).scalar_one()
        seconds, small_seconds = statistics.median(times["big"]), statistics.median(times["small"])
        feed_big, feed_small = (statistics.median(in_process[n]) for n in ("big", "small"))
        print(f"the feed alone (over a database connection, no HTTP): big hub {feed_big:.4f} s, "
              f"small hub {feed_small:.4f} s, ratio {feed_big / feed_small:.2f}")
        print(f"big hub: {records} records, {feed_rows} rows in the feed; the month-old cursor's "
              f"pull brought {counted['big']} changes (runs: {args.runs}, db: {args.db})")
        print(f"pull: hub_records={records} changed={counted['big']} seconds={seconds:.4f} "
              f"small_hub_seconds={small_seconds:.4f} ratio={seconds / small_seconds:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
