"""What every record screen shares: the form under it watched (its writes answered, its
errors toasted), the 保存済み state beside the title with its retry, a change kept and
painted at once, and the header row pinned while the rest scrolls.

A screen builds its own controls and says how to paint them from the form (`paint`);
it never paints the save state or calls the form's `change` by itself."""

from __future__ import annotations

from typing import Any

import flet as ft

from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from ui_kit.widgets import SaveState, heading, icon_button, pin_header


class FormView(ft.Column):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(spacing=14, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session, self.form = session, form
        session.watch_form(form, self._repaint)
        self.saved = SaveState(session.t, lambda: self._change())

    def header(self, title: str) -> ft.Row:
        """Back, the screen's title, and whether what it shows is saved."""
        t = self.session.t
        return ft.Row([icon_button(ft.Icons.ARROW_BACK, t("nav.back"),
                                   lambda e: self.session.back()),
                       heading(title), ft.Container(expand=True), self.saved],
                      vertical_alignment=ft.CrossAxisAlignment.CENTER)

    def build_with(self, controls: list[ft.Control]) -> None:
        """Show `controls` (the header first, kept in sight) painted from the form."""
        self.controls = controls
        pin_header(self)
        self._show()

    def paint(self) -> None:
        """Set the controls from the form (errors, warnings, what shows): the screen's own."""

    def _show(self) -> None:
        self.paint()
        self.saved.show(self.form.state_text(self.session.t), self.form.failure is not None)

    def _repaint(self) -> None:
        self._show()
        self.update()

    def _change(self, **values: Any) -> None:
        self.form.change(**values)
        self._show()
        self.update()
