"""Concern (気づき・困りごと): who (pseudonymous), what was seen, how urgent, where to refer."""

from __future__ import annotations

from typing import Any

import flet as ft

from core.domain import legal_basis
from core.domain.legal_basis import CONSENT
from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.widgets import (
    DateField,
    caption,
    chip_group,
    counted,
    dropdown,
    named,
    show_text_state,
)


class ConcernView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t, ref, lang = session.t, session.reference, session.t.lang
        data = form.data

        def options(enum: str) -> list[tuple[str, str]]:
            return [(o.key, o.label(lang)) for o in ref.enums[enum]]

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
        self.alias: ft.TextField = counted(ft.TextField(
            label=t("concern.alias"), value=data.get("subject_alias", ""),
            helper=t("concern.alias_help"), width=260, max_length=20, on_change=self._alias), t)
        self.consent = dropdown(t("concern.consent"), options("consent"), data.get("consent"),
                                self._consent, width=260)
        self.consent_allows = caption("")
        # the basis a concern rests on when the person has not consented (APPI 第27条)
        self.basis = dropdown(t("concern.legal_basis"),
                              [o for o in options("legal_basis") if o[0] != CONSENT],
                              data.get("legal_basis") or None,
                              lambda v: self._change(legal_basis=v or ""), width=480)
        self.basis_allows = caption("")
        # under the menu, not in it: the message names the report duty and needs lines
        self.basis_error = ft.Text(color=ft.Colors.ERROR, width=560)
        self.basis_note: ft.TextField = counted(ft.TextField(
            label=t("concern.legal_basis_note"), value=data.get("legal_basis_note", ""),
            width=360, max_length=200,
            on_change=lambda e: self._change(legal_basis_note=self.basis_note.value or "")), t)
        self.basis_box = ft.Column([named(self.basis), self.basis_error, self.basis_allows,
                                    self.basis_note],
                                   spacing=4)
        self.notices = ft.Container(padding=12, border_radius=8,
                                    bgcolor=ft.Colors.TERTIARY_CONTAINER)
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
        self.build_with([
            self.header(t("concern.title")),
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
            ft.Row([ft.Column([named(self.consent), self.consent_allows], spacing=4, width=360),
                    named(self.destination)], wrap=True, spacing=12, run_spacing=12,
                   vertical_alignment=ft.CrossAxisAlignment.START),
            self.basis_box,
            self.notices,
            ft.Row([self.observed_on, self.follow_up], wrap=True, spacing=12, run_spacing=12),
            ft.Row([ft.FilledButton(t("form.check"), icon=ft.Icons.CHECK,
                                    on_click=lambda e: self._check_all())]),
        ])

    def _urgency(self, key: str, on: bool) -> None:
        self._change(urgency=key if on else None)

    def _paint_urgency(self) -> None:
        current = self.form.data.get("urgency")
        self.urgency.controls = [
            ft.Chip(label=ft.Text(label), selected=key == current,
                    on_select=lambda e, k=key: self._urgency(k, bool(e.control.selected)))
            for key, label in self.urgency_options]

    def _consent(self, value: str | None) -> None:
        values: dict[str, Any] = {"consent": value}
        if legal_basis.consent_given(self.session.reference, value):
            # consent is the basis now: a basis chosen before it was given no longer applies
            values.update(legal_basis="", legal_basis_note="")
            self.basis.value = None
            self.basis_note.value = ""
        self._change(**values)

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

    def _change(self, **values: Any) -> None:
        if values.get("urgency") == "emergency" and not self.form.data.get("suggested_destination"):
            values["suggested_destination"] = "emergency"
            self.destination.value = "emergency"
        super()._change(**values)

    def _check_all(self) -> None:
        self.form.show_all = True
        self._show()
        self.update()

    def paint(self) -> None:
        t, form, lang = self.session.t, self.form, self.session.t.lang
        self.categories_error.value = form.error("categories", lang) or ""
        self.urgency_error.value = form.error("urgency", lang) or ""
        self._paint_urgency()
        for name, menu in (("subject_age_band", self.age), ("subject_gender", self.gender),
                           ("consent", self.consent), ("suggested_destination", self.destination)):
            menu.error_text = form.error(name, lang)
        show_text_state(self.alias, form.error("subject_alias", lang),
                        form.warning("subject_alias", lang), t("concern.alias_help"))
        show_text_state(self.observed, form.error("observed", lang), form.warning("observed", lang))
        self._show_basis()
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

    def _show_basis(self) -> None:
        """One line on what the consent chosen allows; the basis when there is no consent,
        with what it allows; advice on a report duty."""
        ref, form, lang = self.session.reference, self.form, self.session.t.lang
        consent, basis = form.data.get("consent"), form.data.get("legal_basis") or ""
        self.consent_allows.value = legal_basis.allows(
            ref.option("consent", consent) if consent else None, lang)
        self.basis_box.visible = (bool(consent) and not legal_basis.consent_given(ref, consent)) \
            or bool(basis)
        option = ref.option("legal_basis", basis) if basis else None
        self.basis_allows.value = legal_basis.allows(option, lang)
        self.basis_error.value = form.error("legal_basis", lang) or ""
        self.basis_error.visible = bool(self.basis_error.value)
        self.basis_note.visible = bool(option and option.attrs.get("needs_text")) \
            or bool(form.data.get("legal_basis_note"))
        show_text_state(self.basis_note, form.error("legal_basis_note", lang),
                        form.warning("legal_basis_note", lang))
        notices = form.notices(lang)
        self.notices.visible = bool(notices)
        self.notices.content = ft.Column([
            ft.Row([ft.Icon(ft.Icons.GAVEL, color=ft.Colors.ON_TERTIARY_CONTAINER),
                    ft.Text(self.session.t("concern.notice"), weight=ft.FontWeight.BOLD)]),
            *[ft.Text(n) for n in notices]], spacing=6)
