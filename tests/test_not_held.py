"""The not-held dialog on a real Flet session: a second tap on save, before the dialog has
closed (a double tap, a slow tablet), keeps one record, not two."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import flet as ft

from field_app.domain.schedule import Expected
from field_app.ui.shell import Shell
from field_app.ui.views.not_held import NotHeldDialog
from tests.browser import PIN, unlocked_store
from tests.factories import IBASHO
from tests.test_navigation import opened, tap, unlocked


async def save_twice(data: Path) -> None:
    session, page = await opened(1280)
    with unlocked(data) as services:
        shell = Shell(page, services, "ja")
        day = dt.date.today() - dt.timedelta(days=7)
        dialog = NotHeldDialog(shell.session, Expected(day, "10:00", "12:00", IBASHO.id))
        dialog.show()
        dialog.menu.value = "weather"
        save = next(b for b in dialog.dialog.actions if isinstance(b, ft.FilledButton))
        await tap(session, save)
        await tap(session, save)


def test_a_second_tap_on_save_keeps_one_record(tmp_path: Path) -> None:
    asyncio.run(save_twice(tmp_path))  # the store is closed (its writes done) on the way out
    store = unlocked_store(tmp_path, PIN)
    try:
        kept = store.all("gathering")
    finally:
        store.close()
    assert [(g["held"], g["not_held_reason"]) for g in kept] == [(False, "weather")]
