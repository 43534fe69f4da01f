"""The record kinds, and checking any record by its `kind`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from core.domain.concern import Concern, OfficePart, parse_concern
from core.domain.errors import ValidationError
from core.domain.gathering import Gathering, parse_gathering
from core.domain.photo import Photo, parse_photo
from core.domain.place import Place, parse_place
from core.domain.record import Record, rebuild
from core.domain.reference import Label, Option, Reference
from core.domain.startup import StartUp, parse_startup
from core.domain.validation import Checker, reading_text
from core.domain.visit_note import VisitNote, parse_visit_note
from core.domain.visit_plan import VisitPlan, parse_visit_plan

KINDS: dict[str, type[Record]] = {
    "place": Place,
    "gathering": Gathering,
    "visit_note": VisitNote,
    "concern": Concern,
    "visit_plan": VisitPlan,
    "startup": StartUp,
    "photo": Photo,
}
# written by devices (DESIGN §6); everything else is the office's
FIELD_KINDS = ("gathering", "visit_note", "concern", "visit_plan", "startup", "photo")
SENSITIVE: dict[str, tuple[str, ...]] = {k: cls.SENSITIVE for k, cls in KINDS.items()}


_PARSERS: dict[str, Callable[[Mapping[str, Any], Reference, dt.date | None, bool], Record]] = {
    "place": lambda data, ref, today, from_device: parse_place(data, ref),
    "gathering": lambda data, ref, today, from_device: parse_gathering(data, ref, today=today),
    "visit_note": lambda data, ref, today, from_device: parse_visit_note(data, ref, today=today),
    "concern": lambda data, ref, today, from_device: parse_concern(
        data, ref, today=today, allow_office=not from_device),
    "visit_plan": lambda data, ref, today, from_device: parse_visit_plan(data, ref),
    "startup": lambda data, ref, today, from_device: parse_startup(data, ref, today),
    "photo": lambda data, ref, today, from_device: parse_photo(data, ref, today=today),
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
    return parse(data, ref, today, from_device)


def _read_as_text(kind: str) -> tuple[str, ...]:
    """The fields of `kind` its parser reads as free text (each guarded there)."""
    probe: dict[str, Any] = {"kind": kind}
    # with an area list, `area` is a choice, as in every real reference
    ref = Reference(programs={}, enums=defaultdict(tuple), destinations=(),
                    areas=(Option("_", Label("_", "_")),))
    # an empty probe is refused: what it was read as is all that is asked
    with reading_text(probe) as names, suppress(ValidationError):
        _PARSERS[kind](probe, ref, None, False)
    return tuple(n for n in dict.fromkeys(names) if n not in Record.META)


# free text, found from the parsers (DESIGN §8: not a hand list): refused there when it holds
# an individual number; the form warns about phones and names in these and keeps a number
# typed into one off the disk
GUARDED: dict[str, tuple[str, ...]] = {k: _read_as_text(k) for k in KINDS}


def restore(doc: Mapping[str, Any]) -> Record:
    """Rebuild a record from our own stored form (already validated when saved)."""
    cls = KINDS[str(doc["kind"])]
    values: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value
              for key, value in doc.items()}
    if cls is Concern and values.get("office") is not None:
        values["office"] = OfficePart(**values["office"])
    return rebuild(cls, values)
