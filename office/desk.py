"""One signed-in console session: the API client, the language, the reference data for
labels, and one way to show what went wrong."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import flet as ft

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from core.domain.overrides import apply_overrides
from core.domain.reference import Reference
from core.reference_data import load_reference
from office.client import OfficeClient, OfficeError, SignedOut
from ui_kit.i18n import Translator
from ui_kit.words import Words

T = TypeVar("T")


@dataclass
class Desk:
    page: ft.Page
    client: OfficeClient
    t: Translator
    ref: Reference
    public_url: str = ""  # the hub's address for tablets, when it is not the browser's
    go: Callable[..., None] = field(default=lambda *a, **k: None)
    signed_out: Callable[[], None] = field(default=lambda: None)
    touch: Callable[[], None] = field(default=lambda: None)  # the console is in use
    inbox_check: float = 30.0  # seconds between the open inbox's looks for new concerns
    _sending: set[Any] = field(default_factory=set)  # the send handlers now running

    async def refresh_reference(self) -> None:
        """The hub's destinations and program settings, for labels and choices."""
        doc = await self.call(self.client.reference())
        if doc is not None:
            self.ref = apply_overrides(load_reference(), doc.model_dump())

    def today(self) -> dt.date:
        return clock.today()

    def clock(self) -> str:
        return f"{clock.now():%H:%M}"

    def fiscal_year(self) -> int:
        return fiscal_year_of(self.today())

    # words -------------------------------------------------------------------------

    def label(self, enum: str, key: str | None) -> str:
        option = self.ref.option(enum, key) if key else None
        return option.label(self.t.lang) if option else (key or "")

    def destination(self, key: str | None) -> str:
        found = next((d for d in self.ref.destinations if d.key == key), None)
        return found.label(self.t.lang) if found else (key or "")

    def program(self, key: str | None) -> str:
        found = self.ref.programs.get(key or "")
        return found.label(self.t.lang) if found else (key or "")

    def area(self, key: str | None) -> str:
        found = next((a for a in self.ref.areas if a.key == key), None)
        return found.label(self.t.lang) if found else (key or "")

    def category(self, key: str) -> str:
        for program in self.ref.programs.values():
            for c in program.participant_categories:
                if c.key == key:
                    return c.label(self.t.lang)
        return key

    def words(self, prefixes: tuple[str, ...] = (), names: dict[str, str] | None = None
              ) -> Words:
        """How a screen names the fields of a refusal: under its own catalogue prefixes and
        names, then the console's common ones (office.field.*)."""
        # a request's own parts (`body.username`) say nothing to staff
        return Words(self.t, self.ref, {"body": "", "query": "", "path": "", **(names or {})},
                     (*prefixes, "office.field."))

    def refusal(self, exc: OfficeError, words: Words | None = None) -> str:
        """A refusal in words: its sentence, then each problem with the field's label and
        the values' labels (the hub's message names them as the data does)."""
        return (words or self.words()).refusal(exc.summary(self.t.lang), exc.problems)

    def field_problems(self, exc: OfficeError, words: Words | None = None) -> dict[str, str]:
        """A field's last name -> what it takes, in words, for showing under the inputs."""
        w = words or self.words()
        return {str(p.get("field", "")).split(".")[-1]: w.expected(p) for p in exc.problems}

    def day(self, iso: str | None) -> str:
        return self.t.date(dt.date.fromisoformat(iso[:10])) if iso else ""

    def moment(self, iso: str | dt.datetime | None) -> str:
        """A stored UTC time (ISO text, or as a contract model holds it), as the office reads
        it: Japan time."""
        if not iso:
            return ""
        local = clock.local(iso if isinstance(iso, dt.datetime) else iso.replace("Z", "+00:00"))
        return f"{self.t.date(local.date())} {local:%H:%M}"

    def typing(self, handler: Callable[[Any], None] | None = None) -> Callable[[Any], None]:
        """A text field's on_change: typing is use, so the idle sign-out waits (the browser
        does not report keys typed into a field as page keyboard events)."""
        def changed(e: Any) -> None:
            self.touch()
            if handler is not None:
                handler(e)

        return changed

    # telling the user --------------------------------------------------------------

    def toast(self, text: str, *, error: bool = False) -> None:
        with contextlib.suppress(Exception):  # the page may be gone
            self.page.show_dialog(ft.SnackBar(
                ft.Text(text, color=ft.Colors.ON_ERROR_CONTAINER if error else None),
                duration=ft.Duration(seconds=8 if error else 4),
                bgcolor=ft.Colors.ERROR_CONTAINER if error else None))

    def send(self, handler: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run a button's request unless that button's last one is still on its way: each
        tap is a task of its own, so a double click (or a second click on a slow line) sent
        a new place, provision or code twice. What was refused can be sent again."""
        key = (handler, *map(id, args))  # an argument may be a dict: its identity
        if key in self._sending:
            return

        async def once() -> None:
            try:
                await handler(*args)
            finally:
                self._sending.discard(key)

        self._sending.add(key)
        self.page.run_task(once)

    async def submit(self, work: Awaitable[T], show: Callable[[OfficeError], None],
                     words: Words | None = None) -> T | None:
        """Send a form: on refusal `show` marks the fields the hub named, the snackbar says
        what is wrong (by the form's `words`), and None comes back; an expired session goes
        back to sign-in."""
        self.touch()
        try:
            return await work
        except SignedOut:
            self.signed_out()
        except OfficeError as exc:
            show(exc)
            self.toast(self.refusal(exc, words), error=True)
        return None

    async def call(self, work: Awaitable[T]) -> T | None:
        """Run an API call; on failure say why and return None. An expired session goes
        back to the sign-in screen."""
        self.touch()
        try:
            return await work
        except SignedOut as exc:
            self.toast(exc.text(self.t.lang) or self.t("office.signed_out"), error=True)
            self.signed_out()
        except OfficeError as exc:
            self.toast(self.refusal(exc), error=True)
        return None


def options(pairs: Any) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in pairs]
