"""A draft is found where its kind is listed, and can be thrown away after a confirmation:
a start-up typed half-way was a draft the 立ち上げ相談 list did not show (so the user made a
second one), and no draft could be discarded. On a real Flet session."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft

from field_app.ui.shell import Shell
from tests import factories
from tests.browser import PIN, unlocked_store
from tests.test_navigation import opened, shown, tap, unlocked


def texts(page: ft.Page) -> list[str]:
    found = []
    for c in shown(page):
        parts = [c.title, c.subtitle] if isinstance(c, ft.ListTile) else [c]
        found += [str(p.value) for p in parts if isinstance(p, ft.Text) and p.value]
    return found


def tile_of(page: ft.Page, text: str) -> ft.ListTile:
    return next(c for c in shown(page) if isinstance(c, ft.ListTile)
                and isinstance(c.title, ft.Text) and c.title.value == text)


async def discard_a_startup_draft(data: Path) -> tuple[list[str], list[str], list[str], str]:
    session, page = await opened(1280)
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        # half-way: a group's name typed, nothing else yet (not a valid start-up)
        half = {**factories.startup_data(device_id=store.device_id), "group_name": "ひだまりの会",
                "area": "", "stage": ""}
        store.put_draft(half).result()
        saved = factories.startup(device_id=store.device_id, group_name="保存済みの会")
        store.save(saved)
        store.put_draft({**saved.to_dict(), "target": ""}).result()  # an edit left half-way
        shell = Shell(page, services, "ja")
        shell.router.go("startups")
        listed = texts(page)
        tile = tile_of(page, "ひだまりの会")
        discard = tile.trailing.content  # type: ignore[union-attr]  # the labelled IconButton
        await tap(session, discard)
        dialog = page._dialogs.controls[-1]
        kept = next(b for b in dialog.actions if isinstance(b, ft.TextButton))  # type: ignore[attr-defined]
        await tap(session, kept)  # 残す: nothing happens
        still = [d.id for d in shell.session.records.drafts("startup")]
        await tap(session, discard)
        dialog = page._dialogs.controls[-1]
        gone = next(b for b in dialog.actions if isinstance(b, ft.FilledButton))  # type: ignore[attr-defined]
        await tap(session, gone)
        for _ in range(100):  # the writer answers, then the screen repaints (bounded)
            if "ひだまりの会" not in texts(page):
                break
            await asyncio.sleep(0.05)
        after = texts(page)
        page.on_disconnect(None)  # type: ignore[misc]
        return listed, still, after, saved.id


def test_a_startup_draft_is_listed_and_discarded_after_a_confirmation(tmp_path: Path) -> None:
    listed, still, after, saved_id = asyncio.run(discard_a_startup_draft(tmp_path))
    assert "下書き（入力途中）（2）" in listed and "ひだまりの会" in listed
    assert len(still) == 2  # 残す kept it
    assert "ひだまりの会" not in after and "保存済みの会" in " ".join(after)
    store = unlocked_store(tmp_path, PIN)
    try:
        assert [d["group_name"] for d in store.drafts()] == ["保存済みの会"]
        assert store.get("startup", saved_id) is not None  # a saved record is never discarded
    finally:
        store.close()
