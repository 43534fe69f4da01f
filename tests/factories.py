"""Valid records to start tests from; each test changes only what it is about."""

from __future__ import annotations

from typing import Any

from core.domain.concern import Concern, parse_concern
from core.domain.gathering import Gathering, parse_gathering
from core.domain.photo import Photo, parse_photo
from core.domain.record import new_meta
from core.domain.startup import StartUp, parse_startup
from core.domain.visit_note import VisitNote, parse_visit_note
from core.domain.visit_plan import VisitPlan, parse_visit_plan
from core.reference_data import load_reference, sample_places

REF = load_reference()
PLACES = sample_places()
IBASHO = next(p for p in PLACES if p.program == "ibasho")
SALON = next(p for p in PLACES if p.program == "ikiiki_salon")
DEVICE = "device-test-1"


def gathering_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("gathering", DEVICE, "山田 花子")
    data.update(place_id=IBASHO.id, date="2026-06-10", start_time="13:00", end_time="15:00",
                attendance={"preschool": 2, "school_age": 0, "adult": 3, "senior": 8},
                first_time=1, helpers=3, activities=["talk", "meal"], staff_visited=True,
                note="にぎやかでした")
    data.update(overrides)
    return data


def gathering(**overrides: Any) -> Gathering:
    return parse_gathering(gathering_data(**overrides), REF)


def concern_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("concern", DEVICE, "山田 花子")
    data.update(place_id=IBASHO.id, observed_on="2026-06-10", subject_age_band="80s_plus",
                subject_gender="female", subject_alias="Aさん", categories=["isolation"],
                urgency="medium", consent="verbal", observed="最近一人で来ることが増えた",
                suggested_destination="houkatsu", follow_up_on="2026-06-24")
    data.update(overrides)
    return data


def concern(**overrides: Any) -> Concern:
    return parse_concern(concern_data(**overrides), REF)


def visit_note_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("visit_note", DEVICE, "山田 花子")
    data.update(place_id=IBASHO.id, visit_type="session_visit", date="2026-06-10",
                duration_minutes=90, observations="運営の方と次回の相談", follow_up_on=None)
    data.update(overrides)
    return data


def visit_note(**overrides: Any) -> VisitNote:
    return parse_visit_note(visit_note_data(**overrides), REF)


def visit_plan_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("visit_plan", DEVICE, "山田 花子")
    data.update(date="2026-06-12", place_id=IBASHO.id, purpose="session_visit",
                note="会計の方と助成の話")
    data.update(overrides)
    return data


def visit_plan(**overrides: Any) -> VisitPlan:
    return parse_visit_plan(visit_plan_data(**overrides), REF)


def startup_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("startup", DEVICE, "山田 花子")
    data.update(group_name="緑町子育てサークル", contact_role="parents", area="midori",
                program="ibasho", target="乳幼児と保護者", planned_venue="緑町集会所",
                planned_frequency="月1回", stage="consult",
                history=[{"stage": "consult", "on": "2026-06-01"}], note="")
    data.update(overrides)
    return data


def startup(**overrides: Any) -> StartUp:
    return parse_startup(startup_data(**overrides), REF)


def photo_data(**overrides: Any) -> dict[str, Any]:
    data = new_meta("photo", DEVICE, "山田 花子")
    data.update(record_id=gathering().id, record_kind="gathering", sha256="ab" * 32,
                size=412_345, width=2048, height=1536, content_type="image/jpeg",
                taken_on="2026-06-10", caption="みんなで昼食づくり", use="record_only")
    data.update(overrides)
    return data


def photo(**overrides: Any) -> Photo:
    return parse_photo(photo_data(**overrides), REF)
