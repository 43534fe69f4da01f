"""The office's destinations and program settings: checked as a whole, applied purely."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.domain.compliance import assess
from core.domain.concern import parse_concern
from core.domain.errors import ValidationError
from core.domain.overrides import apply_overrides, editable, parse_overrides
from tests.factories import REF, concern_data, gathering


def problems(doc: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        parse_overrides(doc, REF)
    return {p.field for p in caught.value.problems}


def test_the_shipped_data_round_trips_unchanged() -> None:
    doc = parse_overrides(editable(REF), REF)
    assert editable(apply_overrides(REF, doc)) == editable(REF)


def test_every_problem_is_named_by_its_path() -> None:
    doc = editable(REF)
    doc["destinations"][0]["ja"] = ""
    doc["destinations"][1]["key"] = "Bad Key"
    doc["destinations"].append(dict(doc["destinations"][2]))  # the same key twice
    ibasho = doc["programs"]["ibasho"]["conditions"][0]["periods"][0]
    ibasho["months"] = 5
    ibasho["qualifies"]["min_minutes"] = -1
    salon = doc["programs"]["ikiiki_salon"]["conditions"][0]
    salon["periods"][0]["months"] = 2  # a weekly condition has no period length
    salon["year"][0]["minimum"] = "five"
    doc["programs"]["ikiiki_salon"]["grant_cap_yen"] = -1
    doc["programs"]["nope"] = {}
    doc["colour"] = "red"
    found = problems(doc)
    assert {"destinations[0].ja", "destinations[1].key", "destinations",
            "programs.ibasho.conditions[0].periods[0].months",
            "programs.ibasho.conditions[0].periods[0].qualifies.min_minutes",
            "programs.ikiiki_salon.conditions[0].periods[0].months",
            "programs.ikiiki_salon.conditions[0].year[0].minimum",
            "programs.ikiiki_salon.grant_cap_yen", "programs.nope", "colour"} <= found


def test_a_destination_is_retired_not_deleted() -> None:
    doc = editable(REF)
    dropped = doc["destinations"].pop(0)
    assert problems(doc) == {"destinations"}
    doc["destinations"].insert(0, {**dropped, "retired": True})
    ref = apply_overrides(REF, parse_overrides(doc, REF))
    assert dropped["key"] not in {d.key for d in ref.active_destinations}
    # a concern written before still names it, and stays valid
    parse_concern(concern_data(suggested_destination=dropped["key"]), ref)


def test_a_new_destination_can_be_chosen_and_program_settings_change_compliance() -> None:
    doc = editable(REF)
    doc["destinations"].append({"key": "food_bank", "ja": "フードバンク", "phone": "0422-00-0099"})
    doc["programs"]["ibasho"]["conditions"][0]["periods"][0]["qualifies"]["min_minutes"] = 90
    ref = apply_overrides(REF, parse_overrides(doc, REF))
    new = next(d for d in ref.destinations if d.key == "food_bank")
    assert new.label.en == "フードバンク" and new.attrs["phone"] == "0422-00-0099"
    parse_concern(concern_data(suggested_destination="food_bank"), ref)
    with pytest.raises(ValidationError):
        parse_concern(concern_data(suggested_destination="food_bank"), REF)
    short = gathering(date="2026-04-10", start_time="10:00", end_time="11:30")
    today = dt.date(2026, 6, 1)
    assert assess(REF.programs["ibasho"], [short], 2026, today, open_span=None).met == 0
    assert assess(ref.programs["ibasho"], [short], 2026, today, open_span=None).met == 1
    # the shipped data is untouched
    assert REF.programs["ibasho"].conditions[0].periods[0].qualifies.min_minutes == 120
