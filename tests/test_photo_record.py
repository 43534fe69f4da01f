"""The photo record: what the office may know of a picture, never the picture itself."""

from __future__ import annotations

import datetime as dt

import pytest

from core.domain.errors import ValidationError
from core.domain.kinds import FIELD_KINDS, GUARDED, SENSITIVE, parse_record, restore
from tests.factories import REF, photo, photo_data


def problems(data: dict, **kw) -> dict[str, object]:
    with pytest.raises(ValidationError) as info:
        parse_record(data, REF, **kw)
    return {p.field: p for p in info.value.problems}


def test_a_photo_round_trips_and_is_kept_for_the_record_by_default() -> None:
    data = photo_data()
    del data["use"]
    record = parse_record(data, REF)
    assert record.use == "record_only" and not record.for_report
    assert restore(record.to_dict()) == record
    assert parse_record(record.to_dict(), REF) == record


def test_a_photo_is_written_by_devices_and_its_caption_sealed_and_guarded() -> None:
    assert "photo" in FIELD_KINDS
    assert SENSITIVE["photo"] == ("caption",)
    assert GUARDED["photo"] == ("caption",)
    found = problems(photo_data(caption="番号 123456789018 です"))
    assert set(found) == {"caption"}


def test_a_photo_never_belongs_to_a_concern() -> None:
    found = problems(photo_data(record_kind="concern"))
    assert "record_kind" in found
    assert "concern" not in found["record_kind"].expected_en


def test_every_problem_of_a_photo_at_once() -> None:
    found = problems(photo_data(sha256="AB" * 32, size=0, width=4000, height=-1,
                                content_type="image/png", taken_on="2026-06-31",
                                use="anything", record_id="x"), today=dt.date(2026, 6, 10))
    assert set(found) == {"sha256", "size", "width", "height", "content_type", "taken_on",
                          "use", "record_id"}
    assert "64" in found["sha256"].expected_ja


def test_a_photo_is_not_taken_in_the_future() -> None:
    found = problems(photo_data(taken_on="2026-06-20"), today=dt.date(2026, 6, 10))
    assert set(found) == {"taken_on"}
    assert photo(taken_on="2026-06-10").taken_on == "2026-06-10"
