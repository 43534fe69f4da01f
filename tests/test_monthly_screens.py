"""Ways into a month's report on a real Flet session (tests/test_navigation's): recording a
gathering at a テンミリオンハウス — from the place picker or the place's screen — opens its
month's report (last month's until it is recorded, then this month's), never a session's
form; a salon still opens the session's form."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import flet as ft

from core.domain import clock
from core.domain.monthly import first_of
from field_app.ui.shell import Shell
from field_app.ui.views.gathering import GatheringView
from field_app.ui.views.month_report import MonthReportView
from tests.factories import PLACES, SALON
from tests.test_monthly import report
from tests.test_navigation import opened, shown, tap, unlocked

HOUSE = next(p for p in PLACES if p.program == "tenmillion")


def titled(page: ft.Page, text: str) -> ft.Control:
    """The tile or button on screen that says `text`."""
    for c in shown(page):
        if isinstance(c, ft.ListTile) and isinstance(c.title, ft.Text) and c.title.value == text:
            return c
        if isinstance(c, ft.FilledButton) and c.content == text:
            return c
    raise AssertionError(f"nothing on screen says {text!r}")


async def routes(data: Path) -> list[tuple[str, dict[str, Any], type]]:
    session, page = await opened(1280)
    today = clock.today()
    last = first_of(first_of(today) - dt.timedelta(days=1))
    out = []
    with unlocked(data) as services:
        shell = Shell(page, services, "ja")

        async def picked(name: str) -> None:
            shell.go("places", pick="gathering")
            await tap(session, titled(page, name))
            out.append((shell.route[0], dict(shell.route[1]), type(shell.view)))

        await picked(HOUSE.name)  # last month's report
        await picked(SALON.name)  # a session
        store = services.store
        assert store is not None
        store.save(dataclasses.replace(report(last.isoformat()[:7], days=20),
                                       device_id=store.device_id))
        shell.go("place", id=HOUSE.id)  # last month is recorded: this month's
        await tap(session, titled(page, "月次報告を記録"))
        out.append((shell.route[0], dict(shell.route[1]), type(shell.view)))
    return out


def test_a_gathering_at_a_house_recorded_monthly_opens_its_months_report(tmp_path: Path
                                                                          ) -> None:
    today = clock.today()
    last = first_of(first_of(today) - dt.timedelta(days=1))
    house, salon, place = asyncio.run(routes(tmp_path / "data"))
    assert house[0] == "gathering" and house[2] is MonthReportView
    assert (house[1]["place"], house[1]["month"], house[1]["start"], house[1]["end"]) == (
        HOUSE.id, last.isoformat()[:7], "09:00", "17:00")
    assert salon[0] == "gathering" and salon[2] is GatheringView and "month" not in salon[1]
    assert place[2] is MonthReportView and place[1]["month"] == today.isoformat()[:7]
