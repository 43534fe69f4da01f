"""What a new record's form starts with, from the route that opened it: a tap on an
expected gathering opens it with the place, the date and the times filled in (a month of a
place recorded monthly, its report with the month and the usual hours); doing a planned
visit opens its note with the plan's place, start-up and purpose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from core.domain.gathering import MONTH
from field_app.store import Store
from field_app.store.repository import Repository


def defaults(route: str, params: Mapping[str, str], records: Repository) -> dict[str, Any]:
    """The new record's first values (a record already stored opens as it is)."""
    place, startup = params.get("place", ""), params.get("startup", "")
    if route == "gathering":
        out: dict[str, Any] = {"place_id": place}
        out.update({k: params[p] for k, p in (("date", "date"), ("start_time", "start"),
                                               ("end_time", "end")) if params.get(p)})
        if params.get("visited") == "0":  # from the group's own report
            out["staff_visited"] = False
        if params.get("month"):  # a month's report (YYYY-MM), from the operator
            out.update(covers=MONTH, date=f"{params['month']}-01", staff_visited=False)
        return out
    if route == "concern":
        return {"place_id": place}
    if route == "visit":
        plan = records.plan(params["plan"]) if params.get("plan") else None
        if plan is not None:
            return {"place_id": plan.place_id, "startup_id": plan.startup_id,
                    "visit_type": plan.purpose, "plan_id": plan.id}
        out = {"place_id": place, "startup_id": startup}
        if params.get("type"):
            out["visit_type"] = params["type"]
        return out
    if route == "plan":
        out = {"place_id": place, "startup_id": startup}
        if params.get("date"):
            out["date"] = params["date"]
        return out
    return {}


def after_save(route: str, params: Mapping[str, str], store: Store, note_id: str
               ) -> Callable[[], None] | None:
    """What else a save does: a note made from a plan marks the plan done (once)."""
    plan_id = params.get("plan")
    if route != "visit" or not plan_id:
        return None

    def done() -> None:
        plan = Repository(store).plan(plan_id)
        if plan is not None and not plan.done_note_id:
            store.save_async(plan.edited(done_note_id=note_id))

    return done


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
