"""The photos of a gathering, a visit note or a start-up, shown inside its form (never a
concern's: a concern is about one person).

写真を追加 opens the system's picker for images, several at once (the gallery and files: the
file picker Flet uses has no camera, so a photo is taken with the camera app first; a
browser's chooser may offer the camera). What it returns — a path on a tablet or the
desktop, the bytes in a browser — goes to the store, which shrinks, strips and seals each
picture off the UI's event path. Each photo shows its thumbnail, the day it was taken, what
it may be used for (記録のみ by default) and a caption; the caption is a record's free text
like any other, guarded as it is typed (its own form, with the data's words). A photo can
be removed until a push has taken it; after that it stays at the office.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import flet as ft

from core.domain.errors import IbashoError
from core.domain.photo import ATTACHABLE, USES
from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from ui_kit.widgets import caption, heading, show_text_state

THUMB_WIDTH = 240


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class PhotoStrip(ft.Column):
    def __init__(self, session: Session, owner: RecordForm) -> None:
        super().__init__(spacing=10)
        if owner.kind not in ATTACHABLE:
            raise ValueError(f"a {owner.kind} has no photos")
        self.session, self.owner = session, owner
        t = session.t
        picker = session.file_picker()
        session.on_picked = self.attach
        self.add = ft.FilledTonalButton(
            t("photo.add"), icon=ft.Icons.ADD_A_PHOTO,
            # opened by the client within the tap itself: a browser allows a picker only then
            action=ft.PickFiles(picker, allow_multiple=True,
                                file_type=ft.FilePickerFileType.IMAGE,
                                with_data=bool(session.page.web)))
        self.busy = caption("")
        self.tiles = ft.Row(wrap=True, spacing=12, run_spacing=12,
                            vertical_alignment=ft.CrossAxisAlignment.START)
        self._thumbs: dict[str, bytes | None] = {}  # this screen's only: gone with it
        self._forms: dict[str, RecordForm] = {}  # each photo's own form, one session each
        self.controls = [
            heading(t("photo.title"), 18), caption(t("photo.hint")), caption(t("photo.use_hint")),
            ft.Row([self.add, self.busy], wrap=True, spacing=12,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.tiles]
        self.show()

    # attaching ------------------------------------------------------------------------------

    async def attach(self, files: list[ft.FilePickerFile]) -> None:
        """What the picker returned, kept one by one off the event path; a picture that
        cannot be kept is said by name and the others are still kept."""
        session, t = self.session, self.session.t
        if not files or not await self._owner_saved():
            return
        added = 0
        for n, picked in enumerate(files, 1):
            self.busy.value = t("photo.working", n=n, total=len(files))
            self.update()
            source: bytes | Path | None = picked.bytes if picked.bytes is not None else (
                Path(picked.path) if picked.path else None)
            if source is None:
                session.report_error(IbashoError(
                    t("photo.no_file", name=picked.name), message_ja=t("photo.no_file", name=picked.name)))
                continue
            try:
                await asyncio.to_thread(session.store.attach_photo, self.owner.kind, self.owner.id,
                                        source, picked.name, author=session.services.author())
                added += 1
            except IbashoError as exc:
                session.report_error(exc)
        self.busy.value = ""
        if added:
            session.toast(t("photo.added", count=added))
            session.services.edited()  # pushed with the record, once the form is left or quiet
        self.show()
        self.update()

    async def _owner_saved(self) -> bool:
        """A photo belongs to a saved record: a form that can be saved is saved first."""
        store, owner = self.session.store, self.owner
        if store.get(owner.kind, owner.id) is None and not owner.check():
            await asyncio.wrap_future(owner.change())
        if store.get(owner.kind, owner.id) is not None:
            return True
        owner.show_all = True
        self.session.toast(self.session.t("photo.save_first"))
        self.session.refresh()
        return False

    # showing -------------------------------------------------------------------------------

    def show(self) -> None:
        session, t = self.session, self.session.t
        docs = session.store.photos.of(self.owner.id)
        self.tiles.controls = [self._tile(doc) for doc in docs] or [caption(t("photo.none"))]
        missing = [d["sha256"] for d in docs if d["sha256"] not in self._thumbs]
        if missing:
            session.page.run_task(self._load, missing)

    async def _load(self, shas: list[str]) -> None:
        store = self.session.services.store
        if store is None:  # locked meanwhile
            return
        # sealed files, opened off the event path
        found = await asyncio.to_thread(lambda: {sha: store.photos.thumbnail(sha) for sha in shas})
        self._thumbs.update(found)
        with contextlib.suppress(Exception):  # the screen may have been left meanwhile
            self.show()
            self.update()

    def _tile(self, doc: dict[str, Any]) -> ft.Control:
        session, t = self.session, self.session.t
        form = self._forms.get(str(doc["id"]))
        if form is None:
            form = self._forms[str(doc["id"])] = RecordForm.open(
                session.store, session.reference, "photo", str(doc["id"]), session.services.author())
            session.side_forms.append(form)  # flushed with the form it is shown in
        day = t.date(dt.date.fromisoformat(str(doc["taken_on"])))
        thumb = self._thumbs.get(str(doc["sha256"]))
        picture: ft.Control = (
            ft.Image(src=thumb, width=THUMB_WIDTH, height=THUMB_WIDTH * 3 // 4,
                     fit=ft.BoxFit.CONTAIN, semantics_label=t("photo.thumbnail", date=day))
            if thumb else ft.Container(
                width=THUMB_WIDTH, height=THUMB_WIDTH * 3 // 4, bgcolor=ft.Colors.SURFACE_CONTAINER,
                alignment=ft.Alignment.CENTER,
                content=ft.Icon(ft.Icons.PHOTO, semantics_label=t("photo.thumbnail", date=day))
                if str(doc["sha256"]) not in self._thumbs else caption(t("photo.unreadable"))))
        text = ft.TextField(label=t("photo.caption"), value=str(form.data.get("caption") or ""),
                            max_length=200, width=THUMB_WIDTH, multiline=True, max_lines=3)
        use = ft.RadioGroup(
            value=str(form.data.get("use") or "record_only"),
            content=ft.Column([ft.Radio(value=u, label=t(f"photo.use.{u}")) for u in USES],
                              spacing=0))

        def paint() -> None:
            show_text_state(text, form.error("caption", t.lang), form.warning("caption", t.lang))

        def repaint() -> None:
            paint()
            text.update()

        session.watch_form(form, repaint)
        form.on_saved = session.services.edited
        text.on_change = lambda e: self._change(form, paint, text, caption=text.value or "")
        use.on_change = lambda e: self._change(form, paint, use, use=use.value or "record_only")
        paint()
        if session.store.photo_removable(form.id):
            last: ft.Control = ft.TextButton(t("photo.remove"), icon=ft.Icons.DELETE_OUTLINE,
                                             on_click=lambda e: self._confirm_remove(form.id))
        else:
            last = caption(t("photo.stays"))
        return ft.Card(content=ft.Container(padding=10, width=THUMB_WIDTH + 20, content=ft.Column(
            [picture, caption(t("photo.taken_on", date=day)), use, text, last], spacing=6)))

    def _change(self, form: RecordForm, paint: Callable[[], None], control: ft.Control,
                **values: Any) -> None:
        form.change(**values)
        paint()
        control.update()

    # removing ------------------------------------------------------------------------------

    def _confirm_remove(self, rid: str) -> None:
        t, page = self.session.t, self.session.page

        def remove(e: object) -> None:
            page.pop_dialog()
            self.session.store.remove_photo(rid).add_done_callback(self._removed)

        page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("photo.remove_title")), content=ft.Text(t("photo.remove_text")),
            actions=[ft.TextButton(t("photo.keep"), on_click=lambda e: page.pop_dialog()),
                     ft.FilledButton(t("photo.remove"), on_click=remove,
                                     style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR,
                                                          color=ft.Colors.ON_ERROR))]))

    def _removed(self, future: Future[bool]) -> None:
        error = future.exception()
        if isinstance(error, IbashoError):
            self.session.report_error(error)

        async def paint() -> None:
            if error is None:
                self.session.toast(self.session.t("photo.removed"))
            self.show()
            self.update()

        self.session.page.run_task(paint)
