"""The lock screen: set a PIN on first run, enter it afterwards. Shows nothing sensitive."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from core.domain.errors import IbashoError
from field_app.ui.services import Services
from ui_kit.i18n import Translator
from ui_kit.widgets import caption, heading


class LockView(ft.Column):
    def __init__(self, services: Services, t: Translator, page: ft.Page,
                 on_unlocked: Callable[[], None]) -> None:
        super().__init__(spacing=16, horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                         alignment=ft.MainAxisAlignment.CENTER, tight=True)
        self.services, self.t, self.page_, self.on_unlocked = services, t, page, on_unlocked
        self.setup = services.needs_pin
        self.pin = ft.TextField(label=t("lock.pin"), password=True, can_reveal_password=True,
                                width=280, on_submit=lambda e: self._go(), autofocus=True,
                                on_change=lambda e: services.typing_pin(e.control.value or ""))
        self.again = ft.TextField(label=t("lock.pin_again"), password=True, width=280,
                                  can_reveal_password=True, on_submit=lambda e: self._go(),
                                  visible=self.setup)
        self.message = ft.Text(color=ft.Colors.ERROR, text_align=ft.TextAlign.CENTER)
        self.button = ft.FilledButton(t("lock.set") if self.setup else t("lock.open"),
                                      icon=ft.Icons.LOCK_OPEN, on_click=lambda e: self._go())
        self.controls = [
            ft.Icon(ft.Icons.LOCK_OUTLINE, size=48),
            heading(t("app.title")),
            ft.Text(t("lock.setup_title") if self.setup else t("lock.title"), size=18),
            caption(t("lock.setup_note") if self.setup else ""),
            self.pin, self.again, self.button, self.message,
        ]

    def _go(self) -> None:
        t = self.t
        pin, again = self.pin.value or "", self.again.value or ""
        if self.setup and pin != again:
            self.message.value = t("lock.mismatch")
            self.update()
            return
        self.button.disabled = True
        self.message.value = t("lock.opening")
        self.update()

        def work() -> None:  # scrypt takes ~0.4 s (less if begun as the PIN was typed)
            try:
                if self.setup:
                    self.services.create_pin(pin)
                else:
                    self.services.unlock(pin)
                error = None
            except IbashoError as exc:
                error = exc.text(t.lang)

            async def show() -> None:
                if error is None:
                    self.on_unlocked()
                    return
                self.message.value = error
                self.button.disabled = False
                self.pin.value = ""
                self.update()

            self.page_.run_task(show)

        self.page_.run_thread(work)
