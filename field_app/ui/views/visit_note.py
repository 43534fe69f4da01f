"""Visit note (訪問記録): type, date, duration, what was observed, a follow-up date."""

from __future__ import annotations

import flet as ft

from field_app.ui.form import RecordForm
from field_app.ui.photos import PhotoStrip
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.widgets import (
    DateField,
    caption,
    chip_group,
    dropdown,
    named,
    show_text_state,
)


class VisitNoteView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t, lang, data = session.t, session.t.lang, form.data
        types = [(o.key, o.label(lang)) for o in session.reference.enums["visit_types"]]
        self.type = dropdown(t("visit.type"), types, data.get("visit_type"),
                             lambda v: self._change(visit_type=v), width=260)
        self.group: ft.TextField = ft.TextField(label=t("visit.group"), width=300,
                                                value=data.get("group_name", ""),
                                                on_change=self._group)
        self.duration = ft.TextField(label=t("visit.duration"), value=str(data.get("duration_minutes", 0)),
                                     width=160, keyboard_type=ft.KeyboardType.NUMBER,
                                     on_blur=lambda e: self._duration())
        self.observations: ft.TextField = ft.TextField(col={"xs": 12, "lg": 8},
            label=t("visit.observations"), value=data.get("observations", ""), multiline=True,
            min_lines=4, max_lines=12, on_change=self._observations)
        self.date = DateField.labelled(t, t("visit.date"), data.get("date"),
                                       lambda v: self._change(date=v))
        self.follow_up = DateField.labelled(t, t("visit.follow_up"), data.get("follow_up_on"),
                                            lambda v: self._change(follow_up_on=v), optional=True)
        place = session.records.place(data.get("place_id"))
        startup = session.records.startup(data.get("startup_id"))
        fields: list[ft.Control] = [named(self.type), self.duration]
        if not place and not startup:
            fields.append(self.group)
        # a group meeting: who came by role (no names), topics, decisions, the next date
        roles = [(o.key, o.label(lang)) for o in session.reference.enums["meeting_roles"]]
        topics = [(o.key, o.label(lang)) for o in session.reference.enums["meeting_topics"]]
        self.decisions: ft.TextField = ft.TextField(
            col={"xs": 12, "lg": 8}, label=t("visit.decisions"), value=data.get("decisions", ""),
            multiline=True, min_lines=2, max_lines=8,
            on_change=lambda e: self._change(decisions=self.decisions.value or ""))
        self.next_meeting = DateField.labelled(t, t("visit.next_meeting"),
                                               data.get("next_meeting_on"),
                                               lambda v: self._change(next_meeting_on=v),
                                               optional=True)
        self.meeting = ft.Column([
            ft.Text(t("visit.attendees"), weight=ft.FontWeight.W_600),
            caption(t("visit.attendees_hint")),
            chip_group(roles, set(data.get("attendee_roles") or ()),
                       lambda k, on: self._toggle("attendee_roles", k, on)),
            ft.Text(t("visit.topics"), weight=ft.FontWeight.W_600),
            chip_group(topics, set(data.get("topics") or ()),
                       lambda k, on: self._toggle("topics", k, on)),
            ft.ResponsiveRow([self.decisions]),
            self.next_meeting,
        ], spacing=10)
        plan = session.records.plan(data.get("plan_id") or "") if data.get("plan_id") else None
        where = place.name if place else (session.startup_name(startup.id) if startup else "")
        self.build_with([
            self.header(t("visit.title")),
            ft.Text(where, size=18),
            *([caption(t("visit.from_plan", date=plan.date))] if plan else []),
            ft.Row(fields, wrap=True, spacing=12, run_spacing=12),
            self.date,
            ft.ResponsiveRow([self.observations]),
            self.meeting,
            self.follow_up,
            PhotoStrip(session, form),
        ])

    def _toggle(self, name: str, key: str, on: bool) -> None:
        chosen = [k for k in self.form.data.get(name) or () if k != key] + ([key] if on else [])
        self._change(**{name: chosen})

    def _group(self, e: object) -> None:
        self._change(group_name=self.group.value or "")

    def _observations(self, e: object) -> None:
        self._change(observations=self.observations.value or "")

    def _duration(self) -> None:
        raw = (self.duration.value or "").strip()
        self._change(duration_minutes=int(raw) if raw.isdigit() else raw)

    def paint(self) -> None:
        form, lang = self.form, self.session.t.lang
        self.type.error_text = form.error("visit_type", lang)
        self.duration.error = form.error("duration_minutes", lang)
        self.group.error = form.error("place_id", lang) or form.error("group_name", lang)
        self.date.show_error(form.error("date", lang))
        self.follow_up.show_error(form.error("follow_up_on", lang))
        self.meeting.visible = form.data.get("visit_type") == "group_meeting"
        # an individual number in the text is refused here, with why (domain.guards)
        show_text_state(self.observations, form.error("observations", lang),
                        form.warning("observations", lang))
        show_text_state(self.decisions, form.error("decisions", lang),
                        form.warning("decisions", lang))
        self.next_meeting.show_error(form.error("next_meeting_on", lang))
