"""One start-up consultation: the group (a name and the contact's role, no personal
names), the place it wants, its stage with the history, the consultation notes, and the
place the office opened from it once that has arrived."""

from __future__ import annotations

import flet as ft

from core.domain import clock
from core.domain.startup import DECLINED, STAGES
from field_app.ui.form import RecordForm
from field_app.ui.photos import PhotoStrip
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.widgets import (
    DateField,
    caption,
    counted,
    dropdown,
    heading,
    named,
    show_text_state,
)

TEXTS = (("group_name", 100), ("target", 200), ("planned_venue", 200),
         ("planned_frequency", 200))


class StartUpView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t, lang, data, ref = session.t, session.t.lang, form.data, session.reference
        self.texts: dict[str, ft.TextField] = {
            key: counted(ft.TextField(label=t(f"startup.{key}"), value=str(data.get(key) or ""),
                                      max_length=limit, width=420,
                                      on_change=lambda e, k=key: self._change(
                                          **{k: e.control.value or ""})), t)
            for key, limit in TEXTS}
        self.role = dropdown(t("startup.contact_role"),
                             [(o.key, o.label(lang)) for o in ref.enums["contact_roles"]],
                             data.get("contact_role"), lambda v: self._change(contact_role=v),
                             width=260)
        self.area = dropdown(t("startup.area"), [(a.key, a.label(lang)) for a in ref.areas],
                             data.get("area"), lambda v: self._change(area=v), width=260)
        self.program = dropdown(t("startup.program"),
                                [(k, p.label(lang)) for k, p in ref.programs.items()],
                                data.get("program"), lambda v: self._change(program=v or ""),
                                width=260)
        self.note: ft.TextField = ft.TextField(
            col={"xs": 12, "lg": 8}, label=t("startup.note"), value=data.get("note", ""),
            multiline=True, min_lines=2, max_lines=8,
            on_change=lambda e: self._change(note=self.note.value or ""))
        self.reason = ft.TextField(label=t("startup.stage_reason"), width=420,
                                   value=data.get("stage_reason", ""), visible=False,
                                   on_blur=lambda e: self._stage(DECLINED))
        self.stages = ft.Row(wrap=True, spacing=8)
        # the day of the stage shown: today unless the user says when it happened (a
        # consultation recorded the day after is dated the day it took place)
        steps = data.get("history") or []
        self.stage_on = DateField.labelled(t, t("startup.stage_on"),
                                           steps[-1]["on"] if steps else clock.today().isoformat(),
                                           self._stage_day)
        self.history = ft.Column(spacing=2)
        self.linked = ft.Column(spacing=4)
        self.build_with([
            self.header(t("startup.title")),
            caption(t("startup.no_names")),
            self.texts["group_name"],
            ft.Row([named(self.role), named(self.area), named(self.program)], wrap=True,
                   spacing=12, run_spacing=12),
            *[self.texts[k] for k in ("target", "planned_venue", "planned_frequency")],
            ft.Text(t("startup.stage"), weight=ft.FontWeight.W_600),
            self.stages, self.stage_on, self.reason, self.history,
            ft.ResponsiveRow([self.note]),
            self.linked,
            PhotoStrip(session, form),
        ])

    def _stage_day(self, day: str | None) -> None:
        """The user says on which day the stage shown was reached."""
        history = [dict(h) for h in self.form.data.get("history") or []]
        if history and day:
            history[-1]["on"] = day
            self._change(history=history)

    def _stage(self, stage: str) -> None:
        data = self.form.data
        history = [dict(h) for h in data.get("history") or []]
        if stage != data.get("stage"):
            # dated today; the date field below then says the day it really happened
            today = clock.today().isoformat()
            history.append({"stage": stage, "on": max(today, history[-1]["on"]) if history
                            else today})
        reason = (self.reason.value or "").strip() if stage == DECLINED else ""
        self._change(stage=stage, history=history, stage_reason=reason)

    def paint(self) -> None:
        s, t, form, lang = self.session, self.session.t, self.form, self.session.t.lang
        data = form.data
        for key, field in self.texts.items():
            show_text_state(field, form.error(key, lang), form.warning(key, lang))
        self.role.error_text = form.error("contact_role", lang)
        show_text_state(self.note, form.error("note", lang), form.warning("note", lang))
        self.area.error_text = form.error("area", lang)
        self.reason.visible = data.get("stage") == DECLINED
        self.reason.error = form.error("stage_reason", lang)
        labels = {o.key: o.label(lang) for o in s.reference.enums["startup_stages"]}
        self.stages.controls = [
            (ft.FilledButton if data.get("stage") == key else ft.OutlinedButton)(
                labels[key], on_click=lambda e, k=key: self._stage(k))
            for key in STAGES]
        steps = data.get("history") or []
        if steps and self.stage_on.field.value != steps[-1]["on"]:
            self.stage_on.field.value = steps[-1]["on"]  # a stage tapped: its new step's day
        self.stage_on.show_error(form.error(f"history[{len(steps) - 1}].on", lang)
                                 if steps else None)
        self.history.controls = [caption(f"{h['on']}  {labels.get(h['stage'], h['stage'])}")
                                 for h in data.get("history") or []]
        linked: list[ft.Control] = []
        if form.saved_rev:
            place = s.records.place_of_startup(form.id)
            if place is not None:
                linked.append(ft.ListTile(
                    leading=ft.Icon(ft.Icons.STOREFRONT),
                    title=ft.Text(t("startup.place_opened", name=place.name)),
                    on_click=lambda e, p=place.id: s.go("place", id=p)))
            linked.append(ft.Row([
                ft.FilledTonalButton(t("startup.consult_note"), icon=ft.Icons.EDIT_NOTE,
                                     on_click=lambda e: s.go("visit", startup=form.id,
                                                             type="startup_consult")),
                ft.OutlinedButton(t("startup.meeting_note"), icon=ft.Icons.FORUM_OUTLINED,
                                  on_click=lambda e: s.go("visit", startup=form.id,
                                                          type="group_meeting")),
                ft.OutlinedButton(t("home.new_plan"), icon=ft.Icons.EVENT,
                                  on_click=lambda e: s.go("plan", startup=form.id)),
            ], wrap=True, spacing=12))
            notes = s.records.notes_of_startup(form.id)
            if notes:
                linked.append(heading(t("startup.notes"), 16))
            linked += [ft.ListTile(title=ft.Text(
                f"{n.date}  {s.label('visit_types', n.visit_type)}"),
                on_click=lambda e, i=n.id: s.go("visit", id=i)) for n in notes]
        self.linked.controls = linked
