"""Marking an expected gathering not held (開催されず): a reason from data, words for
"other", saved as a gathering record with `held` false, so it is data and not a gap."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from core.domain.schedule import Expected
from field_app.ui import fields
from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from ui_kit.widgets import counted, dropdown, named


class NotHeldDialog:
    def __init__(self, session: Session, expected: Expected,
                 on_saved: Callable[[], None] | None = None) -> None:
        self.session, self.expected, self.on_saved = session, expected, on_saved
        self.saved = False  # a second tap on save (a double tap, a slow close) keeps nothing
        t = session.t
        reasons = [(o.key, o.label(t.lang)) for o in session.reference.enums["not_held_reasons"]]
        # the reason is read from the menu when saving, not kept by a pick handler: the
        # menu's value is set as the pick arrives, before any handler runs, so the menu
        # is the one place the reason is. A pick only clears a refusal that asked for it.
        self.menu = dropdown(t("week.not_held_reason"), reasons, None,
                             lambda value: self._answered(), width=300)
        self.text = counted(ft.TextField(label=t("week.not_held_text"), multiline=True,
                                         min_lines=2, max_lines=4, max_length=500), t)
        self.problems = ft.Text(color=ft.Colors.ERROR)
        e = expected
        self.dialog = ft.AlertDialog(
            modal=True, title=ft.Text(t("week.not_held_title")),
            content=ft.Column([
                ft.Text(f"{t.date(e.date)}  {e.start_time}〜{e.end_time}  "
                        f"{session.place_name(e.place_id)}"),
                named(self.menu), self.text, self.problems], tight=True, spacing=12, width=420),
            actions=[ft.TextButton(t("week.cancel"), on_click=lambda ev: self._close()),
                     ft.FilledButton(t("week.not_held_save"), on_click=lambda ev: self._save())])

    def _answered(self) -> None:
        if self.problems.value:
            self.problems.value = ""
            self.problems.update()

    def show(self) -> None:
        self.session.page.show_dialog(self.dialog)

    def _close(self) -> None:
        # this dialog, not whatever is on top (a toast may be): pop_dialog takes the top one
        self.dialog.open = False
        self.dialog.update()

    def _save(self) -> None:
        if self.saved:
            return
        s, e = self.session, self.expected
        form = RecordForm.open(
            s.store, s.reference, "gathering", None, s.services.author(), place_id=e.place_id,
            date=e.date.isoformat(), start_time=e.start_time, end_time=e.end_time, held=False,
            staff_visited=False, not_held_reason=str(self.menu.value or ""),
            note=(self.text.value or "").strip())
        problems = form.check()
        if problems:  # nothing is kept, not even a draft, until it is whole
            words = fields.words(s.t, s.reference, "gathering")
            self.problems.value = "\n".join(
                f"{s.t('week.field.' + name.split('.')[0])}: {words.expected(p)}"
                for name, p in problems.items())
            self.problems.update()
            return
        self.saved = True
        form.on_saved = s.services.notify
        s.watch_form(form, self.on_saved or s.refresh)  # repaint once it is on disk
        form.change()
        self._close()
        s.toast(s.t("week.not_held_saved"))
