"""The frame around the screens, in the field app and the office console, on a real Flet
session: a tab or a frame button tapped while a repaint is on its way still arrives.

The session's connection here encodes every message as Flet's web server does (that is
where Flet takes the snapshot its next diff starts from) and keeps it instead of sending
it; everything else — the page, its diffing, the control index, event dispatch, the shell
and the store under it — is the app's own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flet as ft
import msgpack
import pytest
from fastapi import FastAPI
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import Message, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub
from sqlalchemy import Engine

from core.reference_data import load_reference
from field_app.ui.services import Services
from field_app.ui.shell import Shell
from field_app.ui.views.sync_view import SyncView
from hub import accounts
from hub.web.app import create_app
from office.client import OfficeClient
from office.console import NAV, Console, Settings
from tests.hubs import prepared_engine

PASSWORD = "correct horse battery"


def encoded(body: Any) -> bytes:
    return bytes(msgpack.packb(body, default=configure_encode_object_for_msgpack(BaseControl)))


class Kept(Connection):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.pubsubhub = PubSubHub(loop=loop)
        self.sent: list[bytes] = []

    def send_message(self, message: Message) -> None:
        self.sent.append(encoded([message.action, message.body]))


@contextmanager
def unlocked(data: Path) -> Iterator[Services]:
    services = Services.at(data, load_reference())
    services.create_pin("2468")
    try:
        yield services
    finally:
        services.stop()


def shown(page: ft.Page) -> Iterator[ft.Control]:
    """Every control on the top screen, as the client has them."""
    view = page.views[-1]
    todo: list[Any] = [*view.controls, view.navigation_bar, view.drawer]
    while todo:
        control = todo.pop()
        if isinstance(control, ft.Control):
            yield control
            todo.extend(getattr(control, "controls", None) or [])
            todo.append(getattr(control, "content", None))


def navigation(page: ft.Page) -> ft.Control:
    return next(c for c in shown(page) if isinstance(
        c, ft.NavigationRail | ft.NavigationBar | ft.NavigationDrawer))  # the console's menu


def text_button(page: ft.Page, text: str) -> ft.Control:
    return next(c for c in shown(page) if isinstance(c, ft.TextButton) and c.content == text)


async def opened(width: int) -> tuple[Session, ft.Page]:
    """A window as Flet's web server opens it: registered with the client's size."""
    session = Session(Kept(asyncio.get_running_loop()))
    page = session.page
    _context_page.set(page)
    session.apply_page_patch({"width": width, "height": 800})
    encoded(session.get_page_patch())  # the register answer: the page as the client has it
    return session, page


async def tap(session: Session, control: ft.Control, **state: Any) -> None:
    """A tap as the client sends it: its own state first, then the event."""
    if state:
        session.apply_patch(control._i, state)
    await session.dispatch_event(control._i, "change" if state else "click", None)


def hub_engine(tmp_path: Path) -> Engine:
    """A migrated hub database on SQLite with the sample places and one officer."""
    engine = prepared_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.begin() as conn:
        accounts.add_user(conn, "sato", PASSWORD, "office", "test")
    return engine


async def console_settled(console: Console) -> None:
    """Let the console's requests on their way (a screen loading, a save) finish and stop
    the rest (its idle watch; route pushes this connection never answers), so that no
    request is cut off with its socket open when the loop closes and signs out."""
    console.watching += 1  # its idle watch ends
    me = asyncio.current_task()
    for _ in range(5):
        others = [task for task in asyncio.all_tasks() if task is not me and not task.done()]
        if not others:
            return
        requests = []
        for task in others:
            name = task.get_coro().__qualname__
            if name.endswith((".load", "._save", ".once")):
                requests.append(task)
            else:
                task.cancel()
        await asyncio.wait(requests or others, timeout=30)


async def field_app_tap_after_repaint(data: Path, width: int) -> tuple[str, str]:
    """Open the app, tap 場所 (a repaint), then deliver a tap on 週 to the navigation the
    client still showed before that repaint; return the routes after each."""
    session, page = await opened(width)
    with unlocked(data) as services:
        shell = Shell(page, services, "ja")
        tabs, lock = navigation(page), text_button(page, "ロック")  # where taps go
        shell.router.go("places")  # the repaint on its way when 週 is tapped
        after_repaint = shell.route[0]
        await tap(session, tabs, selected_index=1)
        route = shell.route[0]
        # and the lock at the top right, tapped on the frame from before two repaints
        await tap(session, lock)
        assert services.locked
        return after_repaint, route


@pytest.mark.parametrize("width", [1280, 412])  # the rail on a tablet, the bar on a phone
def test_a_tab_tapped_in_the_field_app_while_it_repaints_is_not_lost(tmp_path: Path,
                                                                     width: int) -> None:
    assert asyncio.run(field_app_tap_after_repaint(tmp_path, width)) == ("places", "week")


async def console_tap_after_repaint(hub: FastAPI, width: int) -> tuple[str, str, bool]:
    session, page = await opened(width)
    console = Console(page, OfficeClient.in_process(hub), Settings())  # as `serve` mounts it
    try:
        await console.desk.client.sign_in("sato", PASSWORD)
        await console._signed_in()
        tabs, english = navigation(page), text_button(page, "English")
        console.go("places")
        after_repaint = console.route[0]
        await tap(session, tabs, selected_index=2)
        route = console.route[0]
        await tap(session, english)
        return after_repaint, route, console.desk.t.lang == "en"
    finally:
        await console_settled(console)
        await console.desk.client.sign_out()
        await console.desk.client.aclose()


@pytest.mark.parametrize("width", [1280, 412])
def test_a_tab_tapped_in_the_console_while_it_repaints_is_not_lost(tmp_path: Path,
                                                                   width: int) -> None:
    engine = hub_engine(tmp_path)
    try:
        third = NAV[2][0]
        assert asyncio.run(console_tap_after_repaint(create_app(engine), width)) == (
            "places", third, True)
    finally:
        engine.dispose()


async def screen_taps_after_sync_repaints(data: Path) -> tuple[str, str, str, str]:
    """Taps and typing delivered to the controls the client showed before the screen was
    drawn again (a sync that pulled changes, a turn of the tablet, a status on the sync
    screen); return where each one led."""
    import dataclasses

    from sync.client import Status
    from tests.factories import IBASHO, gathering

    session, page = await opened(1280)
    with unlocked(data) as services:
        shell = Shell(page, services, "ja")
        startups = next(c for c in shown(page) if isinstance(c, ft.OutlinedButton)
                        and c.content == "立ち上げ相談")
        shell.render(by_user=False)  # what a pass that pulled changes does to home
        await tap(session, startups)
        from_home = shell.route[0]

        shell.go("gathering", place=IBASHO.id)
        note = next(c for c in shown(page) if isinstance(c, ft.TextField) and c.multiline)
        shell.render()  # the tablet turned: the form is drawn again
        session.apply_patch(note._i, {"value": "お茶会"})
        await session.dispatch_event(note._i, "change", None)
        assert shell.form is not None
        typed = str(shell.form.data["note"])

        assert services.store is not None
        record = dataclasses.replace(gathering(), device_id=services.store.device_id)
        services.store.save(record)
        shell.router.go("sync")
        assert isinstance(shell.view, SyncView)
        tile = shell.view.pending[0]  # the record waiting to be sent
        shell.view.show(Status(state="syncing", pending=1, total=1))  # a status published
        page.update()
        await tap(session, tile)
        name, params = shell.route
        return from_home, typed, name, params.get("id", "")


def test_a_tap_or_a_key_that_lands_after_a_screen_is_drawn_again_arrives(
        tmp_path: Path) -> None:
    from_home, typed, opened_from_sync, rid = asyncio.run(
        screen_taps_after_sync_repaints(tmp_path))
    assert from_home == "startups"
    assert typed == "お茶会"
    assert opened_from_sync == "gathering" and rid
