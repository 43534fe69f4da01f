"""Photos in the field app's forms, on a real Flet session (tests/test_navigation.py): the
picker's result arrives at the page's FilePicker service as the client sends it (an event
with the picked files), and goes through the same path to the store; the thumbnail shows,
the use and the caption are kept, the caption is guarded, a photo is removed until sent,
and a concern's form offers no photos at all."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flet as ft
from PIL import Image

from core.domain import clock
from field_app.ui.photos import PhotoStrip
from field_app.ui.shell import Shell
from tests import factories
from tests.test_navigation import opened, shown, tap, unlocked
from tests.test_photos_store import MAGIC, every_byte, picture


def strips(page: ft.Page) -> list[PhotoStrip]:
    return [c for c in shown(page) if isinstance(c, PhotoStrip)]


def of_type(root: Any, kind: type) -> Iterator[Any]:
    """The controls of `kind` under `root`, in the order they are shown."""
    if not isinstance(root, ft.Control):
        return
    if isinstance(root, kind):
        yield root
    for child in [*(getattr(root, "controls", None) or []), getattr(root, "content", None)]:
        yield from of_type(child, kind)


async def settled(strip: PhotoStrip) -> None:
    """Until the strip's thumbnails (read on a thread) are painted."""
    for _ in range(500):
        docs = strip.session.store.photos.of(strip.owner.id)
        if all(d["sha256"] in strip._thumbs for d in docs):
            await asyncio.sleep(0.05)  # the paint task after the read
            return
        await asyncio.sleep(0.02)
    raise AssertionError("thumbnails never loaded")


async def pick(session: Any, shell: Shell, files: list[tuple[str, bytes]]) -> None:
    """The client's answer to the PickFiles action: the picker's `result` event."""
    picker = shell.session._picker
    assert picker is not None
    await session.dispatch_event(picker._i, "result", {"files": [
        {"id": i, "name": name, "size": len(data), "path": None, "bytes": data}
        for i, (name, data) in enumerate(files)]})


async def photo_form_session(data: Path) -> dict[str, Any]:
    session, page = await opened(1280)
    seen: dict[str, Any] = {}
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        owner = factories.gathering(device_id=store.device_id, date=clock.today().isoformat())
        store.save(owner)
        shell = Shell(page, services, "ja")
        shell.router.go("gathering", id=owner.id)
        [strip] = strips(page)
        add = strip.add
        assert isinstance(add.action, ft.PickFiles) and add.action.allow_multiple
        assert add.action.file_type == ft.FilePickerFileType.IMAGE
        await pick(session, shell, [("IMG_0001.JPG", picture(4000, 3000)),
                                    ("broken.jpg", b"not a picture"),
                                    ("IMG_0002.JPG", picture(1200, 1600))])
        await settled(strip)
        docs = store.photos.of(owner.id)
        seen["count"] = len(docs)
        await asyncio.sleep(0.05)  # the error's toast, shown on the page's loop
        seen["said"] = [str(c.content.value) for c in page._dialogs.controls  # type: ignore[attr-defined]
                        if isinstance(c, ft.SnackBar)]
        images = list(of_type(strip, ft.Image))
        seen["images"] = [(type(i.src).__name__, Image.open(io.BytesIO(i.src)).size) for i in images]
        seen["on_disk"] = every_byte(data)
        # the use: 記録のみ by default, 報告書に使用可 when chosen
        [first_group, *_] = list(of_type(strip, ft.RadioGroup))
        seen["default_use"] = first_group.value
        await tap(session, first_group, value="report")
        # a caption with an individual number: refused with the data's words, never kept
        [field, *_] = [c for c in of_type(strip, ft.TextField)]
        await tap(session, field, value="みんなで 1234 5678 9018")
        seen["caption_error"] = field.error
        await tap(session, field, value="みんなで昼食づくり")
        await asyncio.sleep(0.2)
        first = docs[0]["id"]
        seen["saved"] = store.get("photo", first)
        # remove the second one: asked first, then gone with its files
        remove = [b for b in of_type(strip, ft.TextButton) if b.content == "外す"]
        seen["removable"] = len(remove)
        await tap(session, remove[-1])
        dialog = next(c for c in page._dialogs.controls if isinstance(c, ft.AlertDialog))  # type: ignore[attr-defined]
        await tap(session, dialog.actions[-1])
        for _ in range(200):
            if len(store.photos.of(owner.id)) == 1:
                break
            await asyncio.sleep(0.02)
        seen["after_remove"] = len(store.photos.of(owner.id))
        # a concern's form has no photos to attach
        shell.router.go("concern")
        seen["concern_strips"] = strips(page)
        seen["concern_add"] = [c for c in shown(page) if isinstance(c, ft.Button)
                               and isinstance(c.action, ft.PickFiles)]
    return seen


def test_photos_attached_in_the_gathering_form_are_kept_sealed_with_their_use_and_caption(
        tmp_path: Path) -> None:
    seen = asyncio.run(photo_form_session(tmp_path))
    assert seen["count"] == 2  # the broken file was said by name and skipped
    assert any("broken.jpg" in said and "画像として読めません" in said for said in seen["said"])
    assert sorted(seen["images"]) == [("bytes", (240, 320)), ("bytes", (320, 240))]
    for magic in MAGIC:
        assert magic not in seen["on_disk"]
    assert seen["default_use"] == "record_only"
    assert seen["caption_error"] and "マイナンバー" in seen["caption_error"]
    saved = seen["saved"]
    assert saved["use"] == "report" and saved["caption"] == "みんなで昼食づくり"
    assert seen["removable"] == 2 and seen["after_remove"] == 1
    assert seen["concern_strips"] == [] and seen["concern_add"] == []


async def home_with_a_photo_draft(data: Path) -> tuple[str, dict[str, Any], str]:
    session, page = await opened(1280)
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        owner = factories.visit_note(device_id=store.device_id)
        store.save(owner)
        saved = store.attach_photo("visit_note", owner.id, picture(800, 600), "a.jpg", author="a")
        from core.reference_data import load_reference
        from field_app.ui.form import RecordForm

        form = RecordForm.open(store, load_reference(), "photo", saved.id, "a")
        form.change(caption="番号 1234 5678 9018 を聞いた").result()  # refused: kept as a draft
        shell = Shell(page, services, "ja")
        shell.router.go("home")
        tile = next(c for c in shown(page) if isinstance(c, ft.ListTile)
                    and isinstance(c.title, ft.Text) and str(c.title.value).startswith("写真"))
        await tap(session, tile)
        name, params = shell.route
        return name, dict(params), owner.id


def test_a_photo_draft_on_home_opens_the_form_it_belongs_to(tmp_path: Path) -> None:
    name, params, owner = asyncio.run(home_with_a_photo_draft(tmp_path))
    assert (name, params.get("id")) == ("visit", owner)


async def settings_and_sync_screens(data: Path) -> dict[str, Any]:
    from dataclasses import dataclass

    from field_app.ui.views.settings import SettingsView
    from field_app.ui.views.sync_view import SyncView
    from sync.client import Status

    @dataclass
    class PhotosGoing(Status):  # the sync side's progress, once it reports one
        photos_sent: int = 2
        photos_total: int = 5

    session, page = await opened(1280)
    seen: dict[str, Any] = {}
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        owner = factories.gathering(device_id=store.device_id)
        store.save(owner)
        store.attach_photo("gathering", owner.id, picture(1600, 1200), "a.jpg", author="a")
        shell = Shell(page, services, "ja")
        shell.router.go("settings")
        view = shell.view
        assert isinstance(view, SettingsView)
        seen["settings"] = [str(c.value) for c in of_type(view, ft.Text)]
        await tap(session, view.hold, value=True)
        for _ in range(200):
            if (store.meta("photo_settings") or {}).get("hold_until_office"):
                break
            await asyncio.sleep(0.02)
        seen["hold"] = store.meta("photo_settings")
        shell.router.go("sync")
        sync = shell.view
        assert isinstance(sync, SyncView)
        seen["waiting"] = sync.photos.value
        seen["held_shown"] = sync.photos_held.visible
        seen["progress_before"] = sync.photo_progress.visible
        sync.show(PhotosGoing(state="syncing"))
        seen["progress"] = (sync.photo_progress.visible, sync.photo_progress.value,
                            sync.photo_count.value)
    return seen


def test_settings_show_the_photos_budget_and_hold_them_and_sync_shows_what_waits(
        tmp_path: Path) -> None:
    seen = asyncio.run(settings_and_sync_screens(tmp_path))
    assert any(text.startswith("この端末の写真：") and "上限 500 MB" in text
               for text in seen["settings"])
    assert any(text.startswith("送信待ち：1枚") for text in seen["settings"])
    assert seen["hold"] == {"hold_until_office": True}
    assert seen["waiting"].startswith("送信待ちの写真 1枚") and seen["held_shown"]
    assert seen["progress_before"] is False
    assert seen["progress"] == (True, 0.4, "写真の送信 2/5")


def test_sent_photos_past_the_retention_are_pruned_at_unlock_and_after_a_sync(
        tmp_path: Path) -> None:
    from core.reference_data import load_reference
    from field_app.store.photos import FILES
    from field_app.ui.services import Services
    from sync.client import Status

    def sent_long_ago(store: Any, sha: str) -> None:
        entry = store.photos.entry(sha)
        store._run(lambda: store._write([(FILES, sha, {**entry, "sent_at": "2020-01-01T00:00:00.000Z"})]))

    def settle(services: Services) -> None:  # what the writer had queued has run
        services.store._submit(lambda: None).result()

    services = Services.at(tmp_path, load_reference())
    services.create_pin("2468")
    try:
        store = services.store
        assert store is not None
        owner = factories.gathering(device_id=store.device_id)
        store.save(owner)
        shas = []
        for size in ((800, 600), (600, 800)):
            saved = store.attach_photo("gathering", owner.id, picture(*size), "a.jpg", author="a")
            shas.append(store.get("photo", saved.id)["sha256"])
        sent_long_ago(store, shas[0])
        services.lock()
        services.unlock("2468")
        settle(services)
        assert not (tmp_path / "photos" / f"{shas[0]}.sealed").exists()
        assert (tmp_path / "photos" / f"{shas[0]}.thumb.sealed").exists()
        sent_long_ago(services.store, shas[1])
        services._publish(Status(state="idle", last_success="2026-06-10T01:00:00.000Z"))
        settle(services)
        assert not (tmp_path / "photos" / f"{shas[1]}.sealed").exists()
        assert (tmp_path / "photos" / f"{shas[1]}.thumb.sealed").exists()
    finally:
        services.stop()
