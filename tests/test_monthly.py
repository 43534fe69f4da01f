"""Places whose openings are recorded by the operator's monthly report (テンミリオンハウス):
the program says so in data (checked, with errors naming the field), a month is one
gathering record with its opening days and 延べ counts, the week shows one band a place
rather than a card a day, home owes each month once, and the grant conditions and the
hub's reports count a month's report as the sessions it stands for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from core.domain.compliance import MET, MISSED, OPEN, assess
from core.domain.errors import ValidationError
from core.domain.gathering import Gathering, facts
from core.domain.monthly import OVERDUE, OWED, RECORDED, RUNNING, bands, owed
from core.domain.overrides import parse_overrides
from core.domain.reference import parse_recording
from core.domain.week import missed, week
from core.reference_data import ASSETS_DIR, load_reference
from tests.factories import PLACES, REF, SALON, gathering

D = dt.date
HOUSES = [p for p in PLACES if p.program == "tenmillion"]
MON_TO_SAT = {"rules": [{"freq": "weekly", "weekdays": [0, 1, 2, 3, 4, 5],
                         "start_time": "09:00", "end_time": "17:00"}],
              "exceptions": [], "closed": []}
MONDAYS = {"rules": [{"freq": "weekly", "weekdays": [0], "start_time": "13:00",
                      "end_time": "15:00"}], "exceptions": [], "closed": []}
OPEN_HOUSES = [dataclasses.replace(p, recurrence=MON_TO_SAT) for p in HOUSES]
WEEKLY_SALON = dataclasses.replace(SALON, recurrence=MONDAYS)
HOUSE = OPEN_HOUSES[0]


def report(month: str = "2026-06", days: int = 26, place: str = HOUSE.id,
           **kw: Any) -> Gathering:
    """A month's report as the operator sends it: 延べ counts, the usual hours."""
    values: dict[str, Any] = dict(
        place_id=place, date=f"{month}-01", start_time="09:00", end_time="17:00",
        attendance={"senior": 12 * days, "under_65": 2 * days}, first_time=3,
        helpers=2 * days, activities=["talk", "meal"], staff_visited=False,
        note="運営団体の月次報告より", covers="month", opening_days=days)
    values.update(kw)
    return gathering(**values)


def fields(caught: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {p.field for p in caught.value.problems}


# the data --------------------------------------------------------------------------------

def test_the_program_data_says_how_openings_are_recorded() -> None:
    ten = REF.programs["tenmillion"]
    assert (ten.recording, ten.report_due_day, ten.monthly) == ("monthly", 10, True)
    assert {k for k, p in REF.programs.items() if not p.monthly} == {
        "ibasho", "ikiiki_salon", "chiiki_shakyo"}  # per-session programs unchanged


def test_a_bad_recording_is_refused_naming_the_field_and_what_is_expected() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_recording({"recording": "weekly"}, (), "programs.tenmillion")
    [problem] = caught.value.problems
    assert problem.field == "programs.tenmillion.recording" and "'weekly'" in problem.value
    assert "per_session" in problem.expected_en and "月次報告" in problem.expected_ja
    with pytest.raises(ValidationError) as caught:
        parse_recording({"recording": "monthly", "report_due_day": 31}, (), "programs.x")
    assert fields(caught) == {"programs.x.report_due_day"}
    with pytest.raises(ValidationError) as caught:
        parse_recording({"report_due_day": 10}, (), "programs.x")  # due, but per session
    assert fields(caught) == {"programs.x.report_due_day"}
    # a month's report says nothing of single weeks: a weekly condition could not be met
    salon = REF.programs["ikiiki_salon"]
    with pytest.raises(ValidationError) as caught:
        parse_recording({"recording": "monthly", "report_due_day": 10}, salon.conditions,
                        "programs.ikiiki_salon")
    assert fields(caught) == {"programs.ikiiki_salon.conditions[0].periods[0].period"}
    assert parse_recording({}, salon.conditions, "programs.ikiiki_salon") == ("per_session", 0)


def test_a_data_file_with_a_bad_recording_fails_loudly(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    shutil.copytree(ASSETS_DIR / "data", assets / "data")
    path = assets / "data" / "programs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    next(p for p in data["programs"] if p["key"] == "tenmillion")["recording"] = "daily"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"programs\.tenmillion\.recording"):
        load_reference(assets)


def test_the_office_cannot_give_a_monthly_program_a_weekly_condition() -> None:
    weekly = {"from_fiscal_year": 2026, "year": [], "periods": [{
        "key": "w", "label": {"ja": "週1回", "en": "weekly"}, "period": "week"}]}
    with pytest.raises(ValidationError) as caught:
        parse_overrides({"programs": {"tenmillion": {"conditions": [weekly]}}}, REF)
    assert fields(caught) == {"programs.tenmillion.conditions[0].periods[0].period"}
    parse_overrides({"programs": {"ibasho": {"conditions": [weekly]}}}, REF)  # per session


# the record ------------------------------------------------------------------------------

def test_a_months_report_is_one_gathering_of_its_month() -> None:
    r = report()
    assert (r.covers, r.opening_days, r.sessions, r.monthly) == ("month", 26, 26, True)
    assert r.participants == 14 * 26 and not r.staff_visited
    assert facts(r.to_dict()) == (r.id, r.date, "09:00", "17:00", True, ("talk", "meal"),
                                  364, 480, D(2026, 6, 1), "month", 26)
    assert gathering().sessions == 1 and facts(gathering().to_dict()).sessions == 1
    closed = report(held=False, not_held_reason="other", note="改修工事", opening_days=0,
                    attendance={}, first_time=0, helpers=0, activities=[])
    assert not closed.held and closed.sessions == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"date": "2026-06-02"}, "date"),  # a month is dated by its first day
    ({"opening_days": 31}, "opening_days"),  # June has 30
    ({"opening_days": 0}, "opening_days"),  # held: it opened some day
    ({"staff_visited": True}, "staff_visited"),  # the operator's report, not a visit
    ({"covers": "session", "opening_days": 0}, "covers"),  # a monthly place has no sessions
    ({"covers": "week"}, "covers"),
    ({"held": False, "not_held_reason": "other", "attendance": {}, "first_time": 0,
      "helpers": 0, "activities": []}, "opening_days"),  # closed all month: no days open
])
def test_a_months_report_refuses_what_it_cannot_be(change: dict[str, Any], field: str
                                                    ) -> None:
    with pytest.raises(ValidationError) as caught:
        report(**change)
    assert field in fields(caught)


def test_per_session_places_have_no_months_report_nor_opening_days() -> None:
    with pytest.raises(ValidationError) as caught:
        report(place=SALON.id)
    assert fields(caught) == {"covers"}
    with pytest.raises(ValidationError) as caught:
        gathering(opening_days=3)
    assert fields(caught) == {"opening_days"}


# the grant conditions --------------------------------------------------------------------

def year_of_reports(days: int) -> list[Gathering]:
    months = [f"{2026 + (m < 4)}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    return [report(m, days=min(days, 28)) for m in months]


def test_opening_days_per_week_is_assessed_from_monthly_reports() -> None:
    ten = REF.programs["tenmillion"]
    after = D(2027, 4, 10)
    # 312 days / 52.1 weeks
    six_a_week = assess(ten, year_of_reports(26), 2026, after, open_span=None)
    [days] = six_a_week.conditions
    assert six_a_week.state == MET and days.value == pytest.approx(312 / (365 / 7))
    four_a_week = assess(ten, year_of_reports(18), 2026, after, open_span=None)
    assert four_a_week.state == MISSED and four_a_week.conditions[0].value == pytest.approx(
        216 / (365 / 7))
    # the average is per opening day, not per report
    assert six_a_week.average_participants == pytest.approx(14)
    # the hours are the report's: open 10:00-16:00 does not meet 開設 9時〜17時
    short = [dataclasses.replace(g, start_time="10:00", end_time="16:00")
             for g in year_of_reports(26)]
    assert assess(ten, short, 2026, after, open_span=None).state == MISSED
    # during the year: June and July reported by mid-August, about six days a week so far
    running = assess(ten, year_of_reports(26)[2:4], 2026, D(2026, 8, 15), open_span=None)
    assert running.conditions[0].state == OPEN


def test_the_hubs_facts_and_the_records_assess_alike() -> None:
    ten, records = REF.programs["tenmillion"], year_of_reports(26)[:6]
    by_record = assess(ten, records, 2026, D(2026, 10, 1), open_span=None)
    by_facts = assess(ten, [facts(g.to_dict()) for g in records], 2026, D(2026, 10, 1), open_span=None)
    assert by_record == by_facts


def test_a_period_count_and_a_participants_minimum_weigh_a_months_report() -> None:
    from tests.test_conditions import one  # a program with one condition, from data

    program = dataclasses.replace(one(period={"period": "month", "count": 20,
                                              "qualifies": {"min_participants": 10}}),
                                  key="tenmillion")
    june = report(days=20)  # 14 a day on average
    assert assess(program, [june], 2026, D(2026, 7, 1), open_span=None).conditions[0].periods[2].state == MET
    few = report(days=20, attendance={"senior": 150, "under_65": 0})  # 7.5 a day
    assert assess(program, [few], 2026, D(2026, 7, 1),
                  open_span=None).conditions[0].periods[2].state == MISSED
    short = report(days=19)
    assert assess(program, [short], 2026, D(2026, 7, 1),
                  open_span=None).conditions[0].periods[2].state == MISSED


# the week and home -----------------------------------------------------------------------

def test_six_houses_are_six_bands_not_thirty_six_cards() -> None:
    monday = D(2026, 6, 8)
    places = [*OPEN_HOUSES, WEEKLY_SALON]
    before = week(monday, places, [], [], [])  # as every program was recorded per session
    assert sum(len(d.agenda()) for d in before) == 6 * 6 + 1
    days = week(monday, places, [], [], [], REF.programs)
    assert [[s.place_id for s in d.slots] for d in days] == [[SALON.id], [], [], [], [], [], []]
    assert sum(len(d.agenda()) for d in days) == 1
    found = bands(monday, places, [], REF.programs)
    assert len(found) == 6 and {b.place_id for b in found} == {p.id for p in HOUSES}
    for b in found:
        assert b.days == tuple(monday + dt.timedelta(days=i) for i in range(6))
        assert (b.start_time, b.end_time) == ("09:00", "17:00")
        [june] = b.months
        assert (june.first, june.opening_days, june.due) == (D(2026, 6, 1), 26, D(2026, 7, 10))
        assert june.record is None and june.state(D(2026, 6, 10)) == RUNNING


def test_a_band_names_the_months_report_and_a_week_across_two_months_both() -> None:
    june = report()
    [band] = bands(D(2026, 6, 29), [HOUSE], [june], REF.programs)
    assert band.days == (D(2026, 6, 29), D(2026, 6, 30), D(2026, 7, 1), D(2026, 7, 2),
                         D(2026, 7, 3), D(2026, 7, 4))
    first, second = band.months
    assert (first.first, first.record, first.state(D(2026, 7, 2))) == (D(2026, 6, 1), june,
                                                                       RECORDED)
    assert (second.first, second.record, second.opening_days) == (D(2026, 7, 1), None, 27)
    # a month's report is no session of its first day, nor a gathering outside the schedule
    days = week(D(2026, 6, 1), [HOUSE], [june], [], [], REF.programs)
    assert all(d.empty for d in days)


def test_home_owes_a_month_once_when_it_is_over_not_each_day() -> None:
    today = D(2026, 7, 5)
    places = [*OPEN_HOUSES, WEEKLY_SALON]
    gone = missed(places, [], today, 28, REF.programs)
    assert {s.place_id for s in gone} == {SALON.id}  # the salon's Mondays, no house's day
    assert len(missed(places, [], today, 28)) > 6 * 20  # what it was: a card each day
    due = owed(places, [], REF.programs, today, 3, since=D(2026, 4, 1))
    assert [(m.first, m.place_id) for m in due] == sorted(
        (first, p.id) for first in (D(2026, 4, 1), D(2026, 5, 1), D(2026, 6, 1))
        for p in HOUSES)
    june = next(m for m in due if m.first == D(2026, 6, 1))
    assert (june.due, june.state(today), june.state(D(2026, 7, 11))) == (D(2026, 7, 10), OWED,
                                                                         OVERDUE)
    # reported: owed no more; a tablet first used in mid-June owes June and no earlier
    reported = [report(place=p.id) for p in OPEN_HOUSES[:2]]
    due = owed(places, reported, REF.programs, today, 3, since=D(2026, 6, 15))
    assert [m.place_id for m in due] == sorted(p.id for p in HOUSES[2:])
    # this month is never owed while it runs; a place not expected open owes nothing
    assert owed(places, [], REF.programs, D(2026, 6, 30), 1, since=D(2026, 6, 1)) == []
    unscheduled = [dataclasses.replace(p, recurrence=None) for p in HOUSES]
    assert owed(unscheduled, [], REF.programs, today, 3) == []  # nothing expected: not owed


def test_a_house_owes_no_month_before_it_opened_nor_after_it_closed() -> None:
    """A house opened on 15 May owes no April and a May of its open days only; one closed
    on 5 June owes June's five days at most, and no band shows after its last day."""
    today = D(2026, 7, 5)
    opened = dataclasses.replace(HOUSE, opened_on="2026-05-15")
    due = owed([opened], [], REF.programs, today, 3)
    assert [m.first for m in due] == [D(2026, 5, 1), D(2026, 6, 1)]
    assert due[0].opening_days == 14  # Friday 15 to Saturday 30 May, Monday to Saturday
    closed = dataclasses.replace(HOUSE, closed_on="2026-06-05")
    due = owed([closed], [], REF.programs, today, 3)
    assert [(m.first, m.opening_days) for m in due][-1] == (D(2026, 6, 1), 5)
    assert bands(D(2026, 6, 8), [closed], [], REF.programs) == []
    [band] = bands(D(2026, 6, 1), [closed], [], REF.programs)
    assert band.days == tuple(D(2026, 6, d) for d in range(1, 6))
