"""What the screens ask of the store, as typed questions with domain answers.

Each question is a lookup in the store's indexes (by day, follow-up day, place or state:
field_app.store.index), or for the rare ones a TinyDB query on its tables; the answer is
records of the domain, never raw documents, so a screen renders and does not filter. New
questions belong here, not in a view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tinydb import Query

from core.domain import clock
from core.domain.concern import Concern, OfficePart
from core.domain.gathering import Gathering
from core.domain.kinds import FIELD_KINDS, restore
from core.domain.place import Place
from core.domain.record import Record
from core.domain.startup import StartUp
from core.domain.text import matches
from core.domain.visit_note import VisitNote
from core.domain.visit_plan import VisitPlan
from field_app.store.archive import ARCHIVED
from field_app.store.index import Index, counted, latest_per_place, place_span
from field_app.store.store import Quarantined, Store

Q = Query()
R = TypeVar("R", bound=Record)
RECENT_DAYS = 90  # places with a gathering in the last three months are "recent"
DAY_FIELDS = {"gathering": "date", "visit_note": "date", "concern": "observed_on"}
ASSIGNMENT = "assignment"  # the meta entry sync keeps the office's assignment in


@dataclass(frozen=True)
class ConcernStub:
    """A closed, synced concern reduced by retention (DESIGN §8): what is left of it."""

    id: str
    observed_on: str
    categories: tuple[str, ...]
    place_id: str
    office: OfficePart


@dataclass(frozen=True)
class Draft:
    """What a form holds that is not a saved record yet (incomplete, or refused by a full
    disk): enough to list it and open its form again."""

    id: str
    kind: str
    place_id: str
    group_name: str
    day: str
    unsaved: bool  # the disk refused it: held in memory only
    record_kind: str = ""  # a photo's: the record it belongs to, whose form shows it
    record_id: str = ""


URGENCY_ORDER = {"emergency": 0, "high": 1, "medium": 2, "watch": 3}


def _urgency_then_id(doc: Mapping[str, Any]) -> tuple[int, str]:
    """A stub keeps no urgency: after every urgency, as one with none."""
    urgency = None if doc.get("stub") else doc.get("urgency")
    return URGENCY_ORDER.get(urgency, 9) if type(urgency) is str else 9, str(doc.get("id", ""))


def _concern(doc: dict[str, Any]) -> Concern | ConcernStub:
    if doc.get("stub"):
        office = {k: v for k, v in (doc.get("office") or {}).items() if v is not None}
        return ConcernStub(str(doc["id"]), str(doc.get("observed_on", "")),
                           tuple(doc.get("categories") or ()), str(doc.get("place_id", "")),
                           OfficePart(**office))
    record = restore(doc)
    assert isinstance(record, Concern)
    return record


class Repository:
    """The store's records as the screens see them."""

    def __init__(self, store: Store, today: dt.date | None = None) -> None:
        self.store = store
        self.today = today or clock.today()

    # places --------------------------------------------------------------------------

    def place(self, place_id: str | None) -> Place | None:
        doc = self.store.get("place", place_id) if place_id else None
        place = restore(doc) if doc is not None else None
        return place if isinstance(place, Place) else None

    def places(self, text: str = "", program: str | None = None) -> list[Place]:
        """Active places whose name, kana, area or group match `text` (width- and
        kana-folded), in kana order."""
        found = [p for p in self._indexed("place", "active", Place, None, None)
                 if (program is None or p.program == program)
                 and matches(text, p.name, p.kana, p.area, p.group_name)]
        return sorted(found, key=lambda p: (p.kana or p.name, p.id))

    def place_of_startup(self, startup_id: str) -> Place | None:
        """The place the office opened from a start-up, once it has arrived."""
        found = self._records("place", Q.startup_id == startup_id, Place)
        return found[0] if found else None

    # assignment: which places are "mine" ---------------------------------------------

    def assignment(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """(places, areas) the office assigned to this device's staff member; None when
        the office has assigned none."""
        doc = self.store.meta(ASSIGNMENT)
        if not doc or not (doc.get("places") or doc.get("areas")):
            return None
        return frozenset(doc.get("places") or ()), frozenset(doc.get("areas") or ())

    def my_place_ids(self) -> set[str]:
        return {p.id for p in self.my_places()}

    def my_places(self) -> list[Place]:
        """The places this staff member looks after; every active place when the office
        has assigned none (staff can still record at any place)."""
        given = self.assignment()
        every = self.places()
        if given is None:
            return every
        places, areas = given
        return [p for p in every if p.id in places or p.area in areas]

    def in_use_since(self) -> dt.date | None:
        """The first day this tablet was used (None for a store from before that was kept)."""
        since = (self.store.meta("device") or {}).get("since")
        return dt.date.fromisoformat(since) if isinstance(since, str) and since else None

    def grant_status(self, place_id: str, fiscal_year: int) -> dict[str, Any] | None:
        """The office's grant status of a place for a year, as last pulled (read-only)."""
        found = self.store.find("grant", (Q.place_id == place_id)
                                & (Q.fiscal_year == fiscal_year))
        return found[0] if found else None

    def has_sample_places(self) -> bool:
        return bool(self.store.find("place", Q.sample == True))  # noqa: E712

    # what staff look at first --------------------------------------------------------

    def follow_ups_due(self, until: dt.date) -> list[Concern | VisitNote]:
        """Concerns (not closed) and visit notes with a follow-up on or before `until`,
        soonest first."""
        day = until.isoformat()
        found: list[Concern | VisitNote] = self._indexed("concern", "follow_up", Concern,
                                                         None, day)
        found += self._indexed("visit_note", "follow_up", VisitNote, None, day)
        return sorted(found, key=lambda r: str(r.follow_up_on))

    def on_day(self, day: dt.date) -> list[Record]:
        """Gatherings, visit notes and concerns of one day."""
        iso = day.isoformat()
        found: list[Record] = []
        for kind in DAY_FIELDS:
            found += self.store.lookup(kind, "day", iso, iso)
        return found

    def recent_places(self, limit: int) -> list[tuple[str, dt.date]]:
        """Places with a gathering in the last RECENT_DAYS, with the latest date, latest
        first."""
        start = (self.today - dt.timedelta(days=RECENT_DAYS)).isoformat()
        latest = self.store.indexed("gathering", "place_day", latest_per_place)
        ordered = sorted(((pid, day) for pid, day in latest.items() if day >= start),
                         key=lambda item: item[1], reverse=True)[:limit]
        return [(pid, dt.date.fromisoformat(day)) for pid, day in ordered]

    def gatherings_of(self, place_id: str, start: dt.date | None = None,
                      end: dt.date | None = None, limit: int | None = None) -> list[Gathering]:
        """A place's gatherings in [start, end] (either open), latest first; the latest
        `limit` of them if given."""
        low, high = place_span(place_id, start.isoformat() if start else None,
                               end.isoformat() if end else None)
        found = [g for g in self.store.lookup("gathering", "place_day", low, high, latest=limit)
                 if isinstance(g, Gathering)]
        if limit is None or len(found) < limit:  # older ones may be in the archives
            found += self._archived("gathering", Gathering, start, end, place=place_id,
                                    limit=None if limit is None else limit - len(found))
        found.sort(key=lambda g: (g.date, g.start_time), reverse=True)
        return found if limit is None else found[:limit]

    def gatherings_between(self, start: dt.date, end: dt.date) -> list[Gathering]:
        return (self._indexed("gathering", "day", Gathering, start.isoformat(), end.isoformat())
                + self._archived("gathering", Gathering, start, end))

    def month_reports(self, start: dt.date, end: dt.date, place_id: str | None = None
                      ) -> list[Gathering]:
        """The months' reports (gathering.MONTH) dated in [start, end], of one place or all."""
        found = self._indexed("gathering", "month", Gathering, start.isoformat(), end.isoformat())
        return [g for g in found if place_id is None or g.place_id == place_id]

    def last_visits(self, since: dt.date) -> dict[str, dt.date]:
        """Per place, the latest day staff were there since `since`: a gathering they
        visited, or a visit note about the place."""
        start = since.isoformat()
        latest: dict[str, str] = {}
        archived = (self.store.meta(ARCHIVED) or {}).get("visits") or {}
        for found in (self.store.indexed("gathering", "visited", latest_per_place),
                      self.store.indexed("visit_note", "place_day", latest_per_place), archived,
                      self.store.waiting_visits()):
            for pid, day in found.items():
                if day >= start and day > latest.get(pid, ""):
                    latest[pid] = day
        return {pid: dt.date.fromisoformat(day) for pid, day in latest.items()}

    # plans, start-ups, meetings ------------------------------------------------------

    def plans_between(self, start: dt.date, end: dt.date) -> list[VisitPlan]:
        """Plans (open, done or cancelled) dated in [start, end], by date."""
        found = self._indexed("visit_plan", "day", VisitPlan, start.isoformat(), end.isoformat())
        return sorted(found, key=lambda p: (p.date, p.start_time or ""))

    def plan(self, plan_id: str) -> VisitPlan | None:
        doc = self.store.get("visit_plan", plan_id)
        plan = restore(doc) if doc is not None else None
        return plan if isinstance(plan, VisitPlan) else None

    def startups(self) -> list[StartUp]:
        """Every start-up this device recorded, the most recently changed first."""
        return sorted(self._records("startup", Q.kind == "startup", StartUp),
                      key=lambda s: s.updated_at, reverse=True)

    def startup(self, startup_id: str | None) -> StartUp | None:
        doc = self.store.get("startup", startup_id) if startup_id else None
        found = restore(doc) if doc is not None else None
        return found if isinstance(found, StartUp) else None

    def notes_between(self, start: dt.date, end: dt.date) -> list[VisitNote]:
        """Visit notes dated in the span, or naming a next meeting in it."""
        first, last = start.isoformat(), end.isoformat()
        found = {n.id: n for n in self._indexed("visit_note", "day", VisitNote, first, last)}
        found.update((n.id, n) for n in self._indexed("visit_note", "meeting", VisitNote,
                                                        first, last))
        found.update((n.id, n) for n in self._archived("visit_note", VisitNote, start, end,
                                                         days=("date", "next_meeting_on")))
        return list(found.values())

    def notes_of_startup(self, startup_id: str) -> list[VisitNote]:
        found = self._records("visit_note", Q.startup_id == startup_id, VisitNote)
        return sorted(found, key=lambda n: n.date, reverse=True)

    # concerns ------------------------------------------------------------------------

    def concerns(self, cond: Any = None) -> list[Concern | ConcernStub]:
        docs = self.store.find("concern", cond) if cond is not None else self.store.all("concern")
        return [_concern(d) for d in docs]

    def concerns_listed(self, start: int, count: int) -> tuple[list[Concern | ConcernStub], int]:
        """`count` concerns from the `start`th in the follow-ups screen's order (follow-up
        day, none last; then urgency, then id), and how many there are: a page found by
        an index, not every concern restored and sorted (0.09 s a visit at 100k records)."""
        def page(index: Index, docs: Mapping[str, dict[str, Any]]
                 ) -> tuple[list[dict[str, Any]], int]:
            out: list[dict[str, Any]] = []
            skipped = 0
            for value in index.between():
                keys = index.keys[value]
                if skipped + len(keys) <= start:
                    skipped += len(keys)
                    continue
                group = sorted((docs[k] for k in keys), key=_urgency_then_id)
                out += group[max(0, start - skipped):]
                skipped = start
                if len(out) >= count:
                    break
            return [dict(d) for d in out[:count]], len(docs)

        docs, total = self.store.indexed("concern", "listed", page)
        return [_concern(d) for d in docs], total

    def concern(self, concern_id: str) -> Concern | ConcernStub | None:
        doc = self.store.get("concern", concern_id)
        return _concern(doc) if doc is not None else None

    # what waits ----------------------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[Record]:
        return [restore(d) for d in self.store.pending(limit)]

    def pending_ids(self) -> set[str]:
        return set(self.store.outbox_ids())

    def pending_count(self, kind: str | None = None) -> int:
        if kind is None:
            return self.store.pending_count()
        return self.store.indexed("outbox", "kind", counted(kind))

    def quarantined(self) -> list[Quarantined]:
        return self.store.quarantined()

    def drafts(self, kind: str | None = None) -> list[Draft]:
        """Drafts of field records (of `kind`), newest first."""
        return [Draft(str(d["id"]), str(d["kind"]), str(d.get("place_id") or ""),
                      str(d.get("group_name") or ""),
                      str(d.get("date") or d.get("observed_on") or ""),
                      self.store.is_unsaved(str(d["id"])), str(d.get("record_kind") or ""),
                      str(d.get("record_id") or ""))
                for d in self.store.drafts() if d.get("kind") in FIELD_KINDS
                and (kind is None or d.get("kind") == kind)]

    # ---------------------------------------------------------------------------------

    def _indexed(self, kind: str, index: str, cls: type[R], low: str | None,
                 high: str | None) -> list[R]:
        return [r for r in self.store.lookup(kind, index, low, high) if isinstance(r, cls)]

    def _archived(self, kind: str, cls: type[R], start: dt.date | None, end: dt.date | None,
                  **only: Any) -> list[R]:
        """What the yearly archives hold of the span (nothing read for days the store has
        whole: Store.archived_between)."""
        docs = self.store.archived_between(kind, start.isoformat() if start else "",
                                           end.isoformat() if end else "9999", **only)
        return [r for r in map(restore, docs) if isinstance(r, cls)]

    def _records(self, kind: str, cond: Any, cls: type[R]) -> list[R]:
        found = [restore(d) for d in self.store.find(kind, cond)]
        return [r for r in found if isinstance(r, cls)]
