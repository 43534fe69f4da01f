"""The week's records and questions: gatherings not held, plans, start-ups, meeting notes,
and the pure answers of domain.week (expected, recorded, missed, not visited)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from core.domain.compliance import MET, MISSED, assess
from core.domain.errors import ValidationError
from core.domain.startup import StartUp
from core.domain.week import missed, not_visited, week
from tests.factories import IBASHO, REF, gathering, startup, visit_note, visit_plan

D = dt.date


def fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {p.field for p in exc.value.problems}


def not_held(**kw: object) -> dict[str, object]:
    return dict(held=False, not_held_reason="weather", attendance={}, first_time=0, helpers=0,
                activities=[], note="", staff_visited=False, **kw)


def test_a_gathering_not_held_has_a_reason_and_nobody_in_it() -> None:
    g = gathering(**not_held())
    assert not g.held and g.participants == 0
    with pytest.raises(ValidationError) as caught:
        gathering(held=False, not_held_reason="other", note="")
    assert fields(caught) == {"note", "attendance", "activities"}
    with pytest.raises(ValidationError) as caught:
        gathering(**{**not_held(), "not_held_reason": ""})
    assert fields(caught) == {"not_held_reason"}
    with pytest.raises(ValidationError) as caught:
        gathering(not_held_reason="weather")  # held, with a reason
    assert fields(caught) == {"not_held_reason"}


def test_a_gathering_not_held_never_meets_a_grant_condition() -> None:
    program = REF.programs["ibasho"]
    cancelled = gathering(date="2026-04-10", **not_held())
    result = assess(program, [cancelled], 2026, D(2026, 7, 1), open_span=None)
    first = result.periods[0]
    assert first.state == MISSED and first.not_held == (cancelled.id,)
    held = gathering(date="2026-04-11", start_time="10:00", end_time="12:00")
    assert assess(program, [cancelled, held], 2026, D(2026, 7, 1), open_span=None).periods[0].state == MET
    # and it does not lower the average attendance
    assert assess(program, [cancelled, held], 2026, D(2026, 7, 1), open_span=None).average_participants == \
        held.participants


def test_a_plan_needs_a_place_or_a_startup_and_may_be_in_the_future() -> None:
    assert visit_plan(date="2030-01-01").open
    with pytest.raises(ValidationError) as caught:
        visit_plan(place_id="", purpose="coffee")
    assert fields(caught) == {"place_id", "purpose"}
    assert visit_plan(place_id="", startup_id=startup().id).startup_id


def test_a_startup_keeps_its_history_and_names_no_person() -> None:
    s = startup()
    moved = s.edited(**s.moved_to("prepare", D(2026, 7, 1)))
    assert [h["stage"] for h in moved.history] == ["consult", "prepare"]
    assert moved.first_consulted == "2026-06-01"
    with pytest.raises(ValidationError) as caught:
        startup(stage="declined", history=[{"stage": "consult", "on": "2026-06-01"},
                                           {"stage": "declined", "on": "2026-05-01"}])
    assert fields(caught) == {"stage_reason", "history[1].on"}
    with pytest.raises(ValidationError) as caught:
        startup(stage="opened", contact_role="mayor", group_name=" ", history=[])
    assert fields(caught) == {"contact_role", "group_name", "history"}
    with pytest.raises(ValidationError) as caught:
        startup(stage="prepare")  # the history must end at the stage
    assert fields(caught) == {"history"}


def test_a_group_meeting_note_records_roles_topics_and_the_next_date() -> None:
    n = visit_note(visit_type="group_meeting", attendee_roles=["representative", "minsei"],
                   topics=["finance"], decisions="次回から会費200円", next_meeting_on="2026-07-08")
    assert n.attendee_roles == ("representative", "minsei")
    with pytest.raises(ValidationError) as caught:
        visit_note(attendee_roles=["山田さん"], topics=["gossip"], next_meeting_on="2026-06-01")
    assert fields(caught) == {"attendee_roles", "topics", "next_meeting_on"}
    assert "decisions" in type(n).SENSITIVE


SAT_PLACE = dataclasses.replace(IBASHO, recurrence={
    "rules": [{"freq": "weekly", "weekdays": [5], "start_time": "10:00", "end_time": "12:00"}],
    "exceptions": [], "closed": []})


def test_missed_lists_expected_gatherings_with_no_record_newest_first() -> None:
    today = D(2026, 12, 1)  # a Tuesday
    recorded = gathering(place_id=SAT_PLACE.id, date="2026-11-21")
    cancelled = gathering(place_id=SAT_PLACE.id, date="2026-11-14", **not_held())
    gone = missed([SAT_PLACE], [recorded, cancelled], today, 28)
    assert [s.expected.date for s in gone] == [D(2026, 11, 28), D(2026, 11, 7)]


def test_not_visited_uses_the_limit() -> None:
    today = D(2026, 12, 1)
    other = dataclasses.replace(SAT_PLACE, id="22222222-2222-4222-8222-222222222222",
                                kana="あ")
    found = not_visited([SAT_PLACE, other], {SAT_PLACE.id: D(2026, 11, 1),
                                             other.id: D(2026, 8, 1)}, today, 90)
    assert [(p.id, last) for p, last in found] == [(other.id, D(2026, 8, 1))]


def test_a_week_puts_each_thing_on_its_day() -> None:
    monday = D(2026, 11, 30)
    g = gathering(place_id=SAT_PLACE.id, date="2026-12-05")
    extra = gathering(place_id=SAT_PLACE.id, date="2026-12-02")
    plan = visit_plan(date="2026-12-03")
    meeting = visit_note(visit_type="group_meeting", date="2026-11-10",
                         next_meeting_on="2026-12-04")
    days = week(monday, [SAT_PLACE], [g, extra], [plan], [meeting])
    assert [d.date.weekday() for d in days] == list(range(7))
    assert [s.record for s in days[5].slots] == [g]
    assert days[2].unscheduled == [extra] and days[3].plans == [plan]
    assert days[4].meetings == [meeting] and days[0].empty


def test_a_startup_round_trips_through_restore() -> None:
    from core.domain.kinds import restore
    s = startup()
    assert restore(s.to_dict()) == s and isinstance(restore(s.to_dict()), StartUp)


def test_a_day_of_the_week_is_in_time_order() -> None:
    """A 10:00 planned visit was listed after the day's 17:00 gathering (kinds first)."""
    import datetime as dt

    from core.domain.schedule import Expected
    from core.domain.visit_plan import VisitPlan
    from core.domain.week import Day, Slot

    day = dt.date(2026, 6, 10)
    evening = Slot(Expected(day, "17:00", "19:00", "p1"))
    morning = VisitPlan(id="v1", kind="visit_plan", schema=1, rev=1, created_at="", updated_at="",
                        device_id="d", author="a", date=day.isoformat(), start_time="10:00",
                        place_id="p2", purpose="session_visit")
    untimed = VisitPlan(id="v2", kind="visit_plan", schema=1, rev=1, created_at="", updated_at="",
                        device_id="d", author="a", date=day.isoformat(), start_time=None,
                        place_id="p3", purpose="session_visit")
    agenda = Day(day, slots=[evening], plans=[untimed, morning]).agenda()
    assert agenda == [("plan", morning), ("slot", evening), ("plan", untimed)]
