"""Every field of a record the tablet writes, by the label its screen gives it: what a
refusal names (a draft's problems, a record the hub refused) instead of the data's name.
tests/test_words.py checks that every field of every kind has one."""

from __future__ import annotations

from core.domain.reference import Reference
from ui_kit.i18n import Translator
from ui_kit.words import Words

# kind -> field -> the catalogue key of its label
LABELS: dict[str, dict[str, str]] = {
    "gathering": {
        "place_id": "field.place_id", "date": "gathering.date", "start_time": "gathering.start",
        "end_time": "gathering.end", "attendance": "gathering.participants",
        "first_time": "gathering.first_time", "helpers": "gathering.helpers",
        "activities": "gathering.activities", "staff_visited": "gathering.staff_visited",
        "note": "gathering.note", "held": "field.held",
        "not_held_reason": "week.field.not_held_reason", "covers": "field.covers",
        "opening_days": "month.opening_days"},
    "concern": {
        "place_id": "field.place_id", "gathering_id": "field.gathering_id",
        "observed_on": "concern.observed_on", "subject_age_band": "concern.age_band",
        "subject_gender": "concern.gender", "subject_alias": "concern.alias",
        "categories": "concern.categories", "urgency": "concern.urgency",
        "consent": "concern.consent", "legal_basis": "concern.legal_basis",
        "legal_basis_note": "concern.legal_basis_note", "observed": "concern.observed",
        "suggested_destination": "concern.destination", "follow_up_on": "concern.follow_up",
        "office": "field.office"},
    "visit_note": {
        "place_id": "field.place_id", "group_name": "visit.group", "visit_type": "visit.type",
        "date": "visit.date", "duration_minutes": "visit.duration",
        "observations": "visit.observations", "follow_up_on": "visit.follow_up",
        "startup_id": "field.startup_id", "plan_id": "field.plan_id",
        "attendee_roles": "visit.attendees", "topics": "visit.topics",
        "decisions": "visit.decisions", "next_meeting_on": "visit.next_meeting"},
    "visit_plan": {
        "date": "plan.date", "start_time": "plan.time", "place_id": "field.place_id",
        "startup_id": "field.startup_id", "purpose": "plan.purpose", "note": "plan.note",
        "done_note_id": "field.done_note_id", "cancelled": "plan.cancelled"},
    "startup": {
        "group_name": "startup.group_name", "contact_role": "startup.contact_role",
        "area": "startup.area", "program": "startup.program", "target": "startup.target",
        "planned_venue": "startup.planned_venue",
        "planned_frequency": "startup.planned_frequency", "stage": "startup.stage",
        "stage_reason": "startup.stage_reason", "history": "field.history",
        "note": "startup.note"},
    "photo": {
        "record_id": "field.record_id", "record_kind": "field.kind", "sha256": "field.sha256",
        "size": "field.size", "width": "field.width", "height": "field.height",
        "content_type": "field.content_type", "taken_on": "field.taken_on",
        "caption": "photo.caption", "use": "field.use"},
}


def words(t: Translator, ref: Reference | None, kind: str) -> Words:
    """How a refusal of a `kind` record names its fields and values."""
    return Words(t, ref, {name: t(key) for name, key in LABELS.get(kind, {}).items()},
                 ("field.",))
