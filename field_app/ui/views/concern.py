"""Concern (気づき・困りごと): who (pseudonymous), what was seen, how urgent, where to refer."""

from __future__ import annotations

from typing import Any

import flet as ft

from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from ui_kit.widgets import (
    DateField,
    SaveState,
    chip_group,
    dropdown,
    heading,
    icon_button,
    named,
    pin_header,
)


class ConcernView(ft.Column):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(spacing=14, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session, self.form = session, form
        session.watch_form(form, self._repaint)
        t, ref, lang = session.t, session.reference, session.t.lang
        data = form.data

        def options(enum: str) -> list[tuple[str, str]]:
            return [(o.key, o.label(lang)) for o in ref.enums[enum]]

        self.saved = SaveState(session.t, lambda: self._change())
        self.categories_error = ft.Text(color=ft.Colors.ERROR)
        self.urgency_error = ft.Text(color=ft.Colors.ERROR)
        self.emergency = ft.Container(padding=12, border_radius=8, bgcolor=ft.Colors.ERROR_CONTAINER)
        # chips rather than a segmented button: they wrap on a phone
        self.urgency_options = options("urgency")
        self.urgency = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.age = dropdown(t("concern.age_band"), options("age_bands"), data.get("subject_age_band"),
                            lambda v: self._change(subject_age_band=v), width=200)
        self.gender = dropdown(t("concern.gender"), options("genders"), data.get("subject_gender"),
                               lambda v: self._change(subject_gender=v), width=200)
        self.alias: ft.TextField = ft.TextField(
            label=t("concern.alias"), value=data.get("subject_alias", ""),
            helper=t("concern.alias_help"), width=260, max_length=20, on_change=self._alias)
        self.consent = dropdown(t("concern.consent"), options("consent"), data.get("consent"),
                                lambda v: self._change(consent=v), width=260)
        chosen = data.get("suggested_destination")
        destinations = [(d.key, d.label(lang)) for d in ref.destinations
                        if not d.attrs.get("retired") or d.key == chosen]  # keep a draft's
        self.destination = dropdown(t("concern.destination"), destinations,
                                    data.get("suggested_destination"),
                                    lambda v: self._change(suggested_destination=v or ""), width=360)
        self.observed: ft.TextField = ft.TextField(col={"xs": 12, "lg": 8},
            label=t("concern.observed"), value=data.get("observed", ""), multiline=True,
            min_lines=3, max_lines=10, on_change=self._observed)
        self.observed_on = DateField.labelled(t, t("concern.observed_on"), data.get("observed_on"),
                                              lambda v: self._change(observed_on=v))
        self.follow_up = DateField.labelled(t, t("concern.follow_up"), data.get("follow_up_on"),
                                            lambda v: self._change(follow_up_on=v), optional=True)
        place = session.records.place(data.get("place_id"))
        office = data.get("office") or None
        status = []
        if office:
            status = [ft.Container(padding=10, border_radius=8,
                                   bgcolor=ft.Colors.SECONDARY_CONTAINER,
                                   content=ft.Text(session.office_status_text(office)))]
        self.controls = [
            ft.Row([icon_button(ft.Icons.ARROW_BACK, t("nav.back"), lambda e: session.back()),
                    heading(t("concern.title")), ft.Container(expand=True), self.saved],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Text(place.name if place else "", size=18),
            *status,
            ft.Text(t("concern.categories"), weight=ft.FontWeight.W_600),
            chip_group(options("concern_categories"), set(data.get("categories") or []),
                       self._category),
            self.categories_error,
            ft.Text(t("concern.urgency"), weight=ft.FontWeight.W_600),
            self.urgency,
            self.urgency_error,
            self.emergency,
            ft.Text(t("concern.subject"), weight=ft.FontWeight.W_600),
            ft.Row([named(self.age), named(self.gender), self.alias], wrap=True, spacing=12, run_spacing=12),
            ft.ResponsiveRow([self.observed]),
            ft.Row([named(self.consent), named(self.destination)], wrap=True, spacing=12, run_spacing=12),
            ft.Row([self.observed_on, self.follow_up], wrap=True, spacing=12, run_spacing=12),
            ft.Row([ft.FilledButton(t("form.check"), icon=ft.Icons.CHECK,
                                    on_click=lambda e: self._check_all())]),
        ]
        pin_header(self)
        self._show()

    def _urgency(self, key: str, on: bool) -> None:
        self._change(urgency=key if on else None)

    def _paint_urgency(self) -> None:
        current = self.form.data.get("urgency")
        self.urgency.controls = [
            ft.Chip(label=ft.Text(label), selected=key == current,
                    on_select=lambda e, k=key: self._urgency(k, bool(e.control.selected)))
            for key, label in self.urgency_options]

    def _alias(self, e: object) -> None:
        self._change(subject_alias=self.alias.value or "")

    def _observed(self, e: object) -> None:
        self._change(observed=self.observed.value or "")

    def _category(self, key: str, on: bool) -> None:
        chosen = [c for c in self.form.data.get("categories") or [] if c != key]
        chosen += [key] if on else []
        values: dict[str, Any] = {"categories": chosen}
        if on and not self.form.data.get("suggested_destination"):
            option = self.session.reference.option("concern_categories", key)
            if option is not None and option.attrs.get("destination"):
                values["suggested_destination"] = option.attrs["destination"]  # changeable
                self.destination.value = values["suggested_destination"]
        self._change(**values)

    def _repaint(self) -> None:
        self._show()
        self.update()

    def _change(self, **values: Any) -> None:
        if values.get("urgency") == "emergency" and not self.form.data.get("suggested_destination"):
            values["suggested_destination"] = "emergency"
            self.destination.value = "emergency"
        self.form.change(**values)
        self._show()
        self.update()

    def _check_all(self) -> None:
        self.form.show_all = True
        self._show()
        self.update()

    def _show(self) -> None:
        t, form, lang = self.session.t, self.form, self.session.t.lang
        self.categories_error.value = form.error("categories", lang) or ""
        self.urgency_error.value = form.error("urgency", lang) or ""
        self._paint_urgency()
        for name, menu in (("subject_age_band", self.age), ("subject_gender", self.gender),
                           ("consent", self.consent), ("suggested_destination", self.destination)):
            menu.error_text = form.error(name, lang)
        self.alias.error = form.error("subject_alias", lang)
        self.observed.error = form.error("observed", lang)
        self.observed_on.show_error(form.error("observed_on", lang))
        self.follow_up.show_error(form.error("follow_up_on", lang))
        urgent = form.data.get("urgency") == "emergency"
        self.emergency.visible = urgent
        if urgent:
            option = self.session.reference.option("urgency", "emergency")
            hint = option.attrs.get(f"hint_{lang}", "") if option else ""
            numbers = [f"{d.label(lang)}: {d.attrs.get('phone')}"
                       for d in self.session.reference.active_destinations
                       if d.attrs.get("emergency")]
            self.emergency.content = ft.Column([
                ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.ERROR),
                        ft.Text(t("concern.emergency_now"), weight=ft.FontWeight.BOLD)]),
                ft.Text(hint), *[ft.Text(n, size=18, weight=ft.FontWeight.BOLD) for n in numbers]])
        self.saved.show(form.state_text(t), form.failure is not None)
