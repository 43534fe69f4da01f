"""Gathering (開催記録): times, a tally per attendance category, activities, a note."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from core.domain.defaults import STAFF_VISITED
from field_app.ui.form import RecordForm
from field_app.ui.photos import PhotoStrip
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.widgets import (
    Counter,
    DateField,
    chip_group,
    dropdown,
    named,
    show_text_state,
)


class GatheringView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t = session.t
        place = session.records.place(form.data["place_id"])
        program = session.reference.programs.get(place.program) if place else None
        categories = program.participant_categories if program else ()
        self.total = ft.Text(size=20, weight=ft.FontWeight.BOLD)
        self.problems = ft.Text(color=ft.Colors.ERROR)
        counters: list[ft.Control] = [Counter(c.label(t.lang), int(form.data["attendance"].get(c.key, 0)),
                            self._counter(c.key),
                            minus_label=t("tally.minus", label=c.label(t.lang)),
                            plus_label=t("tally.plus", label=c.label(t.lang)))
                    for c in categories]
        extras: list[ft.Control] = [
            Counter(t("gathering.first_time"), int(form.data["first_time"]),
                    lambda v: self._change(first_time=v),
                    minus_label=t("tally.minus", label=t("gathering.first_time")),
                    plus_label=t("tally.plus", label=t("gathering.first_time"))),
            Counter(t("gathering.helpers"), int(form.data["helpers"]),
                    lambda v: self._change(helpers=v),
                    minus_label=t("tally.minus", label=t("gathering.helpers")),
                    plus_label=t("tally.plus", label=t("gathering.helpers"))),
        ]
        self.start: ft.TextField = ft.TextField(label=t("gathering.start"), width=120,
                                                value=form.data["start_time"], on_blur=self._times)
        self.end: ft.TextField = ft.TextField(label=t("gathering.end"), width=120,
                                              value=form.data["end_time"], on_blur=self._times)
        self.date = DateField.labelled(t, t("gathering.date"), form.data["date"],
                                       lambda v: self._change(date=v))
        activities = [(o.key, o.label(t.lang)) for o in session.reference.enums["activities"]]
        self.note: ft.TextField = ft.TextField(
            col={"xs": 12, "lg": 8}, label=t("gathering.note"), value=form.data["note"],
            multiline=True, min_lines=3, max_lines=8, on_change=self._note)
        self.visited = ft.Switch(label=t("gathering.staff_visited"),
                                 value=bool(form.data.get("staff_visited", STAFF_VISITED)),
                                 on_change=lambda e: self._change(
                                     staff_visited=bool(e.control.value)))
        self.held = ft.Switch(label=t("gathering.not_held"),
                              value=not form.data.get("held", True),
                              on_change=lambda e: self._held(not e.control.value))
        reasons = [(o.key, o.label(t.lang)) for o in session.reference.enums["not_held_reasons"]]
        self.reason = dropdown(t("week.not_held_reason"), reasons,
                               form.data.get("not_held_reason") or None,
                               lambda v: self._change(not_held_reason=v or ""), width=280)
        self.reason_box = named(self.reason)
        self.build_with([
            self.header(t("gathering.title")),
            ft.Text(place.name if place else "", size=18),
            ft.Row([self.date, self.start, self.end], wrap=True, spacing=12, run_spacing=12),
            ft.Row([self.visited, self.held, self.reason_box], wrap=True, spacing=16,
                   run_spacing=8),
            ft.Row([ft.Text(t("gathering.participants")), self.total]),
            ft.Row(counters, wrap=True, spacing=12, run_spacing=12),
            ft.Row(extras, wrap=True, spacing=12, run_spacing=12),
            self.problems,
            ft.Text(t("gathering.activities"), weight=ft.FontWeight.W_600),
            chip_group(activities, set(form.data["activities"]), self._activity),
            ft.ResponsiveRow([self.note]),
            PhotoStrip(session, form),
        ])

    def _held(self, held: bool) -> None:
        if held:
            self._change(held=True, not_held_reason="")
        else:
            self._change(held=False, staff_visited=False)

    def _counter(self, key: str) -> Callable[[int], None]:
        return lambda value: self._count(key, value)

    def _times(self, e: object) -> None:
        self._change(start_time=(self.start.value or "").strip(),
                     end_time=(self.end.value or "").strip())

    def _note(self, e: object) -> None:
        self._change(note=self.note.value or "")

    def _count(self, key: str, value: int) -> None:
        self._change(attendance={**self.form.data["attendance"], key: value})

    def _activity(self, key: str, on: bool) -> None:
        chosen = [a for a in self.form.data["activities"] if a != key] + ([key] if on else [])
        self._change(activities=chosen)

    def paint(self) -> None:
        t, form = self.session.t, self.form
        self.total.value = t("gathering.total", count=sum(form.data["attendance"].values()))
        self.start.error = form.error("start_time", t.lang)
        self.end.error = form.error("end_time", t.lang)
        self.date.show_error(form.error("date", t.lang))
        rest = [form.error(n, t.lang) for n in ("first_time", "attendance", "helpers")]
        self.problems.value = "\n".join(r for r in rest if r)
        show_text_state(self.note, form.error("note", t.lang), form.warning("note", t.lang))
        held = bool(form.data.get("held", True))
        self.reason_box.visible = not held
        self.reason.error_text = form.error("not_held_reason", t.lang)
