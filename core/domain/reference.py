"""Reference data as typed values: programs, enumerations, destinations, places.

The data itself lives in `assets/data/*.json` (DESIGN §3: rules and labels are
data, not code); `core.reference_data` reads those files and builds these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.domain.conditions import ConditionSet, in_force
from core.domain.errors import ValidationError
from core.domain.guards import Guards
from core.domain.label import Label
from core.domain.problem import Problem, shown

__all__ = ["Label", "Option", "Program", "Reference"]  # Label is at home in label.py

# How a program's openings are recorded: each session by staff, or the operator's report of
# the month (a テンミリオンハウス open six days a week is not a card a day)
PER_SESSION, MONTHLY = "per_session", "monthly"
RECORDINGS = (PER_SESSION, MONTHLY)


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
    recording: str = PER_SESSION  # per_session | monthly
    # monthly: the month's report is due by this day of the next month
    report_due_day: int = 0

    @property
    def monthly(self) -> bool:
        return self.recording == MONTHLY

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


def parse_recording(data: Mapping[str, Any], conditions: tuple[ConditionSet, ...],
                    name: str) -> tuple[str, int]:
    """A program's `recording` and `report_due_day`, checked with its conditions; raises
    ValidationError naming each problem by its path (`programs.tenmillion.recording`)."""
    problems: list[Problem] = []
    recording = data.get("recording", PER_SESSION)
    if recording not in RECORDINGS:
        problems.append(Problem(
            f"{name}.recording", shown(recording),
            "per_session (each session recorded by staff) or monthly (the operator's monthly "
            "report)", "per_session（開催ごとに職員が記録）または monthly（運営団体の月次報告）"))
        recording = PER_SESSION
    due = data.get("report_due_day")
    if recording == MONTHLY:
        if isinstance(due, bool) or not isinstance(due, int) or not 1 <= due <= 28:
            problems.append(Problem(
                f"{name}.report_due_day", shown(due),
                "the day of the next month the monthly report is due by (1 to 28)",
                "月次報告の翌月の提出期限日（1〜28）"))
            due = 0
    elif due is not None:
        problems.append(Problem(f"{name}.report_due_day", shown(due),
                                "report_due_day only with recording monthly",
                                "report_due_day は recording が monthly のときだけ"))
        due = 0
    problems += weekly_problems(str(recording), conditions, f"{name}.conditions")
    if problems:
        raise ValidationError(problems)
    return str(recording), int(due or 0)


def weekly_problems(recording: str, conditions: Sequence[ConditionSet], name: str
                    ) -> list[Problem]:
    """A month's report says nothing of single weeks: a program recorded monthly cannot
    have a weekly condition (it could never be met, nor missed, truly)."""
    if recording != MONTHLY:
        return []
    return [Problem(f"{name}[{i}].periods[{j}].period", c.period,
                    "a month or longer: this program is recorded by monthly reports",
                    "1か月以上（この事業は月次報告で記録します）")
            for i, version in enumerate(conditions) for j, c in enumerate(version.periods)
            if c.period == "week"]
