"""The console sends a button's request once while it is on its way: a double click on save
(each tap is a task of its own) made a new place twice. On a real Flet session and a real
hub in this process, as the console calls it (see test_navigation for the session)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft
from fastapi import FastAPI
from sqlalchemy import Engine, text

from hub.web.app import create_app
from office.client import OfficeClient
from office.console import Console, Settings
from office.places import PlaceForm
from tests.test_navigation import PASSWORD, console_settled, hub_engine, opened, shown, tap


async def sending() -> list[asyncio.Task[object]]:
    """The console's save requests still running."""
    return [task for task in asyncio.all_tasks() if task is not asyncio.current_task()
            and task.get_coro().__qualname__ in ("PlaceForm._save", "Desk.send.<locals>.once")]


async def save_a_new_place_twice(hub: FastAPI) -> None:
    session, page = await opened(1280)
    console = Console(page, OfficeClient.in_process(hub), Settings())  # as `serve` mounts it
    try:
        await console.desk.client.sign_in("sato", PASSWORD)
        await console._signed_in()
        console.go("place", id="")
        for _ in range(100):  # the form loads on a task of its own
            if isinstance(console.view, PlaceForm) and hasattr(console.view, "fields"):
                break
            await asyncio.sleep(0.05)
        form = console.view
        assert isinstance(form, PlaceForm)
        form.data.update(name="二度押しサロン", kana="にどおしさろん",
                         area=console.desk.ref.areas[0].key)
        save = next(c for c in shown(page)
                    if isinstance(c, ft.FilledButton) and c.content == "保存")
        await tap(session, save)
        await tap(session, save)  # before the first one's answer has come back
        for _ in range(200):  # what the taps started (on the loop's next turns), until done
            await asyncio.sleep(0.05)
            running = await sending()
            if running:
                await asyncio.wait(running, timeout=30)
            elif console.route[0] != "place":
                break
        assert console.route[0] != "place"  # the form was saved and left
    finally:
        await console_settled(console)
        await console.desk.client.sign_out()
        await console.desk.client.aclose()


def test_a_double_click_on_save_makes_one_place(tmp_path: Path) -> None:
    engine = hub_engine(tmp_path)
    try:
        before = count_places(engine)
        asyncio.run(save_a_new_place_twice(create_app(engine)))
        assert count_places(engine) == before + 1
    finally:
        engine.dispose()


def count_places(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM places")).scalar_one())
