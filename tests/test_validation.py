"""Validation returns every problem at once, naming field, value and expectation in ja and en."""

from __future__ import annotations

import datetime as dt

import pytest

from core.domain.concern import parse_office_part
from core.domain.errors import ValidationError
from core.domain.kinds import parse_record, restore
from tests.factories import (
    REF,
    SALON,
    concern,
    concern_data,
    gathering,
    gathering_data,
    visit_note,
    visit_note_data,
)


def problems(data: dict, **kw) -> dict[str, object]:
    with pytest.raises(ValidationError) as info:
        parse_record(data, REF, **kw)
    return {p.field: p for p in info.value.problems}


def test_valid_records_parse_and_round_trip() -> None:
    for record in (gathering(), concern(), visit_note()):
        again = parse_record(record.to_dict(), REF)
        assert again == record
        assert restore(record.to_dict()) == record


def test_gathering_reports_every_problem_at_once() -> None:
    found = problems(gathering_data(
        date="2026-02-30", start_time="15:00", end_time="14:59",
        attendance={"senior": -1, "adult": "3", "pets": 2}, first_time=99, helpers=1.5,
        activities=["talk", "karaoke"], surprise=True))
    assert set(found) == {"date", "end_time", "attendance.senior", "attendance.adult",
                          "attendance.pets", "first_time", "helpers", "activities", "surprise"}
    p = found["end_time"]
    assert "after the start (15:00)" in p.text("en")  # type: ignore[attr-defined]
    assert "開始時刻" in p.text("ja")  # type: ignore[attr-defined]
    assert "'pets'" in found["attendance.pets"].text("en")  # type: ignore[attr-defined]


def test_first_timers_never_exceed_participants() -> None:
    gathering(attendance={"senior": 2}, first_time=2)  # equal is fine
    found = problems(gathering_data(attendance={"senior": 2}, first_time=3))
    assert "no more than the participants (2)" in found["first_time"].text("en")  # type: ignore[attr-defined]


def test_counts_are_non_negative_whole_numbers() -> None:
    for bad in (-1, 2.5, True, "4", None, 10_001):
        data = gathering_data(attendance={"senior": bad})
        if bad is None:
            data["attendance"] = {"senior": None}
        assert "attendance.senior" in problems(data)


def test_categories_come_from_the_places_program() -> None:
    salon = gathering_data(place_id=SALON.id, attendance={"senior": 9, "under_65": 1})
    assert parse_record(salon, REF).participants == 10  # type: ignore[attr-defined]
    found = problems(gathering_data(place_id=SALON.id, attendance={"preschool": 1}))
    assert "senior, under_65" in found["attendance.preschool"].text("en")  # type: ignore[attr-defined]


def test_missing_categories_count_as_zero() -> None:
    g = gathering(attendance={"senior": 4}, first_time=0)
    assert dict(g.attendance) == {"preschool": 0, "school_age": 0, "adult": 0, "senior": 4}


def test_dates_must_be_sane() -> None:
    today = dt.date(2026, 6, 10)
    assert "date" in problems(gathering_data(date="2026-06-12"), today=today)
    gathering(date="2026-06-11")  # one day of slack for time zones
    for bad in ("1999-12-31", "2026/06/10", "10-06-2026", "", 20260610):
        assert "date" in problems(gathering_data(date=bad))


def test_required_fields_and_unknown_place() -> None:
    data = gathering_data(place_id="00000000-0000-4000-8000-000000000000")
    del data["start_time"]
    found = problems(data)
    assert "a known place" in found["place_id"].text("en")  # type: ignore[attr-defined]
    assert found["start_time"].text("ja").endswith("（必須項目です）")  # type: ignore[attr-defined]


def test_meta_fields_are_checked() -> None:
    found = problems(gathering_data(id="not-a-uuid", rev=0, created_at="2026-06-10T10:00:00",
                                    updated_at="yesterday"))
    assert set(found) >= {"id", "rev", "created_at", "updated_at"}


def test_unknown_kind_is_named() -> None:
    found = problems({"kind": "diary"})
    assert "gathering" in found["kind"].text("en")  # type: ignore[attr-defined]


def test_emergency_needs_a_destination() -> None:
    found = problems(concern_data(urgency="emergency", suggested_destination=None))
    assert "緊急" in found["suggested_destination"].text("ja")  # type: ignore[attr-defined]
    concern(urgency="emergency", suggested_destination="emergency")


def test_sensitive_categories_need_a_consent_status() -> None:
    concern(categories=["isolation"], consent=None)  # not sensitive: consent optional
    for category in ("dementia_suspected", "abuse_suspected", "dv", "health", "disability",
                     "mental_health"):
        found = problems(concern_data(categories=[category], consent=None))
        assert set(found) == {"consent"}
    # consent that could not be asked: the concern then says on what basis it is recorded
    assert set(problems(concern_data(categories=["dementia_suspected"],
                                     consent="not_possible"))) == {"legal_basis"}
    concern(categories=["dementia_suspected"], consent="not_possible",
            legal_basis="life_body_emergency")


def test_concern_needs_categories_and_subject() -> None:
    found = problems(concern_data(categories=[], subject_age_band="teen?", subject_gender=None,
                                  subject_alias="山田 太郎（やまだ たろう）東町3丁目のお宅"))
    assert set(found) == {"categories", "subject_age_band", "subject_gender", "subject_alias"}


def test_office_cannot_mark_referred_without_destination() -> None:
    with pytest.raises(ValidationError) as info:
        parse_office_part({"status": "referred", "referred_on": "2026-06-11"}, REF)
    assert [p.field for p in info.value.problems] == ["office.destination"]
    part = parse_office_part({"status": "referred", "destination": "houkatsu",
                              "referred_on": "2026-06-11"}, REF)
    assert part.destination == "houkatsu"


def test_devices_cannot_write_the_office_part() -> None:
    from core.domain.concern import parse_concern

    data = concern_data(office={"status": "closed", "closed_on": "2026-06-11"})
    parse_concern(data, REF)
    with pytest.raises(ValidationError) as info:
        parse_concern(data, REF, allow_office=False)
    assert [p.field for p in info.value.problems] == ["office"]


def test_visit_note_needs_place_or_group_and_sane_follow_up() -> None:
    found = problems(visit_note_data(place_id=None, group_name="  "))
    assert "place_id" in found
    visit_note(place_id=None, group_name="新しく始めたい会")
    found = problems(visit_note_data(follow_up_on="2026-06-01", duration_minutes=24 * 60 + 1,
                                     visit_type="chat"))
    assert set(found) == {"follow_up_on", "duration_minutes", "visit_type"}


def test_text_limits_and_nul() -> None:
    found = problems(gathering_data(note="あ" * 20_001))
    assert "20000" in found["note"].text("en")  # type: ignore[attr-defined]
    assert "note" in problems(gathering_data(note="a\x00b"))


def test_edit_bumps_rev_and_time() -> None:
    g = gathering()
    e = g.edited(note="追記", at="2099-01-01T00:00:00.000Z")
    assert (e.rev, e.note, e.updated_at, e.created_at) == (2, "追記", "2099-01-01T00:00:00.000Z",
                                                           g.created_at)


def test_every_kind_of_record_has_its_parser() -> None:
    from core.domain.kinds import _PARSERS, KINDS

    assert set(_PARSERS) == set(KINDS)
