"""Schedules as data and the gatherings they make one expect (domain.schedule)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.errors import ValidationError
from core.domain.fiscal import fiscal_year_bounds
from core.domain.place import parse_place
from core.domain.schedule import (
    LAST,
    expected,
    nth_weekday,
    parse_schedule,
    schedule_to_json,
)
from tests.factories import IBASHO, REF

D = dt.date
TUE, SAT, SUN = 1, 5, 6


def rule(freq: str, **kw: object) -> dict[str, object]:
    return {"freq": freq, "start_time": "10:00", "end_time": "12:00", **kw}


def days(schedule: dict[str, object], start: D, end: D) -> list[D]:
    return [e.date for e in expected(parse_schedule(schedule), start, end)]


def test_second_tuesday_of_each_month_across_a_fiscal_year() -> None:
    start, end = fiscal_year_bounds(2026)
    found = days({"rules": [rule("monthly_nth", nth=[2], weekday=TUE)]}, start, end)
    assert len(found) == 12
    assert all(d.weekday() == TUE and 8 <= d.day <= 14 for d in found)
    assert found[0] == D(2026, 4, 14) and found[-1] == D(2027, 3, 9)


def test_a_fifth_weekday_that_does_not_exist_makes_no_gathering() -> None:
    # 2026: Tuesdays of June are 2, 9, 16, 23, 30 (five); of July 7 .. 28 (four)
    found = days({"rules": [rule("monthly_nth", nth=[5], weekday=TUE)]},
                 D(2026, 6, 1), D(2026, 8, 31))
    assert found == [D(2026, 6, 30)]
    assert nth_weekday(2026, 7, TUE, 5) is None


def test_last_weekday_of_the_month_and_month_ends() -> None:
    found = days({"rules": [rule("monthly_nth", nth=[LAST], weekday=SAT)]},
                 D(2026, 1, 1), D(2026, 12, 31))
    assert len(found) == 12
    for d in found:
        assert d.weekday() == SAT and d.day + 7 > calendar.monthrange(d.year, d.month)[1]


def test_day_of_month_skips_months_without_it_and_knows_leap_years() -> None:
    thirty_first = days({"rules": [rule("monthly_day", day=31)]}, D(2026, 4, 1), D(2027, 3, 31))
    assert [d.month for d in thirty_first] == [5, 7, 8, 10, 12, 1, 3]
    leap = days({"rules": [rule("monthly_day", day=29)]}, D(2027, 12, 1), D(2028, 3, 31))
    assert D(2028, 2, 29) in leap and len(leap) == 4
    plain = days({"rules": [rule("monthly_day", day=29)]}, D(2026, 12, 1), D(2027, 3, 31))
    assert all(d.month != 2 for d in plain) and len(plain) == 3


def test_every_other_month_follows_its_first_month() -> None:
    # 隔月第1日曜 from April: April, June, ... February
    found = days({"rules": [rule("monthly_nth", nth=[1], weekday=SUN, every_months=2,
                                 first_month=4)]}, *fiscal_year_bounds(2026))
    assert [d.month for d in found] == [4, 6, 8, 10, 12, 2]


def test_weekly_and_every_n_weeks() -> None:
    weekly = days({"rules": [rule("weekly", weekdays=[0, 3])]}, D(2026, 12, 1), D(2026, 12, 14))
    assert [d.isoformat() for d in weekly] == ["2026-12-03", "2026-12-07", "2026-12-10",
                                               "2026-12-14"]
    fortnight = days({"rules": [rule("every_n_weeks", interval=2, anchor="2026-04-06")]},
                     D(2026, 3, 1), D(2026, 5, 10))
    # before the anchor too: the rule is a rhythm, not a start
    assert fortnight == [D(2026, 3, 9), D(2026, 3, 23), D(2026, 4, 6), D(2026, 4, 20),
                         D(2026, 5, 4)]


def test_exceptions_cancel_move_and_close_the_year_end() -> None:
    schedule = {
        "rules": [rule("weekly", weekdays=[SAT])],
        "exceptions": [{"date": "2026-12-05", "action": "cancelled", "note": "会場点検"},
                       {"date": "2026-12-12", "action": "moved", "to": "2026-12-13",
                        "start_time": "13:00", "end_time": "15:00"}],
        "closed": [{"from": "12-29", "to": "01-03", "note": "年末年始"}],
    }
    found = expected(parse_schedule(schedule), D(2026, 12, 1), D(2027, 1, 10))
    assert [(e.date.isoformat(), e.start_time) for e in found] == [
        ("2026-12-13", "13:00"), ("2026-12-19", "10:00"), ("2026-12-26", "10:00"),
        ("2027-01-09", "10:00")]  # 12/5 cancelled, 12/12 moved, 1/2 closed
    assert found[0].moved_from == D(2026, 12, 12)


def test_a_move_into_the_span_from_outside_it_is_expected() -> None:
    schedule = {"rules": [rule("monthly_day", day=30)],
                "exceptions": [{"date": "2026-04-30", "action": "moved", "to": "2026-05-01"}]}
    assert days(schedule, D(2026, 5, 1), D(2026, 5, 2)) == [D(2026, 5, 1)]


def test_every_problem_at_once_named_by_its_path() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_schedule({
            "rules": [rule("weekly", weekdays=[7]), rule("monthly_nth", nth=[6], weekday=1,
                                                         end_time="09:00"),
                      {"freq": "daily"}],
            "exceptions": [{"date": "2026-02-30", "action": "moved"}],
            "closed": [{"from": "13-01", "to": "01-03"}],
            "colour": "blue",
        })
    fields = {p.field for p in caught.value.problems}
    assert {"recurrence.rules[0].weekdays", "recurrence.rules[1].nth",
            "recurrence.rules[1].end_time", "recurrence.rules[2].freq",
            "recurrence.rules[2].start_time", "recurrence.exceptions[0].date",
            "recurrence.exceptions[0].to", "recurrence.closed[0].from",
            "recurrence.colour"} <= fields
    assert all(p.expected_ja and p.expected_en for p in caught.value.problems)


def test_a_place_keeps_its_text_and_checks_its_rules() -> None:
    data = {**IBASHO.to_dict(), "recurrence": {"rules": [rule("weekly", weekdays=[])]}}
    with pytest.raises(ValidationError) as caught:
        parse_place(data, REF)
    assert [p.field for p in caught.value.problems] == ["recurrence.rules[0].weekdays"]
    old = {k: v for k, v in IBASHO.to_dict().items() if k != "recurrence"}
    kept = parse_place(old, REF)  # a place from before schedules were data
    assert kept.schedule == IBASHO.schedule and kept.recurrence is None
    assert not kept.usual


# hypothesis: any rule over any span ---------------------------------------------------

RULES = st.one_of(
    st.builds(lambda w: rule("weekly", weekdays=sorted(w)),
              st.sets(st.integers(0, 6), min_size=1)),
    st.builds(lambda n, w, e, f: rule("monthly_nth", nth=sorted(n), weekday=w, every_months=e,
                                      first_month=f),
              st.sets(st.sampled_from([1, 2, 3, 4, 5, LAST]), min_size=1),
              st.integers(0, 6), st.integers(1, 12), st.integers(1, 12)),
    st.builds(lambda d, e, f: rule("monthly_day", day=d, every_months=e, first_month=f),
              st.integers(1, 31), st.integers(1, 12), st.integers(1, 12)),
    st.builds(lambda i, a: rule("every_n_weeks", interval=i, anchor=a.isoformat()),
              st.integers(2, 12), st.dates(D(2020, 1, 1), D(2030, 12, 31))),
)
SPANS = st.tuples(st.dates(D(2024, 1, 1), D(2029, 12, 31)), st.integers(0, 400))


@settings(max_examples=150, deadline=None)
@given(RULES, SPANS, st.integers(1, 200))
def test_expected_is_in_the_span_sorted_and_splits(raw: dict[str, object],
                                                   span: tuple[D, int], cut: int) -> None:
    start, length = span
    end = start + dt.timedelta(days=length)
    schedule = parse_schedule({"rules": [raw]})
    found = expected(schedule, start, end)
    assert all(start <= e.date <= end for e in found)
    assert found == sorted(found) and len({e.date for e in found}) == len(found)
    # asking for two halves gives the same as asking for the whole
    middle = start + dt.timedelta(days=min(cut, length))
    halves = expected(schedule, start, middle) + expected(
        schedule, middle + dt.timedelta(days=1), end)
    assert [e.date for e in halves if e.date <= end] == [e.date for e in found]
    # and the stored form reads back as the same schedule
    again = parse_schedule(schedule_to_json(schedule))
    assert again == schedule


@settings(max_examples=100, deadline=None)
@given(RULES, SPANS, st.sets(st.integers(0, 400), max_size=10))
def test_cancelling_a_date_removes_exactly_that_gathering(
        raw: dict[str, object], span: tuple[D, int], offsets: set[int]) -> None:
    start, length = span
    end = start + dt.timedelta(days=length)
    every = [e.date for e in expected(parse_schedule({"rules": [raw]}), start, end)]
    cancelled = {start + dt.timedelta(days=o) for o in offsets}
    schedule = parse_schedule({"rules": [raw], "exceptions": [
        {"date": d.isoformat(), "action": "cancelled"} for d in sorted(cancelled)]})
    assert [e.date for e in expected(schedule, start, end)] == [
        d for d in every if d not in cancelled]


def test_expected_refuses_an_absurd_span() -> None:
    with pytest.raises(ValueError, match="at most"):
        expected(parse_schedule({"rules": [rule("weekly", weekdays=[1])]}),
                 D(2020, 1, 1), D(2030, 1, 1))
