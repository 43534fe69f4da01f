"""A planned visit (訪問予定): date, time, place or start-up, purpose, a note. Doing it opens
the visit note with the plan filled in; the plan then shows as done."""

from __future__ import annotations

import flet as ft

from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.widgets import (
    DateField,
    dropdown,
    named,
    show_text_state,
)


class VisitPlanView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t, lang, data = session.t, session.t.lang, form.data
        types = [(o.key, o.label(lang)) for o in session.reference.enums["visit_types"]]
        self.purpose = dropdown(t("plan.purpose"), types, data.get("purpose"),
                                lambda v: self._change(purpose=v), width=260)
        self.date = DateField.labelled(t, t("plan.date"), data.get("date"),
                                       lambda v: self._change(date=v))
        self.time: ft.TextField = ft.TextField(label=t("plan.time"), width=120,
                                 value=data.get("start_time") or "",
                                 on_blur=lambda e: self._change(
                                     start_time=(self.time.value or "").strip() or None))
        self.note: ft.TextField = ft.TextField(
            col={"xs": 12, "lg": 8}, label=t("plan.note"), value=data.get("note", ""),
            multiline=True, min_lines=2, max_lines=6,
            on_change=lambda e: self._change(note=self.note.value or ""))
        where = session.place_name(data.get("place_id")) or session.startup_name(
            data.get("startup_id"))
        self.status = ft.Text()
        self.do = ft.FilledButton(t("plan.do"), icon=ft.Icons.EDIT_NOTE,
                                  on_click=lambda e: self._do())
        self.cancel = ft.TextButton(t("plan.cancel"), icon=ft.Icons.EVENT_BUSY,
                                    on_click=lambda e: self._change(cancelled=True))
        self.build_with([
            self.header(t("plan.title")),
            ft.Text(where, size=18),
            ft.Row([self.date, self.time, named(self.purpose)], wrap=True, spacing=12,
                   run_spacing=12),
            ft.ResponsiveRow([self.note]),
            self.status,
            ft.Row([self.do, self.cancel], wrap=True, spacing=12),
        ])

    def _do(self) -> None:
        data = self.form.data
        if data.get("done_note_id"):
            self.session.go("visit", id=data["done_note_id"])
        elif self.form.saved_rev:
            self.session.go("visit", plan=self.form.id)

    def paint(self) -> None:
        t, form, lang = self.session.t, self.form, self.session.t.lang
        data = form.data
        self.purpose.error_text = form.error("purpose", lang)
        show_text_state(self.note, form.error("note", lang), form.warning("note", lang))
        self.time.error = form.error("start_time", lang)
        self.date.show_error(form.error("date", lang))
        self.status.value = (t("plan.done") if data.get("done_note_id")
                             else t("plan.cancelled") if data.get("cancelled") else "")
        self.do.content = t("plan.open_note") if data.get("done_note_id") else t("plan.do")
        self.do.disabled = bool(data.get("cancelled")) or not form.saved_rev
        self.cancel.visible = not data.get("cancelled") and not data.get("done_note_id")
