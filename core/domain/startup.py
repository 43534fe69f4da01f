"""A start-up consultation (立ち上げ相談): a group that wants to open a place, followed
from the first consultation through 準備 to 開設 or 見送り (DESIGN §4).

Written on the device by the staff member who advises the group; the group is named by
the group's name and the role of the person who came (地域住民, 民生委員, …), never by a
person's name. Each change of stage is kept in `history`. The office links the place it
opens to the start-up (`Place.startup_id`); the start-up itself stays the staff member's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

CONSULT, PREPARE, OPENED, DECLINED = "consult", "prepare", "opened", "declined"
STAGES = (CONSULT, PREPARE, OPENED, DECLINED)
FIELDS = ("group_name", "contact_role", "area", "program", "target", "planned_venue",
          "planned_frequency", "stage", "stage_reason", "history", "note")
MAX_HISTORY = 50


@dataclass(frozen=True)
class Step:
    stage: str
    on: str  # YYYY-MM-DD


@dataclass(frozen=True, kw_only=True)
class StartUp(Record):
    kind: str = "startup"
    group_name: str
    contact_role: str
    area: str
    program: str = ""
    target: str = ""
    planned_venue: str = ""
    planned_frequency: str = ""
    stage: str = CONSULT
    stage_reason: str = ""  # why it is not going ahead (見送り)
    history: tuple[Mapping[str, str], ...] = ()  # each {"stage", "on"}, oldest first
    note: str = ""

    SENSITIVE = ("note",)

    @property
    def first_consulted(self) -> str:
        return str(self.history[0]["on"]) if self.history else self.created_at[:10]

    def moved_to(self, stage: str, on: dt.date, reason: str = "") -> dict[str, Any]:
        """The changes that move this start-up to `stage` on `on` (history kept)."""
        history = [dict(h) for h in self.history]
        if stage != self.stage:
            history.append({"stage": stage, "on": on.isoformat()})
        return {"stage": stage, "history": history,
                "stage_reason": reason if stage == DECLINED else ""}


def parse_startup(data: Mapping[str, Any], ref: Reference, today: dt.date | None = None
                  ) -> StartUp:
    """Check a start-up. With `today`, no step of its history may be dated later (a day's
    grace, as for a concern: a tablet's clock and the hub's may straddle midnight)."""
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "startup")
    stage = c.choice("stage", STAGES, required=True)
    reason = c.text("stage_reason", max_len=500)
    if stage == DECLINED and not reason.strip():
        c.fail("stage_reason", reason, "why it is not going ahead (required for 見送り)",
               "見送りの理由（必須）")
    body: dict[str, Any] = dict(
        group_name=c.text("group_name", required=True, max_len=100),
        contact_role=c.choice("contact_role", ref.keys("contact_roles"), required=True),
        area=c.choice("area", {a.key for a in ref.areas}, required=True) if ref.areas
        else c.text("area", required=True, max_len=50),
        program=c.choice("program", ref.programs.keys()),
        target=c.text("target", max_len=200),
        planned_venue=c.text("planned_venue", max_len=200),
        planned_frequency=c.text("planned_frequency", max_len=200),
        stage=stage,
        stage_reason=reason,
        history=_history(c, stage, today),
        note=c.text("note"),
    )
    c.raise_if_any()
    return rebuild(StartUp, {**meta, **body})


def _history(c: Checker, stage: str, today: dt.date | None) -> tuple[dict[str, str], ...]:
    raw = c.data.get("history")
    if raw is None or raw == []:
        c.fail("history", raw, "at least the first consultation ({stage, on})",
               "少なくとも最初の相談（stage と on）")
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_HISTORY:
        c.fail("history", raw, f"a list of at most {MAX_HISTORY} steps",
               f"{MAX_HISTORY}件以内のリスト")
        return ()
    steps: list[dict[str, str]] = []
    for i, step in enumerate(raw):
        name = f"history[{i}]"
        if not isinstance(step, Mapping) or set(step) != {"stage", "on"} \
                or step["stage"] not in STAGES:
            c.fail(name, step, "{stage: one of " + ", ".join(STAGES) + ", on: YYYY-MM-DD}",
                   "{stage: 段階, on: 日付}")
            continue
        sub = Checker(step)
        day = sub.date("on", required=True)
        if sub.problems or day is None:
            c.fail(f"{name}.on", step.get("on"), "a date as YYYY-MM-DD", "YYYY-MM-DD 形式の日付")
            continue
        if steps and day.isoformat() < steps[-1]["on"]:
            c.fail(f"{name}.on", step["on"], "not before the step above", "前の段階より後の日付")
        if today and day > today + dt.timedelta(days=1):
            c.fail(f"{name}.on", step["on"], "a date not in the future", "未来ではない日付")
        steps.append({"stage": str(step["stage"]), "on": day.isoformat()})
    if steps and steps[-1]["stage"] != stage:
        c.fail("history", steps[-1]["stage"], f"a last step that is the stage ({stage})",
               f"最後の段階が現在の段階（{stage}）と一致すること")
    return tuple(steps)
