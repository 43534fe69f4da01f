"""A place counts only while it is open (DESIGN §4, third plan): no period before its 開設日
or after its 閉所日 is met or missed; a period it was open for part of counts as its
condition's data says (`partial`: pro_rata or exempt); year figures are over the days it
was open; its schedule owes nothing outside them; and the office's dates are checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.compliance import AFTER, BEFORE, EXEMPT, FUTURE, MET, MISSED, OPEN, assess
from core.domain.conditions import parse_versions, versions_to_json
from core.domain.errors import ValidationError
from core.domain.fiscal import Span
from core.domain.place import open_span_of, parse_place
from core.domain.week import expected_at, missed
from tests.factories import IBASHO, REF, SALON, gathering
from tests.test_conditions import g, one

D = dt.date
IBASHO_PROGRAM = REF.programs["ibasho"]
SALON_PROGRAM = REF.programs["ikiiki_salon"]


def since(day: dt.date, until: dt.date | None = None) -> Span:
    return Span(day, until or dt.date.max)


# the bug: a place opened in December ---------------------------------------------------------

def test_a_place_opened_in_december_has_missed_nothing_before_it() -> None:
    opened = since(D(2026, 12, 1))
    today = D(2027, 1, 10)
    report = assess(IBASHO_PROGRAM, [g("2026-12-05")], 2026, today, open_span=opened)
    assert [p.state for p in report.periods] == [BEFORE, BEFORE, BEFORE, BEFORE, MET, FUTURE]
    assert (report.met, report.missed, report.exempt) == (1, 0, 4)
    assert report.state == OPEN and report.warnings == ()
    # counted from April, the four periods before it opened were "missed"
    assert assess(IBASHO_PROGRAM, [g("2026-12-05")], 2026, today, open_span=None).missed == 4


def test_a_place_not_open_at_all_that_year_is_neither_met_nor_missed() -> None:
    report = assess(IBASHO_PROGRAM, [], 2026, D(2027, 4, 10), open_span=since(D(2027, 6, 1)))
    assert {p.state for p in report.periods} == {BEFORE}
    assert [c.state for c in report.conditions] == [EXEMPT]
    assert (report.state, report.met, report.missed, report.warnings) == (EXEMPT, 0, 0, ())
    closed = assess(IBASHO_PROGRAM, [], 2026, D(2027, 4, 10),
                    open_span=Span(D(2020, 4, 1), D(2026, 3, 31)))
    assert {p.state for p in closed.periods} == {AFTER} and closed.state == EXEMPT


# partial periods: pro rata ---------------------------------------------------------------------

@pytest.mark.parametrize(("opened", "required"), [
    (D(2026, 4, 1), 4),    # the whole month: the count itself
    (D(2026, 4, 16), 2),   # 15 of 30 days: 4 × 15/30 = 2
    (D(2026, 4, 17), 2),   # 14 of 30: 1.87, rounded up
    (D(2026, 4, 24), 1),   # 7 of 30: 0.93, rounded up
    (D(2026, 4, 30), 1),   # its last day: still one
])
def test_pro_rata_scales_the_count_by_the_days_open_rounded_up(opened: dt.date,
                                                                required: int) -> None:
    p = one(period={"period": "month", "count": 4, "partial": "pro_rata"})
    [c] = assess(p, [], 2026, D(2026, 4, 1), open_span=since(opened)).conditions
    first = c.periods[0]
    assert first.required == required and first.needed == required
    assert first.counted == (None if opened.day == 1 else Span(opened, D(2026, 4, 30)))


def test_a_partial_period_counts_only_gatherings_on_its_open_days() -> None:
    opened = since(D(2026, 12, 15))  # Dec–Jan: 48 of 62 days open, one gathering needed
    before = g("2026-12-10")  # a trial session before it opened: not counted
    [c] = assess(IBASHO_PROGRAM, [before], 2026, D(2027, 1, 20), open_span=opened).conditions
    current = c.periods[4]
    assert (current.state, current.required, current.qualifying) == (OPEN, 1, ())
    assert current.counted == Span(D(2026, 12, 15), D(2027, 1, 31))
    [c] = assess(IBASHO_PROGRAM, [before, g("2026-12-20")], 2026, D(2027, 1, 20),
                 open_span=opened).conditions
    assert c.periods[4].state == MET


def test_a_place_closing_mid_period_is_warned_by_its_last_day_and_owes_nothing_after() -> None:
    closing = Span(D(2018, 4, 1), D(2026, 9, 15))
    report = assess(IBASHO_PROGRAM, [g(f"2026-{m:02d}-05") for m in (4, 6)], 2026,
                    D(2026, 9, 10), open_span=closing)
    states = [p.state for p in report.periods]
    assert states == [MET, MET, OPEN, AFTER, AFTER, AFTER]
    [warning] = report.warnings  # six days left to its last day, not the period's 30 Sept
    assert (warning.days_left, warning.span) == (6, Span(D(2026, 8, 1), D(2026, 9, 15)))
    assert report.conditions[0].by == D(2026, 9, 15)
    after = assess(IBASHO_PROGRAM, [g(f"2026-{m:02d}-05") for m in (4, 6, 9)], 2026,
                   D(2027, 4, 10), open_span=closing)
    assert (after.state, after.met, after.missed, after.exempt) == (MET, 3, 0, 3)
    gone = assess(IBASHO_PROGRAM, [g("2026-04-05")], 2026, D(2026, 10, 1), open_span=closing)
    assert gone.periods[2].state == MISSED  # its last day passed with none: decided


# partial periods: exempt ------------------------------------------------------------------------

def test_exempt_does_not_count_a_partial_week() -> None:
    assert SALON_PROGRAM.conditions_in(2026).periods[0].partial == "exempt"  # the data says
    opened = since(D(2026, 4, 8))  # a Wednesday: its first week is partial
    salon = [gathering(place_id=SALON.id, date=(D(2026, 4, 13) + dt.timedelta(weeks=w))
                       .isoformat(), start_time="10:00", end_time="12:00",
                       attendance={"senior": 8}, first_time=0, activities=["exercise"])
             for w in range(51)]
    report = assess(SALON_PROGRAM, salon, 2026, D(2027, 4, 10), open_span=opened)
    weekly = report.conditions[0]
    assert weekly.periods[0].state == EXEMPT and weekly.periods[0].counted is not None
    assert weekly.state == MET and weekly.missed_periods == 0
    # the same first week, pro rata: three of seven days still need one gathering
    p = one(period={"period": "week", "count": 1, "partial": "pro_rata"})
    [c] = assess(p, [], 2026, D(2027, 4, 10), open_span=opened).conditions
    assert (c.periods[0].state, c.periods[0].required) == (MISSED, 1)


def test_an_exempt_period_with_gatherings_is_still_not_counted() -> None:
    p = one(period={"period": "month", "count": 1, "partial": "exempt"})
    [c] = assess(p, [g("2026-04-20")], 2026, D(2026, 6, 1),
                 open_span=since(D(2026, 4, 15))).conditions
    first = c.periods[0]
    assert (first.state, len(first.qualifying), c.met_periods) == (EXEMPT, 1, 0)
    assert c.periods[1].state == MISSED


# year figures -----------------------------------------------------------------------------------

def test_a_number_a_year_is_pro_rata_over_the_days_open() -> None:
    p = one(year={"measure": "gatherings", "minimum": 24})
    opened = since(D(2026, 10, 1))  # 182 of 365 days: 24 × 182/365 = 11.97 → 12
    twelve = [g(f"{2026 + (m < 4)}-{m:02d}-{d:02d}") for m in (10, 11, 12, 1, 2, 3)
              for d in (5, 20)]
    [c] = assess(p, twelve, 2026, D(2027, 4, 10), open_span=opened).conditions
    assert (c.minimum, c.value, c.state) == (12.0, 12.0, MET)
    [c] = assess(p, twelve[1:], 2026, D(2027, 4, 10), open_span=opened).conditions
    assert c.state == MISSED
    [c] = assess(p, [], 2026, D(2026, 6, 1), open_span=opened).conditions
    assert c.state == FUTURE  # the place has not opened yet


def test_an_average_is_over_the_gatherings_while_open() -> None:
    p = one(year={"measure": "average_participants", "minimum": 5})
    trial = g("2026-09-20", people=1)  # before it opened
    held = [g("2026-10-10", people=6), g("2026-11-10", people=6)]
    report = assess(p, [trial, *held], 2026, D(2027, 4, 10), open_span=since(D(2026, 10, 1)))
    assert (report.conditions[0].value, report.conditions[0].state) == (6.0, MET)
    assert report.average_participants == 6.0


def test_opening_days_per_week_are_over_the_weeks_since_opening() -> None:
    p = one(year={"measure": "opening_days_per_week", "minimum": 2})
    opened = since(D(2026, 10, 5))  # a Monday; two days a week for four weeks
    days = [g((D(2026, 10, 5) + dt.timedelta(days=w * 7 + d)).isoformat())
            for w in range(4) for d in (0, 2)]
    [c] = assess(p, days, 2026, D(2026, 11, 1), open_span=opened).conditions
    assert c.value == pytest.approx(8 / 4) and c.state == OPEN


# every period, whatever the opening day ---------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(opened=st.dates(D(2026, 4, 1), D(2027, 3, 31)),
       held=st.lists(st.dates(D(2026, 4, 1), D(2027, 3, 31)), max_size=12),
       today=st.dates(D(2026, 4, 1), D(2027, 5, 31)))
def test_nothing_before_the_opening_is_ever_met_or_missed(opened: dt.date, held: list[dt.date],
                                                          today: dt.date) -> None:
    gatherings = [g(d.isoformat()) for d in held]
    report = assess(IBASHO_PROGRAM, gatherings, 2026, today, open_span=since(opened))
    for p in report.periods:
        if p.span.end < opened:
            assert p.state == BEFORE and p.qualifying == ()
        else:
            assert p.state != BEFORE
            assert all(opened <= dt.date.fromisoformat(x.date) for x in gatherings
                       if x.id in p.qualifying)
    assert report.met + report.missed + report.exempt + sum(
        p.state in (OPEN, FUTURE) for p in report.periods) == len(report.periods)
    # open from before the year: the same as no dates at all
    every = assess(IBASHO_PROGRAM, gatherings, 2026, today, open_span=since(D(2026, 4, 1)))
    assert every == assess(IBASHO_PROGRAM, gatherings, 2026, today, open_span=None)


# the rule is data ---------------------------------------------------------------------------

def test_partial_is_read_checked_and_written_back() -> None:
    label = {"ja": "条件", "en": "condition"}
    data: list[dict[str, Any]] = [{"from_fiscal_year": 2026, "periods": [
        {"key": "m", "label": label, "period": "month", "count": 1, "partial": "exempt"},
        {"key": "w", "label": label, "period": "week", "count": 1}]}]
    versions = parse_versions(data, REF.keys("activities"))
    assert [p.partial for p in versions[0].periods] == ["exempt", "pro_rata"]  # the default
    assert parse_versions(versions_to_json(versions), REF.keys("activities")) == versions
    data[0]["periods"][0]["partial"] = "half"
    with pytest.raises(ValidationError) as caught:
        parse_versions(data, REF.keys("activities"))
    [problem] = caught.value.problems
    assert problem.field == "conditions[0].periods[0].partial"
    assert "pro_rata" in problem.expected_en and "exempt" in problem.expected_ja


# the place's dates ------------------------------------------------------------------------------

def place_data(**changes: Any) -> dict[str, Any]:
    return {**IBASHO.to_dict(), **changes}


def test_a_place_keeps_its_opening_and_closing_days() -> None:
    place = parse_place(place_data(opened_on="2026-12-01", closed_on="2027-02-28"), REF)
    assert place.open_span == Span(D(2026, 12, 1), D(2027, 2, 28))
    assert parse_place(place_data(opened_on="", closed_on=None), REF).open_span is None
    assert open_span_of({"opened_on": "2026-12-01"}) == since(D(2026, 12, 1))
    assert open_span_of({"closed_on": "2026-12-01"}) == Span(dt.date.min, D(2026, 12, 1))
    same_day = parse_place(place_data(opened_on="2026-12-01", closed_on="2026-12-01"), REF)
    assert same_day.open_span == Span(D(2026, 12, 1), D(2026, 12, 1))


@pytest.mark.parametrize(("changes", "field", "en", "ja"), [
    ({"opened_on": "2026-13-01"}, "opened_on", "YYYY-MM-DD", "YYYY-MM-DD"),
    ({"closed_on": "12/1"}, "closed_on", "YYYY-MM-DD", "YYYY-MM-DD"),
    ({"opened_on": 20261201}, "opened_on", "YYYY-MM-DD", "YYYY-MM-DD"),
    ({"opened_on": "2026-12-01", "closed_on": "2026-11-30"}, "closed_on",
     "on or after the opening date (opened_on, 2026-12-01)", "開設日（2026-12-01）以降"),
])
def test_bad_dates_are_refused_naming_the_field(changes: dict[str, Any], field: str, en: str,
                                                ja: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_place(place_data(**changes), REF)
    [problem] = caught.value.problems
    assert problem.field == field and en in problem.expected_en and ja in problem.expected_ja


def test_the_schedule_owes_nothing_outside_the_open_days() -> None:
    weekly = {"rules": [{"freq": "weekly", "weekdays": [0], "start_time": "10:00",
                         "end_time": "12:00"}]}  # Mondays
    place = dataclasses.replace(IBASHO, recurrence=weekly, opened_on="2026-12-07",
                                closed_on="2027-01-11")
    mondays = [e.date for e in expected_at([place], D(2026, 11, 23), D(2027, 1, 31))]
    assert mondays == [D(2026, 12, 7), D(2026, 12, 14), D(2026, 12, 21), D(2026, 12, 28),
                       D(2027, 1, 4), D(2027, 1, 11)]
    # a new place owes no record for the Mondays before it opened
    owed = missed([place], [], D(2026, 12, 10), 28)
    assert [s.expected.date for s in owed] == [D(2026, 12, 7)]
    # nor for the Mondays after it closed
    owed = missed([place], [], D(2027, 2, 1), 28)
    assert [s.expected.date for s in owed] == [D(2027, 1, 11), D(2027, 1, 4)]
