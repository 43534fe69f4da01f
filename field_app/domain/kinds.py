"""The record kinds, and checking any record by its `kind`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from field_app.domain.concern import Concern, OfficePart, parse_concern
from field_app.domain.errors import ValidationError
from field_app.domain.gathering import Gathering, parse_gathering
from field_app.domain.guards import fields_refused
from field_app.domain.place import Place, parse_place
from field_app.domain.problem import Problem
from field_app.domain.record import Record, rebuild
from field_app.domain.reference import Reference
from field_app.domain.startup import StartUp, parse_startup
from field_app.domain.validation import Checker
from field_app.domain.visit_note import VisitNote, parse_visit_note
from field_app.domain.visit_plan import VisitPlan, parse_visit_plan

KINDS: dict[str, type[Record]] = {
    "place": Place,
    "gathering": Gathering,
    "visit_note": VisitNote,
    "concern": Concern,
    "visit_plan": VisitPlan,
    "startup": StartUp,
}
# written by devices (DESIGN §6); everything else is the office's
FIELD_KINDS = ("gathering", "visit_note", "concern", "visit_plan", "startup")
# free text checked for what it may not hold (an individual number): the sealed fields, and
# the other words typed about people or groups
GUARDED: dict[str, tuple[str, ...]] = {
    **{k: cls.SENSITIVE for k, cls in KINDS.items()},
    "concern": (*Concern.SENSITIVE, "subject_alias", "legal_basis_note"),
    "visit_note": (*VisitNote.SENSITIVE, "group_name"),
    "startup": (*StartUp.SENSITIVE, "group_name", "target", "planned_venue"),
    "place": ("name", "group_name", "venue", "schedule"),
}


def guard_problems(data: Mapping[str, Any], ref: Reference) -> list[Problem]:
    """An individual number in any guarded field, named by field; the value is never shown
    (a refusal must not carry the number on)."""
    if ref.guards is None:
        return []
    names = GUARDED.get(str(data.get("kind")), ())
    return [Problem(name, "'…'", f.message.en, f.message.ja)
            for name, f in fields_refused(ref.guards, data, names)]
SENSITIVE: dict[str, tuple[str, ...]] = {k: cls.SENSITIVE for k, cls in KINDS.items()}


_PARSERS: dict[str, Callable[[Mapping[str, Any], Reference, dt.date | None, bool], Record]] = {
    "place": lambda data, ref, today, from_device: parse_place(data, ref),
    "gathering": lambda data, ref, today, from_device: parse_gathering(data, ref, today=today),
    "visit_note": lambda data, ref, today, from_device: parse_visit_note(data, ref, today=today),
    "concern": lambda data, ref, today, from_device: parse_concern(
        data, ref, today=today, allow_office=not from_device),
    "visit_plan": lambda data, ref, today, from_device: parse_visit_plan(data, ref),
    "startup": lambda data, ref, today, from_device: parse_startup(data, ref),
}


def parse_record(
    data: Mapping[str, Any], ref: Reference, *, today: dt.date | None = None,
    from_device: bool = False,
) -> Record:
    """Check any record; raises ValidationError listing every problem.

    `from_device`: a push, which may not carry the office part of a concern."""
    if not isinstance(data, Mapping):
        c = Checker({})
        c.fail("record", data, "an object", "オブジェクト")
        c.raise_if_any()
    kind = data.get("kind")
    parse = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parse is None:
        c = Checker(data)
        c.choice("kind", KINDS.keys(), required=True)
        c.raise_if_any()
        raise AssertionError("unreachable: a kind not parsed is refused above")
    refused = guard_problems(data, ref)
    try:
        record = parse(data, ref, today, from_device)
    except ValidationError as exc:
        raise ValidationError([*exc.problems, *refused]) from None
    if refused:
        raise ValidationError(refused)
    return record


def restore(doc: Mapping[str, Any]) -> Record:
    """Rebuild a record from our own stored form (already validated when saved)."""
    cls = KINDS[str(doc["kind"])]
    values: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value
              for key, value in doc.items()}
    if cls is Concern and values.get("office") is not None:
        values["office"] = OfficePart(**values["office"])
    return rebuild(cls, values)
