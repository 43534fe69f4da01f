"""One concern: what the staff member noticed, its history, and the office's actions —
triage, refer (destination, date, method), watch, feedback, close. Each action writes the
office part; the authoring tablet receives it at its next sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from hub.contract.concerns import Basis, Concern, Event, OfficePart
from office.client import OfficeError
from office.desk import Desk
from ui_kit.widgets import DateField, caption, counted, dropdown, heading, named


def default_items(desk: Desk) -> list[str]:
    return [o.key for o in desk.ref.enums["provision_items"] if o.attrs.get("default")]


ACTIONS = (("triaged", ft.Icons.MOVE_TO_INBOX, "office.action.triage"),
           ("referred", ft.Icons.CALL_SPLIT, "office.action.refer"),
           ("watching", ft.Icons.VISIBILITY_OUTLINED, "office.action.watch"),
           ("closed", ft.Icons.TASK_ALT, "office.action.close"))


class ConcernView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None], id: str) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk, self.back, self.concern_id = desk, back, id
        self.part: dict[str, Any] = {}
        self.found: Concern | None = None
        self.based_on: str | None = None  # updated_at of the office part on screen
        self.as_shown: dict[str, Any] = {}
        self.controls = [ft.TextButton(desk.t("nav.back"), icon=ft.Icons.ARROW_BACK,
                                       on_click=lambda e: back()),
                         caption(desk.t("office.loading"))]

    async def load(self) -> None:
        found = await self.desk.call(self.desk.client.concern(self.concern_id))
        if found is None:
            return
        self.found = found
        self._show(found)
        self.update()

    # showing -----------------------------------------------------------------------

    def _show(self, found: Concern, typed: dict[str, Any] | None = None) -> None:
        """`typed`: what the office worker had entered, kept over the stored values."""
        d, t = self.desk, self.desk.t
        c, stored = found.concern, found.office
        office = stored or OfficePart()
        self.based_on = stored.updated_at if stored else None
        self.part = {"status": office.status,
                     "destination": office.destination or c.get("suggested_destination")
                     or "", "referred_on": office.referred_on or d.today().isoformat(),
                     "method": office.method, "feedback": office.feedback,
                     "closed_on": office.closed_on,
                     # the office's own record of the basis (a support meeting, consent got
                     # later); sent with every action, since each writes the whole part
                     "legal_basis": office.legal_basis,
                     "legal_basis_note": office.legal_basis_note,
                     "provide": self.part.get("provide") or default_items(d)}
        self.as_shown = dict(self.part)  # to tell what the worker has changed since
        self.part.update(typed or {})
        facts = [
            (t("office.concern.observed_on"), d.day(c["observed_on"])),
            (t("office.concern.place"), found.place_name),
            (t("office.concern.staff"), found.staff),
            (t("office.concern.subject"), "・".join(x for x in (
                d.label("age_bands", c["subject_age_band"]),
                d.label("genders", c["subject_gender"]), c.get("subject_alias", "")) if x)),
            (t("office.concern.categories"),
             "・".join(d.label("concern_categories", k) for k in c["categories"])),
            (t("office.concern.urgency"), d.label("urgency", c["urgency"])),
            (t("office.concern.consent"), d.label("consent", c.get("consent"))),
            (t("office.concern.basis"), self._basis_text(found.basis)),
            (t("office.concern.suggested"), d.destination(c.get("suggested_destination"))),
            (t("office.concern.follow_up"), d.day(c.get("follow_up_on"))),
            (t("office.concern.status"), d.label("concern_status", office.status)),
        ]
        grid = ft.Column([ft.Row([ft.Text(k, width=130, color=ft.Colors.ON_SURFACE_VARIANT),
                                  ft.Text(v or "—", expand=True)])
                          for k, v in facts], spacing=6)
        observed = ft.Container(ft.Text(c["observed"], size=16), padding=12,
                                border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST)
        no_basis = ft.Container(
            visible=found.basis is None, padding=10, border_radius=8,
            bgcolor=ft.Colors.ERROR_CONTAINER, content=ft.Row([
                ft.Icon(ft.Icons.GAVEL, color=ft.Colors.ON_ERROR_CONTAINER),
                ft.Text(t("office.concern.no_basis"), expand=True,
                        color=ft.Colors.ON_ERROR_CONTAINER)]))
        self.controls = [
            ft.TextButton(t("nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: self.back()),
            heading(t("office.concern.title")),
            no_basis,
            # side by side on a wide screen, the actions below on a narrow one
            ft.ResponsiveRow([
                ft.Column([grid, ft.Text(t("office.concern.observed"),
                                         weight=ft.FontWeight.W_600), observed],
                          col={"xs": 12, "lg": 7}, spacing=10),
                ft.Column([self._actions()], col={"xs": 12, "lg": 5})],
                vertical_alignment=ft.CrossAxisAlignment.START, spacing=24, run_spacing=16),
            ft.Row([ft.Text(t("office.concern.history"), size=18, weight=ft.FontWeight.W_600),
                    ft.TextButton(t("office.disclosure.title"), icon=ft.Icons.PERSON_SEARCH,
                                  on_click=lambda e: d.go("disclosure", concern=self.concern_id))
                    ], spacing=16),
            *[self._event(e) for e in found.history],
        ]

    def _event(self, e: Event) -> ft.Control:
        d, t = self.desk, self.desk.t
        detail = e.detail
        if e.action == "office_part_written":
            words = [d.label("concern_status", detail.get("status"))]
            if detail.get("destination"):
                words.append(t("office.history.to", destination=d.destination(
                    detail["destination"])))
            words += [detail.get("method", ""), detail.get("feedback", "")]
            what = "　".join(w for w in words if w)
        elif e.action == "provided":
            what = t("office.history.provided", recipient=detail.get("recipient_name", ""),
                     items="・".join(d.label("provision_items", k)
                                     for k in detail.get("items", [])),
                     basis=d.label("legal_basis", detail.get("basis")))
        else:
            what = t(f"office.history.{e.action}", rev=detail.get("rev", ""))
        return ft.Text(f"{d.moment(e.at)}　{e.actor}　{what}", size=14)

    # acting ------------------------------------------------------------------------

    def _actions(self) -> ft.Control:
        d, t = self.desk, self.desk.t
        p = self.part
        self.destination = dropdown(t("office.action.destination"),
                                    [(o.key, o.label(t.lang)) for o in d.ref.destinations
                                     if not o.attrs.get("retired") or o.key == p["destination"]],
                                    p["destination"], lambda v: p.update(destination=v or ""))
        self.referred_on = DateField.labelled(t, t("office.action.referred_on"), p["referred_on"],
                                              lambda v: p.update(referred_on=v))
        self.method = counted(ft.TextField(label=t("office.action.method"), value=p["method"],
                                           max_length=100, on_change=d.typing(lambda e: p.update(
                                               method=e.control.value or ""))), t)
        self.feedback = ft.TextField(label=t("office.action.feedback"), value=p["feedback"],
                                     multiline=True, min_lines=2, max_lines=6,
                                     on_change=d.typing(
                                         lambda e: p.update(feedback=e.control.value or "")))
        bases = [(o.key, o.label(t.lang)) for o in d.ref.enums["legal_basis"]]
        self.basis = dropdown(t("office.action.basis"), [("", t("office.action.basis_none")),
                                                         *bases],
                              p["legal_basis"] or "", self._basis, width=420)
        self.basis_allows = caption(self._allows(p["legal_basis"]))
        self.basis_note = counted(ft.TextField(label=t("office.action.basis_note"),
                                               value=p["legal_basis_note"], max_length=200,
                                               on_change=d.typing(lambda e: p.update(
                                                   legal_basis_note=e.control.value or ""))), t)
        # what a referral passes on: chosen here, the minimal by default (the provision
        # record says exactly this)
        self.items = [ft.Checkbox(label=o.label(t.lang), value=o.key in p["provide"],
                                  data=o.key, on_change=self._item)
                      for o in d.ref.enums["provision_items"]]
        self.items_error = ft.Text(color=ft.Colors.ERROR, visible=False)
        buttons: list[ft.Control] = [
            ft.FilledButton(t(key), icon=icon, on_click=lambda e, s=status: self._act(s))
            for status, icon, key in ACTIONS]
        buttons.append(ft.OutlinedButton(t("office.action.save_feedback"), icon=ft.Icons.SAVE,
                                         on_click=lambda e: self._act(p["status"])))
        return ft.Container(padding=16, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                            content=ft.Column([
                                ft.Text(t("office.action.title"), size=18,
                                        weight=ft.FontWeight.W_600),
                                named(self.destination), self.referred_on, self.method,
                                self.feedback, named(self.basis), self.basis_allows,
                                self.basis_note,
                                ft.Text(t("office.action.provide"), weight=ft.FontWeight.W_600),
                                ft.Column(list[ft.Control](self.items), spacing=0),
                                self.items_error,
                                ft.Row(buttons, wrap=True, spacing=8,
                                       run_spacing=8)], spacing=12))

    def _basis_text(self, basis: Basis | None) -> str:
        d, t = self.desk, self.desk.t
        if basis is None:
            return ""
        who = t("office.concern.basis_by_office") if basis.by == "office" \
            else t("office.concern.basis_by_device")
        words = [d.label("legal_basis", basis.key), basis.note, who]
        return "　".join(w for w in words if w)

    def _allows(self, key: str) -> str:
        option = self.desk.ref.option("legal_basis", key) if key else None
        return str(option.attrs.get(f"allows_{self.desk.t.lang}", "")) if option else ""

    def _basis(self, value: str | None) -> None:
        self.part["legal_basis"] = value or ""
        self.basis_allows.value = self._allows(value or "")
        self.basis.error_text = None
        self.update()

    def _item(self, e: Any) -> None:
        self.part["provide"] = [str(box.data) for box in self.items if box.value]

    def _act(self, status: str) -> None:
        self.page.run_task(self._send, status)

    async def _send(self, status: str) -> None:
        d, t, p = self.desk, self.desk.t, self.part
        body: dict[str, Any] = {"status": status, "destination": p["destination"],
                                "method": p["method"], "feedback": p["feedback"],
                                "legal_basis": p["legal_basis"],
                                "legal_basis_note": p["legal_basis_note"],
                                "provide": p["provide"]}
        if status in ("referred", "watching", "closed") or p.get("destination"):
            body["referred_on"] = p["referred_on"] if p["destination"] else None
        if status == "closed":
            body["closed_on"] = p.get("closed_on") or d.today().isoformat()
        for control in (self.method, self.feedback, self.basis_note):
            control.error = None
        self.destination.error_text = None
        self.basis.error_text = None
        self.items_error.visible = False
        self.referred_on.show_error(None)

        # the office part's fields by the labels of this form (the hub names them office.x)
        words = d.words(("office.action.",), {
            "office": "", "legal_basis": t("office.action.basis"),
            "legal_basis_note": t("office.action.basis_note"),
            "provide": t("office.action.provide")})

        def show(exc: OfficeError) -> None:
            if exc.status == 409:  # changed meanwhile: show what happened, keep what was typed
                self.page.run_task(self._catch_up)
                return
            problems = d.field_problems(exc, words)
            self.destination.error_text = t("office.choose") if "destination" in problems \
                else None
            self.referred_on.show_error(problems.get("referred_on"))
            self.method.error = problems.get("method")
            self.feedback.error = problems.get("feedback")
            # neither consent nor a basis: say so where the basis is chosen
            self.basis.error_text = problems.get("legal_basis")
            self.basis_note.error = problems.get("legal_basis_note")
            self.items_error.value = problems.get("provide", "")
            self.items_error.visible = "provide" in problems
            self.update()

        stored = await d.submit(d.client.act(self.concern_id, body, self.based_on), show,
                                words)
        if stored is None:
            return
        self.based_on = stored.updated_at  # a next action before the page catches up
        d.toast(t("office.action.saved", status=d.label("concern_status", status)))
        await self._catch_up(keep=False)

    async def _catch_up(self, keep: bool = True) -> None:
        """The office part and history as they are now. The page already shows the concern:
        fetch only these, so that the audit log records one read, not one per action."""
        typed = {k: v for k, v in self.part.items() if v != self.as_shown.get(k)}
        fresh = await self.desk.call(self.desk.client.history(self.concern_id))
        if fresh is not None and self.found is not None:
            self.found = self.found.model_copy(update={
                "office": fresh.office, "history": fresh.history, "basis": fresh.basis})
            self._show(self.found, typed if keep else None)
            self.update()
