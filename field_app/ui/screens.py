"""Which screen shows a record of each kind: the one map between the record kinds a device
writes and the routes of their forms. Home, sync, the shell and the forms' first values all
read it, so a kind added here opens everywhere a record of it is listed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.domain.kinds import FIELD_KINDS
from core.domain.record import Record

# record kind -> route of the form that shows and edits it
FORM_ROUTES: dict[str, str] = {
    "gathering": "gathering",
    "concern": "concern",
    "visit_note": "visit",
    "visit_plan": "plan",
    "startup": "startup",
}
# route of a form -> the kind of record it edits
FORM_KINDS: dict[str, str] = {route: kind for kind, route in FORM_ROUTES.items()}
# kinds with no form of their own: shown and edited inside the form of the record they
# belong to (`record_kind`, `record_id`)
ATTACHED = frozenset({"photo"})

if set(FORM_ROUTES) | ATTACHED != set(FIELD_KINDS):  # a kind with no screen would crash a tap on it
    raise RuntimeError(f"field kinds without a screen: {set(FIELD_KINDS) ^ set(FORM_ROUTES)}")


def form_route(kind: str) -> str:
    """The route of the form for a record of `kind`; KeyError names a kind with no form."""
    return FORM_ROUTES[kind]


def form_of(record: Record | Mapping[str, Any]) -> tuple[str, str]:
    """(route, id) of the form that shows `record`: its own, or for a kind shown inside
    another record's form (a photo), the form of the record it belongs to."""
    def get(name: str) -> str:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        return str(value)

    if get("kind") in ATTACHED:
        return FORM_ROUTES[get("record_kind")], get("record_id")
    return FORM_ROUTES[get("kind")], get("id")
