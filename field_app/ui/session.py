"""One browser session (or window) of the app: language, navigation, error reporting."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from core.domain.concern import OfficePart
from core.domain.errors import IbashoError
from core.domain.reference import Reference
from field_app.store import Store
from field_app.store.repository import Repository
from field_app.ui.form import RecordForm
from field_app.ui.services import Services
from ui_kit.i18n import Translator


@dataclass
class Session:
    page: ft.Page
    services: Services
    t: Translator
    go: Callable[..., None] = field(default=lambda *a, **k: None)
    back: Callable[[], None] = field(default=lambda: None)
    refresh: Callable[[], None] = field(default=lambda: None)  # repaint the screen shown
    # forms shown inside the screen's form (its photos' captions): flushed when it is left
    side_forms: list[RecordForm] = field(default_factory=list)
    # where the picker's files go: the photos of the form on screen
    on_picked: Callable[[list[ft.FilePickerFile]], Awaitable[None]] | None = None
    _picker: ft.FilePicker | None = None

    @property
    def store(self) -> Store:
        store = self.services.store
        if store is None:  # screens are only built while unlocked
            raise RuntimeError("the app is locked")
        return store

    @property
    def records(self) -> Repository:
        """The store's records as the screens ask for them (typed queries)."""
        return Repository(self.store)

    @property
    def reference(self) -> Reference:
        return self.services.reference

    def file_picker(self) -> ft.FilePicker:
        """This window's file picker: one service of the page, made on first use and kept
        (a service nothing refers to is dropped from the page)."""
        if self._picker is None:
            self._picker = ft.FilePicker(on_result=self._picked)
        return self._picker

    async def _picked(self, e: ft.FilePickerResultEvent) -> None:
        if self.on_picked is not None and e.files:
            await self.on_picked(list(e.files))

    def report_error(self, error: IbashoError) -> None:
        """Called from any thread (e.g. the store's writer): shown on the page's loop."""
        text = error.text(self.t.lang)

        async def show() -> None:
            self.page.show_dialog(ft.SnackBar(ft.Text(text, color=ft.Colors.ON_ERROR_CONTAINER),
                                              duration=ft.Duration(seconds=8),
                                              bgcolor=ft.Colors.ERROR_CONTAINER))

        with contextlib.suppress(Exception):  # the page may be gone
            self.page.run_task(show)

    def toast(self, text: str) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(text), duration=ft.Duration(seconds=4)))

    def watch_form(self, form: RecordForm, repaint: Callable[[], None]) -> None:
        """A form's errors are toasted and its state line repainted once the writer has
        answered (a save the disk refused turns 保存済み into 保存できていません)."""
        form.on_error = self.report_error

        async def paint() -> None:
            with contextlib.suppress(Exception):  # the screen may have been left meanwhile
                repaint()

        def settled() -> None:
            with contextlib.suppress(Exception):  # the page may be gone
                self.page.run_task(paint)

        form.on_settled = settled

    def office_status_text(self, part: OfficePart | Mapping[str, Any] | None) -> str:
        t, lang = self.t, self.t.lang
        office = dataclasses.asdict(part) if isinstance(part, OfficePart) else part
        status = (office or {}).get("status", "new")
        option = self.reference.option("concern_status", status)
        label = option.label(lang) if option else status
        if status == "referred":
            dest = next((d for d in self.reference.destinations
                         if d.key == (office or {}).get("destination")), None)
            when = (office or {}).get("referred_on")
            day = self.t.date(dt.date.fromisoformat(when)) if when else ""
            return t("status.referred_to", status=label,
                     destination=dest.label(lang) if dest else "", date=day)
        return label

    def label(self, enum: str, key: str | None) -> str:
        option = self.reference.option(enum, key) if key else None
        return option.label(self.t.lang) if option else (key or "")

    def area_name(self, key: str | None) -> str:
        return next((a.label(self.t.lang) for a in self.reference.areas if a.key == key),
                    key or "")

    def place_name(self, place_id: str | None) -> str:
        place = self.records.place(place_id)
        return place.name if place else ""

    def startup_name(self, startup_id: str | None) -> str:
        found = self.records.startup(startup_id)
        return self.t("startup.named", name=found.group_name) if found else ""
