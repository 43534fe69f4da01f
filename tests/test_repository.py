"""The screens' questions, on a real store: typed answers, and the right ones."""

from __future__ import annotations

import dataclasses
import datetime as dt

from core.domain.concern import Concern
from core.domain.gathering import Gathering
from core.domain.retention import Policy
from core.domain.visit_note import VisitNote
from field_app.store import Store
from field_app.store.repository import ConcernStub, Repository
from tests.factories import IBASHO, SALON, concern, gathering, visit_note

CLOSED = {"status": "closed", "destination": "houkatsu", "referred_on": "2026-05-01",
          "method": "", "feedback": "", "closed_on": "2026-05-20",
          "updated_at": "2026-05-20T00:00:00.000Z", "updated_by": "事務局"}


def test_follow_ups_due_are_open_concerns_and_notes_soonest_first(store: Store) -> None:
    late = concern(follow_up_on="2026-06-30")
    soon = concern(follow_up_on="2026-06-12")
    closed = concern(follow_up_on="2026-06-11")
    none = concern(follow_up_on=None)
    note = visit_note(follow_up_on="2026-06-15")
    for r in (late, soon, closed, none, note, visit_note(follow_up_on=None)):
        store.save(r)
    store.set_office_parts({closed.id: CLOSED})
    due = Repository(store).follow_ups_due(dt.date(2026, 6, 20))
    assert [r.id for r in due] == [soon.id, note.id]
    assert isinstance(due[0], Concern) and isinstance(due[1], VisitNote)
    later = Repository(store).follow_ups_due(dt.date(2026, 7, 1))
    assert [r.id for r in later] == [soon.id, note.id, late.id]


def test_one_day_and_one_places_span(store: Store) -> None:
    day = dt.date(2026, 6, 10)
    here = [gathering(date="2026-06-10"), gathering(date="2026-05-01"),
            gathering(date="2026-07-01")]
    there = gathering(place_id=SALON.id, date="2026-06-10", attendance={"senior": 5})
    for r in (*here, there, visit_note(date="2026-06-10"), concern(observed_on="2026-06-10"),
              concern(observed_on="2026-06-11")):
        store.save(r)
    records = Repository(store, today=dt.date(2026, 7, 1))
    assert sorted(r.kind for r in records.on_day(day)) == [
        "concern", "gathering", "gathering", "visit_note"]
    span = records.gatherings_of(IBASHO.id, dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    assert [g.date for g in span] == ["2026-06-10", "2026-05-01"]  # latest first, ends in
    assert all(isinstance(g, Gathering) for g in span)
    assert len(records.gatherings_of(IBASHO.id)) == 3
    assert records.recent_places(8) == [
        (IBASHO.id, dt.date(2026, 7, 1)), (SALON.id, day)]


def test_what_waits_and_what_was_cut_to_a_stub(store: Store) -> None:
    c = concern(follow_up_on=None)
    store.save(c)
    store.save(gathering())
    records = Repository(store)
    assert records.pending_count() == 2 and records.pending_count("concern") == 1
    assert records.pending_ids() == {c.id, *(r.id for r in records.pending() if r.kind != "concern")}
    store.acknowledge([(c.id, c.rev)])
    store.set_office_parts({c.id: CLOSED})
    stubbed, _ = store.apply_retention(dt.date(2027, 1, 1), Policy(concern_stub_days=30))
    assert stubbed == 1
    [stub] = records.concerns()
    assert isinstance(stub, ConcernStub) and stub.office.status == "closed"
    assert stub.categories == c.categories


def test_drafts_are_listed_with_where_and_when(store: Store) -> None:
    draft = dataclasses.replace(concern(), categories=()).to_dict()
    store.put_draft(draft).result()
    [found] = Repository(store).drafts()
    assert (found.id, found.kind, found.place_id, found.day, found.unsaved) == (
        draft["id"], "concern", IBASHO.id, "2026-06-10", False)
