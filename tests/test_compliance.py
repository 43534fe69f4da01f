"""Grant rules at their edges: 120 minutes, period and fiscal-year boundaries, leap years."""

from __future__ import annotations

import datetime as dt

from core.domain.compliance import FUTURE, MET, MISSED, OPEN, assess
from core.domain.fiscal import fiscal_year_bounds, fiscal_year_of, month_periods, weeks
from tests.factories import REF, SALON, gathering

IBASHO = REF.programs["ibasho"]
SALON_PROGRAM = REF.programs["ikiiki_salon"]
D = dt.date


def test_fiscal_year_runs_april_to_march() -> None:
    assert fiscal_year_of(D(2026, 4, 1)) == 2026
    assert fiscal_year_of(D(2026, 3, 31)) == 2025
    assert fiscal_year_of(D(2027, 3, 31)) == 2026
    assert fiscal_year_bounds(2026) == (D(2026, 4, 1), D(2027, 3, 31))


def test_six_two_month_periods_and_leap_february() -> None:
    periods = month_periods(2027, 2)
    assert [(p.start, p.end) for p in periods] == [
        (D(2027, 4, 1), D(2027, 5, 31)), (D(2027, 6, 1), D(2027, 7, 31)),
        (D(2027, 8, 1), D(2027, 9, 30)), (D(2027, 10, 1), D(2027, 11, 30)),
        (D(2027, 12, 1), D(2028, 1, 31)), (D(2028, 2, 1), D(2028, 3, 31))]
    assert D(2028, 2, 29) in periods[5]
    assert month_periods(2026, 2)[5].end == D(2027, 3, 31)


def test_exactly_120_minutes_qualifies_and_119_does_not() -> None:
    ok = gathering(date="2026-04-10", start_time="10:00", end_time="12:00")
    short = gathering(date="2026-06-10", start_time="10:00", end_time="11:59")
    report = assess(IBASHO, [ok, short], 2026, D(2026, 8, 1), open_span=None)
    assert [p.state for p in report.periods[:2]] == [MET, MISSED]
    assert report.periods[0].qualifying == (ok.id,)


def test_period_edges_belong_to_the_right_period() -> None:
    last_day = gathering(date="2026-05-31")
    first_day = gathering(date="2026-06-01")
    report = assess(IBASHO, [last_day, first_day], 2026, D(2026, 12, 1), open_span=None)
    assert report.periods[0].qualifying == (last_day.id,)
    assert report.periods[1].qualifying == (first_day.id,)


def test_fiscal_year_edges() -> None:
    march = gathering(date="2027-03-31")
    april = gathering(date="2027-04-01")
    fy2026 = assess(IBASHO, [march, april], 2026, D(2027, 4, 2), open_span=None)
    fy2027 = assess(IBASHO, [march, april], 2027, D(2027, 4, 2), open_span=None)
    assert fy2026.periods[5].qualifying == (march.id,)
    assert fy2027.periods[0].qualifying == (april.id,)
    assert fy2026.met == 1 and fy2026.missed == 5


def test_states_past_current_and_future() -> None:
    report = assess(IBASHO, [], 2026, D(2026, 7, 1), open_span=None)
    assert [p.state for p in report.periods] == [MISSED, OPEN, FUTURE, FUTURE, FUTURE, FUTURE]
    assert report.current(D(2026, 7, 1)) is report.periods[1]


def test_warning_when_current_period_ends_within_14_days_without_a_gathering() -> None:
    # Jun-Jul period ends 07-31. On 07-17 15 days are left (17..31): no warning yet;
    # on 07-18 the period ends within 14 days (18..31).
    assert assess(IBASHO, [], 2026, D(2026, 7, 17), open_span=None).warnings == ()
    warned = assess(IBASHO, [], 2026, D(2026, 7, 18), open_span=None).warnings
    assert [w.code for w in warned] == ["period_ending"] and warned[0].days_left == 14
    assert "残り14日" in warned[0].text("ja") and "14 day(s)" in warned[0].text("en")
    assert "2か月に1回以上（2時間以上）: 今期（6月1日〜7月31日）はあと1回" in warned[0].text("ja")
    last_day = assess(IBASHO, [], 2026, D(2026, 7, 31), open_span=None).warnings[0]
    assert last_day.days_left == 1
    met = assess(IBASHO, [gathering(date="2026-06-05")], 2026, D(2026, 7, 31), open_span=None)
    assert met.warnings == ()


def test_leap_day_gathering_counts() -> None:
    leap = gathering(date="2028-02-29")
    report = assess(IBASHO, [leap], 2027, D(2028, 3, 31), open_span=None)
    assert report.periods[5].state == MET


def test_weeks_start_on_monday_inside_the_fiscal_year() -> None:
    w = weeks(2026)
    assert w[0].start == D(2026, 4, 6) and w[0].start.weekday() == 0
    assert w[-1].start <= D(2027, 3, 31) < w[-1].start + dt.timedelta(days=7)
    assert len(w) == 52


def salon(day: str, *, exercise: bool = True, minutes: int = 120, people: int = 8):
    end = f"{10 + minutes // 60:02d}:{minutes % 60:02d}"
    return gathering(place_id=SALON.id, date=day, start_time="10:00", end_time=end,
                     attendance={"senior": people}, first_time=0,
                     activities=["exercise", "talk"] if exercise else ["talk"])


def test_salon_week_needs_120_minutes_with_exercise() -> None:
    today = D(2026, 5, 1)
    report = assess(SALON_PROGRAM, [
        salon("2026-04-06"),                      # week 1: met
        salon("2026-04-14", exercise=False),      # week 2: no exercise
        salon("2026-04-21", minutes=119),         # week 3: too short
        salon("2026-04-26"),                      # Sunday: still week 3 (Mon 04-20 .. Sun 04-26)
    ], 2026, today, open_span=None)
    assert [p.state for p in report.periods[:5]] == [MET, MISSED, MET, OPEN, FUTURE]


def test_salon_low_average_attendance_warns() -> None:
    today = D(2026, 5, 1)
    fine = assess(SALON_PROGRAM, [salon("2026-04-06", people=5)], 2026, today, open_span=None)
    assert [w.code for w in fine.warnings] == []
    low = assess(SALON_PROGRAM, [salon("2026-04-06", people=4), salon("2026-04-13", people=5)],
                 2026, today, open_span=None)
    assert [w.code for w in low.warnings] == ["low_attendance"]
    assert low.average_participants == 4.5
    assert "4.5人" in low.warnings[0].text("ja")


def test_every_seed_program_is_assessed() -> None:
    for key in ("ibasho", "ikiiki_salon", "tenmillion", "chiiki_shakyo"):
        assert assess(REF.programs[key], [], 2026, D(2026, 5, 1), open_span=None).assessed, key
    ten = assess(REF.programs["tenmillion"], [], 2026, D(2026, 5, 1), open_span=None)
    assert ten.periods == () and [c.key for c in ten.conditions] == ["open_days"]
