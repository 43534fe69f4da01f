"""A place's 開設日 on the screens, on a real Flet session (see test_navigation): the tablet's
place page counts no period before the opening as missed and says when it opened; the
console's place editor sets the date (a bad one is named at its field) and the compliance
grid shows the periods before it as 開設前, not 未達."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import flet as ft
from fastapi import FastAPI

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from field_app.ui.shell import Shell
from hub.web.app import create_app
from office.client import OfficeClient
from office.compliance import ComplianceView
from office.console import Console, Settings
from office.places import PlaceForm
from tests.factories import IBASHO
from tests.test_navigation import (
    PASSWORD,
    console_settled,
    hub_engine,
    opened,
    shown,
    tap,
    unlocked,
)


def within(control: ft.Control) -> list[ft.Control]:
    """`control` and every control under it, in order."""
    found, todo = [], [control]
    while todo:
        c = todo.pop(0)
        if isinstance(c, ft.Control):
            found.append(c)
            todo += [*(getattr(c, "controls", None) or []), getattr(c, "content", None)]
    return found


def texts(page: ft.Page) -> list[str]:
    return [str(c.value) for c in shown(page) if isinstance(c, ft.Text) and c.value]


async def place_page_of_a_place_opened_today(data: Path) -> list[str]:
    _, page = await opened(1280)
    with unlocked(data) as services:
        assert services.store is not None
        services.store.put_reference([dataclasses.replace(
            IBASHO, opened_on=clock.today().isoformat())])  # no gathering recorded before
        shell = Shell(page, services, "ja")
        shell.go("place", id=IBASHO.id)
        return texts(page)


def test_the_tablet_counts_no_period_before_the_place_opened(tmp_path: Path) -> None:
    lines = asyncio.run(place_page_of_a_place_opened_today(tmp_path))
    today = clock.today()
    assert f"開設日: {today.year}年{today.month}月{today.day}日" in "\n".join(lines)
    # the periods of the year before today were before it opened: none is missed
    assert "今年度: 達成 0期 / 未達 0期" in lines
    if today.month not in (4, 5):  # a period of this year ended before today
        assert any("期は数えません" in line for line in lines)


async def until(found: Callable[[], bool]) -> None:
    """Let the console's tasks run (a screen loads, a save answers) until `found`."""
    for _ in range(200):
        if found():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the console never got there")


async def console_sets_the_opening(hub: FastAPI, fiscal_year: int
                                   ) -> tuple[str, str, list[str]]:
    session, page = await opened(1280)
    console = Console(page, OfficeClient.in_process(hub), Settings())  # as `serve` mounts it
    try:
        await console.desk.client.sign_in("sato", PASSWORD)
        await console._signed_in()
        console.go("place", id=IBASHO.id)
        await until(lambda: isinstance(console.view, PlaceForm)
                    and hasattr(console.view, "fields"))
        form = console.view
        assert isinstance(form, PlaceForm)
        day, save = form.fields["opened_on"], next(
            c for c in shown(page) if isinstance(c, ft.FilledButton) and c.content == "保存")
        assert day.label == "開設日"
        await tap(session, day, value=f"{fiscal_year}/12/01")  # not as the hub reads dates
        await tap(session, save)
        await until(lambda: bool(day.error))
        refused = str(day.error)
        await tap(session, day, value=f"{fiscal_year}-12-01")
        await tap(session, save)
        await until(lambda: console.route[0] != "place")
        console.go("compliance")
        await until(lambda: isinstance(console.view, ComplianceView) and console.view.found)
        card = next(c for c in shown(page) if isinstance(c, ft.Card) and any(
            isinstance(x, ft.ListTile) and x.title.value == IBASHO.name for x in within(c)))
        tile = next(x for x in within(card) if isinstance(x, ft.ListTile))
        boxes = [str(c.tooltip) for c in within(card)
                 if isinstance(c, ft.Container) and c.tooltip and "〜" in str(c.tooltip)]
        return refused, str(tile.subtitle.value), boxes
    finally:
        await console_settled(console)
        await console.desk.client.sign_out()
        await console.desk.client.aclose()


def test_the_console_sets_the_opening_and_shows_the_periods_before_it(tmp_path: Path) -> None:
    engine = hub_engine(tmp_path)
    year = fiscal_year_of(clock.today())  # the console's year; the hub's today in January
    try:
        refused, summary, boxes = asyncio.run(console_sets_the_opening(
            create_app(engine, today=lambda: dt.date(year + 1, 1, 10)), year))
    finally:
        engine.dispose()
    assert "YYYY-MM-DD" in refused
    assert "達成 0期・未達 0期" in summary and f"開設 {year}年12月1日" in summary
    assert [b.split(": ")[1] for b in boxes] == ["開設前"] * 4 + [
        "今期・未開催（必要 1回）", "これから（必要 1回）"]
