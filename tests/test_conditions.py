"""The condition engine (domain.conditions): each kind of condition, the four programs of
the seed, three other councils' rules loaded from data files, fiscal-year and week
boundaries, おおむね tolerances, and versions by fiscal year."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.compliance import assess
from core.domain.conditions import (
    FUTURE,
    MET,
    MISSED,
    OPEN,
    Qualifies,
    parse_versions,
    versions_to_json,
)
from core.domain.errors import ValidationError
from core.domain.gathering import Facts, Gathering
from core.domain.reference import Program
from tests.factories import REF, SALON, gathering

D = dt.date
COUNCILS = Path(__file__).parent / "fixtures" / "councils"
ACTIVITIES = REF.keys("activities")
IBASHO_ID = gathering().place_id


def g(day: str, start: str = "10:00", end: str = "12:00", people: int = 6,
      activities: tuple[str, ...] = ("talk",), held: bool = True) -> Gathering:
    if not held:
        return gathering(date=day, start_time=start, end_time=end, held=False,
                         not_held_reason="weather", attendance={}, first_time=0, helpers=0,
                         activities=[], note="")
    return gathering(date=day, start_time=start, end_time=end,
                     attendance={"adult": people}, first_time=0, activities=list(activities))


def program(conditions: list[dict[str, Any]], base: str = "ibasho") -> Program:
    return dataclasses.replace(REF.programs[base],
                               conditions=parse_versions(conditions, ACTIVITIES))


def one(period: dict[str, Any] | None = None, year: dict[str, Any] | None = None,
        from_fy: int = 2024) -> Program:
    label = {"ja": "条件", "en": "condition"}
    return program([{"from_fiscal_year": from_fy,
                     "periods": [{"key": "p", "label": label, **period}] if period else [],
                     "year": [{"key": "y", "label": label, **year}] if year else []}])


# what qualifies ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "gathering_", "counts"), [
    (Qualifies(min_minutes=120), g("2026-05-01", "10:00", "12:00"), True),
    (Qualifies(min_minutes=120), g("2026-05-01", "10:00", "11:59"), False),
    (Qualifies(min_participants=6), g("2026-05-01", people=6), True),
    (Qualifies(min_participants=7), g("2026-05-01", people=6), False),
    (Qualifies(activities_all=("exercise", "talk")), g("2026-05-01", activities=("talk",)), False),
    (Qualifies(activities_all=("exercise", "talk")),
     g("2026-05-01", activities=("exercise", "talk", "meal")), True),
    (Qualifies(activities_any=("music", "exercise")), g("2026-05-01", activities=("music",)),
     True),
    (Qualifies(activities_any=("music", "exercise")), g("2026-05-01"), False),
    (Qualifies(window=("09:00", "17:00")), g("2026-05-01", "09:00", "17:00"), True),
    (Qualifies(window=("09:00", "17:00")), g("2026-05-01", "09:30", "17:00"), False),
    (Qualifies(window=("09:00", "17:00")), g("2026-05-01", "08:30", "16:30"), False),
    (Qualifies(), g("2026-05-01", held=False), False),  # not held never counts
])
def test_what_qualifies(rule: Qualifies, gathering_: Gathering, counts: bool) -> None:
    assert rule(gathering_) is counts


# each period -----------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "spans"), [
    ({"period": "week"}, 52), ({"period": "month"}, 12), ({"period": "months", "months": 3}, 4),
    ({"period": "half"}, 2), ({"period": "fiscal_year"}, 1)])
def test_each_period_kind_cuts_the_year(period: dict[str, Any], spans: int) -> None:
    result = assess(one(period={**period, "count": 1}), [], 2026, D(2026, 3, 1), open_span=None)
    [condition] = result.conditions
    assert len(condition.periods) == spans and condition.state == FUTURE
    assert condition.periods[0].span.start.month == 4


def test_a_count_of_two_per_month_says_what_is_still_needed_and_by_when() -> None:
    p = one(period={"period": "month", "count": 2})
    result = assess(p, [g("2026-04-03"), g("2026-04-20"), g("2026-05-08")], 2026,
                    D(2026, 5, 10), open_span=None)
    [c] = result.conditions
    assert [x.state for x in c.periods[:3]] == [MET, OPEN, FUTURE]
    assert (c.state, c.needed, c.by) == (OPEN, 1, D(2026, 5, 31))


def test_about_monthly_tolerates_the_allowed_misses() -> None:
    p = one(period={"period": "month", "count": 1, "allowed_misses": 1})
    year = [g(f"{2026 + (m < 4)}-{m:02d}-10") for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    one_missing = [x for x in year if x.date[5:7] != "08"]
    assert assess(p, one_missing, 2026, D(2027, 4, 10), open_span=None).conditions[0].state == MET
    two_missing = [x for x in one_missing if x.date[5:7] != "09"]
    assert assess(p, two_missing, 2026, D(2027, 4, 10), open_span=None).conditions[0].state == MISSED
    # during the year, one miss is no failure yet
    so_far = [x for x in one_missing if x.date <= "2026-09-15"]
    assert assess(p, so_far, 2026, D(2026, 9, 15), open_span=None).conditions[0].state == OPEN


def test_a_week_spanning_31_march_belongs_to_the_year_its_monday_is_in() -> None:
    p = one(period={"period": "week", "count": 1})
    # FY2026's last week: Monday 2027-03-29 .. Sunday 2027-04-04
    late = g("2027-04-02")
    [c] = assess(p, [late], 2026, D(2027, 4, 10), open_span=None).conditions
    assert c.periods[-1].span.start == D(2027, 3, 29) and c.periods[-1].state == MET
    [next_year] = assess(p, [late], 2027, D(2027, 4, 10), open_span=None).conditions
    assert next_year.periods[0].span.start == D(2027, 4, 5)  # FY2027 starts its weeks later
    assert all(late.id not in x.qualifying for x in next_year.periods)


def test_fiscal_year_boundaries_for_a_year_figure() -> None:
    p = one(year={"measure": "gatherings", "minimum": 2})
    around = [g("2026-03-31"), g("2026-04-01"), g("2027-03-31"), g("2027-04-01")]
    [c] = assess(p, around, 2026, D(2027, 5, 1), open_span=None).conditions
    assert (c.value, c.state) == (2.0, MET)  # only 04-01 and 03-31 of FY2026


# year conditions ---------------------------------------------------------------------------

def test_number_of_gatherings_is_met_as_soon_as_it_is_reached() -> None:
    p = one(year={"measure": "gatherings", "minimum": 3})
    so_far = [g("2026-04-10"), g("2026-05-10")]
    [c] = assess(p, so_far, 2026, D(2026, 6, 1), open_span=None).conditions
    assert (c.state, c.needed, c.by) == (OPEN, 1.0, D(2027, 3, 31))
    [c] = assess(p, [*so_far, g("2026-05-20")], 2026, D(2026, 6, 1), open_span=None).conditions
    assert c.state == MET
    [c] = assess(p, so_far, 2026, D(2027, 4, 1), open_span=None).conditions
    assert c.state == MISSED


def test_average_participants_with_a_tolerance_and_not_held_left_out() -> None:
    p = one(year={"measure": "average_participants", "minimum": 5, "tolerance": 0.5})
    meetings = [g("2026-04-10", people=4), g("2026-05-10", people=5), g("2026-06-10", held=False)]
    [c] = assess(p, meetings, 2026, D(2027, 4, 1), open_span=None).conditions
    assert (c.value, c.state) == (4.5, MET)  # about five: 4.5 is accepted
    [c] = assess(p, meetings[:1], 2026, D(2027, 4, 1), open_span=None).conditions
    assert (c.value, c.state) == (4.0, MISSED)


def test_opening_days_per_week_counts_days_open_in_the_window() -> None:
    p = one(year={"measure": "opening_days_per_week", "minimum": 6, "tolerance": 0.5,
                  "qualifies": {"window": {"from": "09:00", "to": "17:00"}}})
    start = D(2026, 4, 6)  # a Monday; six days a week, four weeks
    days = [start + dt.timedelta(days=w * 7 + d) for w in range(4) for d in range(6)]
    open_days = [g(x.isoformat(), "09:00", "17:00") for x in days]
    [c] = assess(p, open_days, 2026, D(2026, 5, 3), open_span=None).conditions
    # 24 days open over the 33 days (4.7 weeks) of the year gone by on 3 May
    assert c.value == pytest.approx(24 / (33 / 7)) and c.state == OPEN
    short = [g(x.isoformat(), "10:00", "16:00") for x in days]  # not open the whole window
    [c] = assess(p, short, 2026, D(2026, 5, 3), open_span=None).conditions
    assert c.value == 0.0


# the seed's four programs ----------------------------------------------------------------

def test_the_seed_programs() -> None:
    today = D(2027, 4, 10)  # FY2026 is over
    ibasho = assess(REF.programs["ibasho"], [g(f"{2026 + (m < 4)}-{m:02d}-05")
                                             for m in (4, 6, 8, 10, 12, 2)], 2026, today, open_span=None)
    assert ibasho.state == MET and ibasho.met == 6
    salon_weeks = [gathering(place_id=SALON.id, date=(D(2026, 4, 6) + dt.timedelta(weeks=w))
                             .isoformat(), start_time="10:00", end_time="12:00",
                             attendance={"senior": 8}, first_time=0, activities=["exercise"])
                   for w in range(52)]
    salon = assess(REF.programs["ikiiki_salon"], salon_weeks, 2026, today, open_span=None)
    assert salon.state == MET and [c.state for c in salon.conditions] == [MET, MET]
    assert assess(REF.programs["ikiiki_salon"], salon_weeks[:-1], 2026, today, open_span=None).state == MISSED
    ten = assess(REF.programs["tenmillion"], [], 2026, today, open_span=None)
    assert ten.state == MISSED and ten.conditions[0].key == "open_days"
    monthly = [g(f"{2026 + (m < 4)}-{m:02d}-05") for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2)]
    assert assess(REF.programs["chiiki_shakyo"], monthly, 2026, today,  # おおむね
                  open_span=None).state == MET


# other councils, from data files ----------------------------------------------------------

def council(name: str) -> Program:
    data = json.loads((COUNCILS / f"{name}.json").read_text(encoding="utf-8"))
    return program(data["conditions"])


def test_a_council_with_monthly_90_minutes_and_an_instructor_twice_a_year() -> None:
    p = council("monthly_with_instructor")
    months = [(2026 + (m < 4), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    plain = [g(f"{y}-{m:02d}-12", "13:00", "14:30") for y, m in months]
    result = assess(p, plain, 2026, D(2027, 4, 10), open_span=None)
    monthly, instructor = result.conditions
    assert monthly.state == MET and instructor.state == MISSED
    taught = [*plain, g("2026-07-01", "10:00", "11:00", activities=("outside_instructor",)),
              g("2027-01-15", "10:00", "11:00", activities=("outside_instructor",))]
    assert assess(p, taught, 2026, D(2027, 4, 10), open_span=None).state == MET
    too_short = [g(f"{y}-{m:02d}-12", "13:00", "14:29") for y, m in months]
    assert assess(p, too_short, 2026, D(2027, 4, 10), open_span=None).conditions[0].state == MISSED


def test_a_council_asking_ten_sessions_a_year() -> None:
    p = council("ten_sessions")
    nine = [g(f"2026-{m:02d}-10") for m in range(4, 13)]
    assert assess(p, nine, 2026, D(2027, 4, 10), open_span=None).state == MISSED
    assert assess(p, [*nine, g("2027-01-10")], 2026, D(2027, 4, 10), open_span=None).state == MET


def test_a_council_asking_five_people_on_average() -> None:
    p = council("five_on_average")
    fours = [g("2026-05-01", people=4), g("2026-06-01", people=5)]  # 4.5: about five
    assert assess(p, fours, 2026, D(2027, 4, 10), open_span=None).state == MET
    short = [g("2026-05-01", "10:00", "11:00", people=20), g("2026-06-01", people=4)]
    # the one-hour gathering does not count: the average is 4
    assert assess(p, short, 2026, D(2027, 4, 10), open_span=None).state == MISSED


# versions by fiscal year --------------------------------------------------------------------

def test_a_past_year_is_assessed_with_its_own_conditions() -> None:
    label = {"ja": "条件", "en": "condition"}
    p = program([
        {"from_fiscal_year": 2024, "periods": [{"key": "m", "label": label, "period": "month",
                                                "count": 1, "qualifies": {"min_minutes": 120}}]},
        {"from_fiscal_year": 2026, "periods": [{"key": "m", "label": label, "period": "month",
                                                "count": 1, "qualifies": {"min_minutes": 90}}]},
    ])
    short = [g("2025-04-10", "10:00", "11:30"), g("2026-04-10", "10:00", "11:30")]
    assert assess(p, short, 2025, D(2027, 1, 1), open_span=None).conditions[0].periods[0].state == MISSED
    assert assess(p, short, 2026, D(2027, 1, 1), open_span=None).conditions[0].periods[0].state == MET
    assert not assess(p, short, 2023, D(2027, 1, 1), open_span=None).assessed  # none in force yet


def test_condition_data_is_checked_every_problem_by_its_path() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_versions([
            {"from_fiscal_year": 2026, "periods": [
                {"key": "x", "label": {"ja": "a"}, "period": "fortnight"},
                {"key": "y", "label": {}, "period": "months", "months": 5, "count": 0,
                 "qualifies": {"activities_all": ["karaoke"],
                               "window": {"from": "17:00", "to": "09:00"}}}],
             "year": [{"key": "z", "label": {"ja": "b"}, "measure": "smiles", "minimum": -1}]},
            {"from_fiscal_year": 2026}], ACTIVITIES)
    fields = {p.field for p in caught.value.problems}
    assert {"conditions[0].periods[0].period", "conditions[0].periods[1].label",
            "conditions[0].periods[1].months", "conditions[0].periods[1].count",
            "conditions[0].periods[1].qualifies.activities_all",
            "conditions[0].periods[1].qualifies.window", "conditions[0].year[0].measure",
            "conditions[0].year[0].minimum", "conditions[1].from_fiscal_year"} <= fields


def test_the_shipped_conditions_round_trip() -> None:
    for p in REF.programs.values():
        assert parse_versions(versions_to_json(p.conditions), ACTIVITIES) == p.conditions


_TIMES = st.sampled_from(["09:00", "10:00", "10:30", "13:00", "15:00", "16:30"])
_ACTS = st.lists(st.sampled_from(["talk", "meal", "exercise", "games"]), unique=True, max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.builds(Qualifies, min_minutes=st.integers(-5, 200), activities_all=_ACTS.map(tuple),
                 activities_any=_ACTS.map(tuple), min_participants=st.integers(-1, 20),
                 window=st.none() | st.tuples(_TIMES, _TIMES)),
       st.lists(st.builds(Facts, id=st.uuids().map(str), date=st.just("2026-05-01"),
                          start_time=_TIMES, end_time=_TIMES, held=st.booleans(),
                          activities=_ACTS.map(tuple), participants=st.integers(0, 30),
                          minutes=st.integers(-60, 300), day=st.just(dt.date(2026, 5, 1))),
                max_size=20))
def test_the_gatherings_that_count_are_those_each_call_accepts(q: Qualifies,
                                                               gs: list[Facts]) -> None:
    assert q.among(gs) == [g for g in gs if q(g)]
