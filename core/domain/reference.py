"""Reference data as typed values: programs, enumerations, destinations, places.

The data itself lives in `assets/data/*.json` (DESIGN §3: rules and labels are
data, not code); `core.reference_data` reads those files and builds these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.conditions import ConditionSet, in_force
from core.domain.guards import Guards
from core.domain.label import Label

__all__ = ["Label", "Option", "Program", "Reference"]  # Label is at home in label.py


@dataclass(frozen=True)
class Option:
    """One value of an enumeration, with its labels and optional attributes."""

    key: str
    label: Label
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    key: str
    label: Label
    target: Label
    frequency: Label
    participant_categories: tuple[Option, ...]
    # the grant conditions, one set per fiscal year they came into force (domain.conditions)
    conditions: tuple[ConditionSet, ...]
    grant_cap_yen: int
    requires_registration: bool

    def conditions_in(self, fiscal_year: int) -> ConditionSet:
        return in_force(self.conditions, fiscal_year)

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.participant_categories)


@dataclass(frozen=True)
class Reference:
    """Everything a validator or a rule needs to know about the world."""

    programs: Mapping[str, Program]
    enums: Mapping[str, tuple[Option, ...]]
    destinations: tuple[Option, ...]
    place_programs: Mapping[str, str] = field(default_factory=dict)  # place id -> program key
    areas: tuple[Option, ...] = ()
    # planning limits (assets/data/planning.json): e.g. not_visited_days, missed_lookback_days
    limits: Mapping[str, int] = field(default_factory=dict)
    guards: Guards | None = None  # what free text may not hold (assets/data/guards.json)

    def keys(self, enum: str) -> frozenset[str]:
        # asked for each field of each record checked: made once per enumeration
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_keys", {})
        found = cache.get(enum)
        if found is None:
            found = cache[enum] = frozenset(o.key for o in self.enums[enum])
        return found

    def option(self, enum: str, key: str) -> Option | None:
        return next((o for o in self.enums[enum] if o.key == key), None)

    @property
    def destination_keys(self) -> frozenset[str]:
        """Every destination, retired ones too: earlier concerns still name them."""
        return frozenset(d.key for d in self.destinations)

    @property
    def active_destinations(self) -> tuple[Option, ...]:
        """The destinations offered for new choices."""
        return tuple(d for d in self.destinations if not d.attrs.get("retired"))

    def program_of_place(self, place_id: str) -> Program | None:
        key = self.place_programs.get(place_id)
        return self.programs.get(key) if key else None

    def with_places(self, place_programs: Mapping[str, str]) -> Reference:
        return Reference(self.programs, self.enums, self.destinations, dict(place_programs),
                         self.areas, self.limits, self.guards)

    def limit(self, name: str, default: int) -> int:
        return int(self.limits.get(name, default))
