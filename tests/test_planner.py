"""The week's questions answered from a real store (store.planner): my places from the
office's assignment, today's slots, missed ones since the tablet was first used, grant
periods about to close, places not visited for the data's limit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from core.domain.compliance import assess
from core.domain.fiscal import fiscal_year_bounds, fiscal_year_of
from core.domain.gathering import Gathering
from core.domain.place import Place
from field_app.store import Store
from field_app.store.planner import Planner, monday_of
from field_app.store.repository import Repository
from sync.client import ASSIGNMENT_META
from tests.factories import IBASHO, PLACES, REF, SALON, gathering, visit_note, visit_plan

TODAY = dt.date(2026, 12, 1)  # a Tuesday
TUESDAYS = {"rules": [{"freq": "weekly", "weekdays": [1], "start_time": "10:00",
                       "end_time": "12:00"}], "exceptions": [], "closed": []}


def planner(store: Store, since: dt.date = dt.date(2026, 9, 1)) -> Planner:
    places = [dataclasses.replace(p, recurrence=TUESDAYS) if p.id == IBASHO.id else p
              for p in PLACES]
    store.put_reference(places)
    store.set_meta("device", {"id": store.device_id, "since": since.isoformat()})
    return Planner(Repository(store, today=TODAY), REF, TODAY)


def own(store: Store, record):  # type: ignore[no-untyped-def]
    return dataclasses.replace(record, device_id=store.device_id)


def test_my_places_follow_the_assignment_and_default_to_every_place(store: Store) -> None:
    plan = planner(store)
    assert not plan.assigned and len(plan.mine) == len(PLACES)
    store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id], "areas": [SALON.area]})
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert plan.assigned
    assert {p.id for p in plan.mine} == {IBASHO.id} | {p.id for p in PLACES
                                                       if p.area == SALON.area}


def test_today_and_missed_slots(store: Store) -> None:
    plan = planner(store)
    store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id], "areas": []})
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    [slot] = plan.today_slots()
    assert (slot.place_id, slot.expected.start_time, slot.record) == (IBASHO.id, "10:00", None)
    assert [s.expected.date.day for s in plan.missed()] == [24, 17, 10, 3]
    store.save(own(store, gathering(date="2026-11-24", start_time="10:00", end_time="12:00")))
    store.save(own(store, gathering(date=TODAY.isoformat())))
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert plan.today_slots()[0].record is not None
    assert [s.expected.date.day for s in plan.missed()] == [17, 10, 3]


def test_a_new_tablet_owes_nothing_from_before_it_was_used(store: Store) -> None:
    planner(store, since=dt.date(2026, 11, 20))
    store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id], "areas": []})
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert [s.expected.date.day for s in plan.missed()] == [24]


def test_closing_periods_and_places_not_visited(store: Store) -> None:
    planner(store)
    store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id, SALON.id], "areas": []})
    late = dt.date(2027, 1, 25)  # the Dec-Jan period ends in 7 days, with nothing in it
    plan = Planner(Repository(store, today=late), REF, late)
    [closing] = plan.closing()
    assert (closing.place.id, closing.end, closing.days_left) == (IBASHO.id, dt.date(2027, 1, 31),
                                                                  7)
    assert {p.id for p, _ in plan.not_visited()} == {IBASHO.id, SALON.id}
    store.save(own(store, visit_note(date="2027-01-20")))  # a visit to ひだまりカフェ
    plan = Planner(Repository(store, today=late), REF, late)
    assert [p.id for p, _ in plan.not_visited()] == [SALON.id]


def test_the_week_holds_plans_and_meetings(store: Store) -> None:
    planner(store)
    store.save(own(store, visit_plan(date="2026-12-03")))
    store.save(own(store, visit_note(visit_type="group_meeting", date="2026-11-20",
                                     next_meeting_on="2026-12-04")))
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    days = plan.week(monday_of(TODAY))
    assert [len(d.plans) for d in days] == [0, 0, 0, 1, 0, 0, 0]
    assert [len(d.meetings) for d in days] == [0, 0, 0, 0, 1, 0, 0]
    assert any(s.place_id == IBASHO.id for s in days[1].slots)


def test_houses_recorded_monthly_are_bands_in_the_week_and_owed_once_a_month(
        store: Store) -> None:
    """With no assignment every place is mine: the six テンミリオンハウス open Monday to
    Saturday were 36 記録なし cards a week and as many owed on home; they are six bands,
    and each month's report is owed once, after the month."""
    houses = {p.id for p in PLACES if p.program == "tenmillion"}
    store.put_reference(PLACES)  # the sample houses open 月〜土 9:00〜17:00
    store.set_meta("device", {"id": store.device_id, "since": "2026-10-01"})
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert not plan.assigned
    days = plan.week(monday_of(TODAY))
    assert not any(s.place_id in houses for d in days for s in d.slots)
    bands = plan.bands(monday_of(TODAY))
    assert [b.place_id for b in bands if b.place_id in houses] == sorted(houses) \
        and len(bands) == 6
    assert all(len(b.days) == 6 and [m.first for m in b.months] == [dt.date(2026, 11, 1),
                                                                     dt.date(2026, 12, 1)]
               for b in bands)  # the week of Monday 30 November
    assert not any(s.place_id in houses for s in plan.today_slots() + plan.missed())
    owed = plan.reports_owed()
    assert sorted((m.first.month, m.place_id) for m in owed) == sorted(
        (month, h) for month in (10, 11) for h in houses)
    # November's report for one house: that month is owed no more, the band shows it
    from tests.test_monthly import report

    first = sorted(houses)[0]
    november = dataclasses.replace(report("2026-11", days=25, place=first),
                                   device_id=store.device_id)
    store.save(november)
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert (11, first) not in {(m.first.month, m.place_id) for m in plan.reports_owed()}
    assert len(plan.reports_owed()) == 2 * 6 - 1
    band = next(b for b in plan.bands(monday_of(TODAY)) if b.place_id == first)
    assert band.months[0].record == november and band.months[1].record is None
    house = next(p for p in PLACES if p.id == first)
    found = plan.month(house, dt.date(2026, 11, 1))
    assert found is not None and found.record == november and found.opening_days == 25
    assert plan.month(SALON, dt.date(2026, 11, 1)) is None  # recorded session by session
    # the week itself holds no month's report as a gathering of 1 November
    assert not any(november in d.unscheduled for d in plan.week(dt.date(2026, 10, 26)))

def opening(store: Store, **dates: str) -> None:
    """ひだまりカフェ (Tuesdays) with its 開設日 or 閉所日, assigned to this tablet."""
    planner(store)
    store.put_reference([dataclasses.replace(IBASHO, recurrence=TUESDAYS, **dates)])
    store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id], "areas": []})


def test_a_place_not_yet_open_owes_nothing_and_warns_of_no_period(store: Store) -> None:
    opening(store, opened_on="2027-02-01")
    late = dt.date(2027, 1, 25)  # Dec–Jan ends in 7 days, before the place has opened
    plan = Planner(Repository(store, today=late), REF, late)
    assert plan.closing() == [] and plan.missed() == [] and plan.today_slots() == []
    assert not any(d.slots for d in plan.week(monday_of(late)))
    first_week = plan.week(dt.date(2027, 2, 1))
    assert [len(d.slots) for d in first_week] == [0, 1, 0, 0, 0, 0, 0]


def test_a_closed_place_owes_nothing_after_its_last_day(store: Store) -> None:
    opening(store, closed_on="2026-11-15")
    plan = Planner(Repository(store, today=TODAY), REF, TODAY)
    assert plan.today_slots() == []
    assert [s.expected.date.day for s in plan.missed()] == [10, 3]  # not 17 or 24
    assert not any(d.slots for d in plan.week(monday_of(TODAY)))
    late = dt.date(2027, 1, 25)  # the Dec–Jan period is after it closed: no warning
    plan = Planner(Repository(store, today=late), REF, late)
    assert plan.closing() == [] and plan.not_visited() == []  # no visit is owed either


def every_period_assessed(plan: Planner, today: dt.date) -> list[tuple[str, dt.date, int]]:
    """What `closing` answered when it read the whole year's gatherings and assessed each
    place's year whole: the answer it must still give."""
    year = fiscal_year_of(today)
    first, last = fiscal_year_bounds(year)
    week = dt.timedelta(days=7)
    by_place: dict[str, list[Gathering]] = {}
    for g in plan.records.gatherings_between(first - week, last + week):
        by_place.setdefault(g.place_id, []).append(g)
    out = []
    for place in plan.mine:
        program = REF.programs.get(place.program)
        if program is None:
            continue
        result = assess(program, by_place.get(place.id, []), year, today,
                        open_span=place.open_span)
        out += [(place.id, w.span.end, w.days_left) for w in result.warnings[:1]
                if w.code == "period_ending" and w.span is not None and w.days_left]
    return sorted(out, key=lambda c: (c[2], c[0]))


def test_closing_reads_only_the_periods_that_end_and_answers_as_the_whole_year_did(
        store: Store) -> None:
    """Each day of a fiscal year (and a week either side), at places of every program (a
    week's, two months', a month's, none), some opened or closed within the year: the
    periods ending soon, found from the dates alone, give what the whole year gave."""
    rng = random.Random(28)
    by_program: dict[str, list[Place]] = {}
    for p in PLACES:
        if p.program != "tenmillion":  # a monthly report, and no period conditions
            by_program.setdefault(p.program, []).append(p)
    chosen = [p for places in by_program.values() for p in places[:3]]
    chosen[1] = dataclasses.replace(chosen[1], opened_on="2026-08-20")
    chosen[4] = dataclasses.replace(chosen[4], closed_on="2026-11-12")
    chosen[7] = dataclasses.replace(chosen[7], opened_on="2026-05-03", closed_on="2027-02-14")
    assert len(chosen) == 9
    store.put_reference(chosen)
    start = dt.date(2026, 3, 20)
    for _ in range(160):
        place = rng.choice(chosen)
        day = start + dt.timedelta(days=rng.randrange(395))
        categories = [c.key for c in REF.programs[place.program].participant_categories]
        held = {"attendance": {c: rng.randrange(6) for c in categories}, "first_time": 0} \
            if rng.random() > 0.1 \
            else {"held": False, "not_held_reason": "weather", "attendance": {},
                  "first_time": 0, "helpers": 0, "activities": []}
        store.save(own(store, gathering(place_id=place.id, date=day.isoformat(), **held)))
    answered = 0
    for offset in range(395):
        today = start + dt.timedelta(days=offset)
        plan = Planner(Repository(store, today=today), REF, today)
        got = [(c.place.id, c.end, c.days_left) for c in plan.closing()]
        assert sorted(got, key=lambda c: (c[2], c[0])) == every_period_assessed(plan, today), today
        answered += bool(got)
    assert answered > 50  # periods were ending on many of those days, not on none
