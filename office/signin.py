"""Office sign-in: a name and a password, with the reason when it fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from office.client import OfficeClient, OfficeError
from ui_kit.i18n import Translator
from ui_kit.widgets import caption, heading
from ui_kit.words import Words


class SignInView(ft.Container):
    def __init__(self, client: OfficeClient, t: Translator,
                 on_signed_in: Callable[[], Awaitable[None]], notice: str = "") -> None:
        super().__init__(width=420, padding=24, border_radius=16,
                         bgcolor=ft.Colors.SURFACE_CONTAINER_LOW)
        self.client, self.t, self.on_signed_in = client, t, on_signed_in
        self.name = ft.TextField(label=t("office.signin.username"), autofocus=True,
                                 on_submit=self._go)
        self.password = ft.TextField(label=t("office.signin.password"), password=True,
                                     can_reveal_password=True, on_submit=self._go)
        self.message = ft.Text(notice, color=ft.Colors.ERROR, visible=bool(notice))
        self.button = ft.FilledButton(t("office.signin.button"), on_click=self._go,
                                      icon=ft.Icons.LOGIN)
        self.content = ft.Column([
            heading(t("office.title")), caption(t("office.signin.hint")),
            self.name, self.password, self.message, self.button,
        ], spacing=16, tight=True)

    async def _go(self, e: object = None) -> None:
        name, password = (self.name.value or "").strip(), self.password.value or ""
        if not name or not password:
            self._say(self.t("office.signin.missing"))
            return
        self.button.disabled = True
        self.update()
        try:
            await self.client.sign_in(name, password)
        except OfficeError as exc:
            self.button.disabled = False
            self.password.value = ""
            words = Words(self.t, names={"body": ""}, prefixes=("office.signin.", "office.field."))
            self._say(words.refusal(exc.summary(self.t.lang), exc.problems))
            return
        await self.on_signed_in()

    def _say(self, text: str) -> None:
        self.message.value = text
        self.message.visible = True
        self.update()
