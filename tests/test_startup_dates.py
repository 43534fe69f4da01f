"""A start-up's stage dates are the user's: a consultation recorded the day after says when
it happened (the stage dates were always the day of typing), and never a day in the future."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from core.domain import clock
from core.domain.errors import ValidationError
from core.domain.kinds import parse_record
from core.reference_data import load_reference
from field_app.ui.shell import Shell
from tests import factories
from tests.browser import PIN, unlocked_store
from tests.test_navigation import opened, unlocked


def test_a_stage_dated_in_the_future_is_refused_naming_the_step() -> None:
    today = dt.date(2026, 12, 7)
    history = [{"stage": "consult", "on": "2026-12-01"}, {"stage": "prepare", "on": "2026-12-10"}]
    with pytest.raises(ValidationError) as info:
        parse_record(factories.startup_data(stage="prepare", history=history),
                     load_reference(), today=today)
    assert [p.field for p in info.value.problems] == ["history[1].on"]
    assert "未来ではない日付" in info.value.problems[0].expected_ja
    history[1]["on"] = "2026-12-06"  # the day before: what a next-day entry says
    assert parse_record(factories.startup_data(stage="prepare", history=history),
                        load_reference(), today=today)


async def date_the_stage(data: Path, days_ago: int, ahead: int) -> tuple[list[Any], Any]:
    session, page = await opened(1280)
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        made = factories.startup(device_id=store.device_id,
                                 history=[{"stage": "consult", "on": "2026-04-01"}])
        store.save(made)
        shell = Shell(page, services, "ja")
        shell.router.go("startup", id=made.id)
        view = shell.view
        field = view.stage_on.field  # type: ignore[attr-defined]
        for day in (clock.today() - dt.timedelta(days=days_ago),
                    clock.today() + dt.timedelta(days=ahead)):
            session.apply_patch(field._i, {"value": day.isoformat()})
            await session.dispatch_event(field._i, "blur", None)
        for _ in range(100):  # the writer answers, then the form repaints (bounded)
            if store.draft(made.id) is not None and field.error:
                break
            await asyncio.sleep(0.05)
        shown_error = field.error
        page.on_disconnect(None)  # type: ignore[misc]
        return [made.id, shown_error], None


def test_the_user_dates_the_stage_and_a_future_day_is_kept_as_a_draft(tmp_path: Path) -> None:
    (rid, error), _ = asyncio.run(date_the_stage(tmp_path, days_ago=1, ahead=5))
    assert error and "未来" in str(error)
    store = unlocked_store(tmp_path, PIN)
    try:
        saved = store.get("startup", rid)
        assert saved is not None
        # the day before was saved; the future day stays a draft with its problem shown
        assert saved["history"][-1]["on"] == (clock.today() - dt.timedelta(days=1)).isoformat()
        draft = store.draft(rid)
        assert draft is not None and draft["history"][-1]["on"] > clock.today().isoformat()
    finally:
        store.close()
