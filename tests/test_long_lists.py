"""A screen that lists years of cases builds a page of them, and more in place when asked:
the follow-ups of a tablet with thousands of old concerns open as fast as a new one's."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft

from field_app.ui.shell import Shell
from field_app.ui.views.followups import PAGE
from field_app.ui.views.sync_view import PAGE as SYNC_PAGE
from tests.factories import concern
from tests.test_navigation import opened, shown, tap, text_button, unlocked


async def cards_after_each_more(data: Path, count: int) -> list[int]:
    session, page = await opened(1280)
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        for _ in range(count):
            store.save(concern(device_id=store.device_id))
        shell = Shell(page, services, "ja")
        shell.router.go("followups")
        seen = [sum(isinstance(c, ft.Card) for c in shown(page))]
        while True:
            left = count - seen[-1]
            if not left:
                break
            await tap(session, text_button(page, f"さらに表示（あと{left}件）"))
            seen.append(sum(isinstance(c, ft.Card) for c in shown(page)))
        assert not any(isinstance(c, ft.TextButton) and "さらに表示" in str(c.content)
                       for c in shown(page))
        return seen


def test_follow_ups_come_a_page_at_a_time(tmp_path: Path) -> None:
    assert asyncio.run(cards_after_each_more(tmp_path, 2 * PAGE + 5)) == [
        PAGE, 2 * PAGE, 2 * PAGE + 5]


async def sync_rows_after_each_more(data: Path, count: int) -> list[int]:
    session, page = await opened(1280)
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        for _ in range(count):
            store.save(concern(device_id=store.device_id))
        shell = Shell(page, services, "ja")
        shell.router.go("sync")
        seen = [sum(isinstance(c, ft.ListTile) for c in shown(page))]
        while count - seen[-1]:
            await tap(session, text_button(page, f"さらに表示（あと{count - seen[-1]}件）"))
            seen.append(sum(isinstance(c, ft.ListTile) for c in shown(page)))
        return seen


def test_what_waits_comes_a_page_at_a_time(tmp_path: Path) -> None:
    assert asyncio.run(sync_rows_after_each_more(tmp_path, SYNC_PAGE + 3)) == [
        SYNC_PAGE, SYNC_PAGE + 3]
