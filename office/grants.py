"""Grants in the console: every place's grant for a fiscal year with its status, and one
place's grant taken step by step from application to settlement. Each step is saved on its
own; the hub checks it against the steps before and names every problem at its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from core.domain.fiscal import fiscal_year_bounds
from core.domain.grant import STEPS
from core.domain.text import matches
from hub.contract.grants import Grant, GrantSummary
from office.client import OfficeError
from office.compliance import heading_row, year_menu
from office.conditions_editor import number
from office.desk import Desk
from ui_kit.widgets import caption, dropdown, heading, icon_button, named
from ui_kit.words import Words

STATUS_COLOURS = {"none": ft.Colors.GREY_400, "applied": ft.Colors.BLUE_300,
                  "decided": ft.Colors.INDIGO_400, "refused": ft.Colors.RED_400,
                  "paid": ft.Colors.TEAL_400, "reported": ft.Colors.AMBER_600,
                  "settled": ft.Colors.GREEN_600, "refund": ft.Colors.ORANGE_700}


def yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}円"


class GrantsView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None,
                 year: int | str | None = None) -> None:
        super().__init__(spacing=12, expand=True)
        self.desk, self.year = desk, int(year) if year else desk.fiscal_year()
        t = desk.t
        self.found: list[GrantSummary] = []
        self.rows = ft.ListView(spacing=6, expand=True)
        self.search = ft.TextField(label=t("office.places.search"), prefix_icon=ft.Icons.SEARCH,
                                   width=320, on_change=desk.typing(lambda e: self._show()))
        self.controls = [heading_row(heading(t("office.grants.title")),
                                     year_menu(desk, self.year, self._year)),
                         caption(t("office.grants.hint")), self.search, self.rows]

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    async def load(self) -> None:
        found = await self.desk.call(self.desk.client.grants(self.year))
        if found is None:
            return
        self.found = found
        self._show()

    def _show(self) -> None:
        d, t, query = self.desk, self.desk.t, self.search.value or ""
        shown = [g for g in self.found if matches(query, g.name, d.program(g.program))]
        self.rows.controls = [ft.Card(content=ft.ListTile(
            leading=ft.Container(width=14, height=14, border_radius=7,
                                 bgcolor=STATUS_COLOURS[g.status]),
            title=ft.Text(g.name),
            subtitle=ft.Text("　".join([
                d.program(g.program), d.label("grant_status", g.status),
                t("office.grants.figures", requested=yen(g.requested_yen),
                  approved=yen(g.approved_yen), paid=yen(g.paid_yen))])),
            on_click=lambda e, pid=g.place_id, name=g.name: d.go(
                "grant", place_id=pid, year=self.year, title=name)))
            for g in shown] or [caption(t("office.places.none"))]
        self.update()


class Lines(ft.Column):
    """Amount lines by category (budget, income, expenses): add, change, remove."""

    def __init__(self, desk: Desk, enum: str, lines: list[dict[str, Any]], path: str,
                 register: Callable[[str, ft.TextField], None], table: str) -> None:
        super().__init__(spacing=4)
        self.desk, self.enum, self.lines, self.path, self.register = (
            desk, enum, lines, path, register)
        self.table = table  # its name in labels: a screen reader tells the tables apart
        self._build()

    def _build(self) -> None:
        d, t = self.desk, self.desk.t
        options = [(o.key, o.label(t.lang)) for o in d.ref.enums[self.enum]]
        rows: list[ft.Control] = [self._row(i, line, options)
                                  for i, line in enumerate(self.lines)]
        total = sum(x["amount"] for x in self.lines if isinstance(x.get("amount"), int))
        rows.append(ft.Row([
            ft.TextButton(t("office.grants.add_line", table=self.table), icon=ft.Icons.ADD,
                          on_click=lambda e: self._add()),
            caption(t("office.grants.total", total=yen(total)))]))
        self.controls = rows

    def _row(self, i: int, line: dict[str, Any], options: list[tuple[str, str]]
             ) -> ft.Control:
        d, t = self.desk, self.desk.t

        def amount_typed(e: Any) -> None:
            line["amount"] = number(e.control.value or "")

        def category(v: str | None) -> None:
            line["category"] = v or ""

        amount = ft.TextField(label=t("office.grants.line_amount", table=self.table), width=170,
                              dense=True, value=str(line.get("amount", "")),
                              on_change=d.typing(amount_typed))
        self.register(f"{self.path}[{i}].amount", amount)
        return ft.Row([named(dropdown(t("office.grants.line_category", table=self.table),
                                      options, line.get("category"), category, width=200)),
                       amount,
                       icon_button(ft.Icons.DELETE_OUTLINE, t("office.grants.remove_line"),
                                   lambda e: self._remove(i))], spacing=8)

    def _add(self) -> None:
        self.lines.append({"category": "", "amount": 0})
        self._build()
        self.update()

    def _remove(self, i: int) -> None:
        del self.lines[i]
        self._build()
        self.update()


class GrantView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None], place_id: str,
                 year: int | str, title: str = "") -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk, self.back, self.place_id, self.year = desk, back, place_id, int(year)
        self.title = title
        self.data: Grant  # set by load, before anything is built
        self.editing: str | None = None  # a recorded step opened again to correct it
        self.inputs: dict[str, ft.TextField] = {}
        self.problems: dict[str, ft.Text] = {}
        self.controls = [caption(desk.t("office.loading"))]

    async def load(self) -> None:
        found = await self.desk.call(self.desk.client.grant(self.place_id, self.year))
        if found is None:
            return
        self.data = found
        self._build()
        self.update()

    # building -------------------------------------------------------------------------------

    def _register(self, path: str, field: ft.TextField) -> None:
        self.inputs[path] = field

    def _text(self, step: str, key: str, values: dict[str, Any], *, width: int = 200,
              multiline: bool = False, numeric: bool = False) -> ft.TextField:
        d = self.desk

        def keep(e: Any) -> None:
            raw = e.control.value or ""
            values[key] = number(raw) if numeric else raw

        field = ft.TextField(label=d.t(f"office.grants.{key}"),
                             value="" if values.get(key) is None else str(values[key]),
                             width=None if multiline else width, multiline=multiline,
                             min_lines=2 if multiline else None, on_change=d.typing(keep),
                             error_max_lines=4)  # what the hub expects, said whole
        self.inputs[f"{step}.{key}"] = field
        return field

    @property
    def open_step(self) -> str | None:
        """The step whose form is shown: the one being corrected, else the next to record."""
        g = self.data.grant
        if self.editing:
            return self.editing
        if (g.get("decision") or {}).get("approved") is False:
            return None  # refused: nothing follows
        return next((s for s in STEPS if not g.get(s)), None)

    def _summary(self, step: str) -> str:
        d, t, g = self.desk, self.desk.t, self.data.grant
        x: Any = g.get(step)  # a recorded step: the domain's document for it
        if step == "application":
            return t("office.grants.sum.application", date=d.day(x["received_on"]),
                     amount=yen(x["requested_yen"]))
        if step == "decision":
            if not x["approved"]:
                return t("office.grants.sum.refused", date=d.day(x["decided_on"]))
            return t("office.grants.sum.decision", date=d.day(x["decided_on"]),
                     amount=yen(x["approved_yen"]))
        if step == "payments":
            return t("office.grants.sum.payments", count=len(x),
                     amount=yen(sum(p["amount"] for p in x)))
        if step == "report":
            return t("office.grants.sum.report", date=d.day(x["received_on"]),
                     amount=yen(self.data.expenses_yen)) + (
                t("office.grants.early_mark") if x.get("early_reason") else "")
        return t("office.grants.sum.settlement", date=d.day(x["settled_on"]),
                 amount=yen(x["confirmed_yen"]))

    def _edit(self, step: str | None) -> None:
        self.editing = step
        self._build()
        self.update()

    def _section(self, step: str, body: list[ft.Control], values: dict[str, Any]) -> ft.Control:
        """The step being recorded shows its form; a recorded one its summary (and 修正);
        a later one only its name."""
        t = self.desk.t
        self.problems[step] = ft.Text(color=ft.Colors.ERROR)
        done = bool(self.data.grant.get(step))
        title = ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE if done else ft.Icons.RADIO_BUTTON_UNCHECKED,
                                color=ft.Colors.GREEN_600 if done else None),
                        ft.Text(t(f"office.grants.step.{step}"), size=17,
                                weight=ft.FontWeight.W_600)])
        if step != self.open_step:
            rest: list[ft.Control] = [caption(t("office.grants.later"))]
            if done:
                rest = [ft.Text(self._summary(step)),
                        ft.TextButton(t("office.grants.correct"), icon=ft.Icons.EDIT,
                                      on_click=lambda e: self._edit(step))]
            return ft.Card(content=ft.Container(padding=14, content=ft.Row(
                [title, *rest], spacing=16, wrap=True)))
        cancel = [ft.TextButton(t("office.cancel"), on_click=lambda e: self._edit(None))] \
            if self.editing else []
        return ft.Card(content=ft.Container(padding=14, content=ft.Column([
            title, *body, self.problems[step], *cancel,
            ft.FilledButton(t("office.grants.save_step", step=t(f"office.grants.step.{step}")),
                            icon=ft.Icons.SAVE,
                            on_click=lambda e: self.desk.send(self._save, step, values)),
        ], spacing=8)))

    def _build(self) -> None:
        d, t, g = self.desk, self.desk.t, self.data.grant
        self.inputs, self.problems = {}, {}
        today = d.today().isoformat()
        application = dict(g.get("application") or {"received_on": today, "budget": []})
        application.setdefault("budget", [])
        decision = dict(g.get("decision") or {"decided_on": today, "approved": True,
                                              "approved_yen": self.data.requested_yen})
        payments = {"payments": [dict(p) for p in g.get("payments") or []]}
        report = dict(g.get("report") or {"received_on": today, "income": [], "expenses": []})
        settlement = dict(g.get("settlement") or {
            "settled_on": today, "confirmed_yen": self.data.suggested_confirmed_yen})
        status = d.label("grant_status", self.data.status)
        figures = t("office.grants.summary", requested=yen(self.data.requested_yen),
                    approved=yen(self.data.approved_yen), paid=yen(self.data.paid_yen),
                    expenses=yen(self.data.expenses_yen),
                    confirmed=yen(self.data.confirmed_yen),
                    refund=yen(self.data.refund_yen))
        self.controls = [
            ft.TextButton(t("nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: self.back()),
            heading(t("office.grants.of", name=self.title or self.data.name,
                      year=self.year)),
            ft.Row([ft.Container(width=14, height=14, border_radius=7,
                                 bgcolor=STATUS_COLOURS[self.data.status]),
                    ft.Text(status, size=18, weight=ft.FontWeight.W_600),
                    caption(t("office.grants.cap", cap=yen(self.data.cap_yen)))], spacing=8),
            ft.Text(figures),
            ft.Row([ft.OutlinedButton(t(f"office.grants.download_{fmt}"), icon=icon,
                                      on_click=lambda e, f=fmt: self.page.run_task(
                                          self._download, f))
                    for fmt, icon in (("pdf", ft.Icons.PICTURE_AS_PDF),
                                      ("xlsx", ft.Icons.GRID_ON))], spacing=12, wrap=True),
            self._section("application", [
                ft.Row([self._text("application", "received_on", application),
                        self._text("application", "requested_yen", application, numeric=True)],
                       wrap=True),
                self._text("application", "plan", application, multiline=True),
                ft.Text(t("office.grants.budget"), weight=ft.FontWeight.W_600),
                Lines(d, "grant_expenses", application["budget"], "application.budget",
                      self._register, t("office.grants.budget_table"))], application),
            self._section("decision", [
                ft.Switch(label=t("office.grants.approved"), value=bool(decision.get("approved")),
                          on_change=lambda e: decision.update(approved=bool(e.control.value))),
                ft.Row([self._text("decision", "decided_on", decision),
                        self._text("decision", "approved_yen", decision, numeric=True)],
                       wrap=True),
                self._text("decision", "conditions", decision, multiline=True),
                self._text("decision", "refusal_reason", decision, multiline=True)], decision),
            self._section("payments", [self._payments(payments["payments"])], payments),
            self._section("report", [
                *self._early(report),
                self._text("report", "received_on", report),
                ft.Text(t("office.grants.income"), weight=ft.FontWeight.W_600),
                Lines(d, "grant_income", report["income"], "report.income", self._register,
                      t("office.grants.income")),
                ft.Text(t("office.grants.expenses"), weight=ft.FontWeight.W_600),
                Lines(d, "grant_expenses", report["expenses"], "report.expenses",
                      self._register, t("office.grants.expenses")),
                self._text("report", "self_evaluation", report, multiline=True)], report),
            self._section("settlement", [
                caption(t("office.grants.suggested",
                          amount=yen(self.data.suggested_confirmed_yen))),
                ft.Row([self._text("settlement", "settled_on", settlement),
                        self._text("settlement", "confirmed_yen", settlement, numeric=True)],
                       wrap=True),
                self._text("settlement", "note", settlement, multiline=True)], settlement),
            ft.Text(t("office.grants.history"), size=17, weight=ft.FontWeight.W_600),
            *[caption(f"{d.moment(h.at)}  {h.actor}  "
                      f"{t('office.grants.step.' + h.detail['step'])} → "
                      f"{d.label('grant_status', h.detail['status'])}" + self._why(h.detail))
              for h in reversed(self.data.history)],
        ]

    def _early(self, report: dict[str, Any]) -> list[ft.Control]:
        """Before the year's last day, a 実績報告 is early: the console says so, and the hub
        takes it only with the reason (`early_reason`)."""
        d, t = self.desk, self.desk.t
        last = fiscal_year_bounds(self.year)[1]
        if d.today() >= last and not report.get("early_reason"):
            return []
        warning: list[ft.Control] = [ft.Row([
            ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.AMBER_800),
            ft.Text(t("office.grants.early", year=self.year, end=d.day(last.isoformat())),
                    color=ft.Colors.AMBER_900, expand=True)])] if d.today() < last else []
        return [*warning, self._text("report", "early_reason", report, multiline=True)]

    def _why(self, detail: dict[str, Any]) -> str:
        """The reason an early 実績報告 gave, in the history line of its step."""
        value = detail.get("value")
        reason = value.get("early_reason") if isinstance(value, dict) else None
        return f"  {self.desk.t('office.grants.early_history', reason=reason)}" if reason else ""

    def _payments(self, payments: list[dict[str, Any]]) -> ft.Control:
        d, t = self.desk, self.desk.t
        box = ft.Column(spacing=4)

        def remove(i: int) -> None:
            del payments[i]
            build()
            box.update()

        def add() -> None:
            payments.append({"paid_on": d.today().isoformat(), "amount": 0})
            build()
            box.update()

        def row(i: int, p: dict[str, Any]) -> ft.Control:
            def day_typed(e: Any) -> None:
                p["paid_on"] = e.control.value or ""

            def amount_typed(e: Any) -> None:
                p["amount"] = number(e.control.value or "")

            day = ft.TextField(label=t("office.grants.paid_on"), width=160, dense=True,
                               value=str(p.get("paid_on", "")), on_change=d.typing(day_typed))
            amount = ft.TextField(label=t("office.grants.amount"), width=150, dense=True,
                                  value=str(p.get("amount", "")),
                                  on_change=d.typing(amount_typed))
            self.inputs[f"payments.payments[{i}].paid_on"] = day
            self.inputs[f"payments.payments[{i}].amount"] = amount
            return ft.Row([day, amount, icon_button(
                ft.Icons.DELETE_OUTLINE, t("office.grants.remove_line"),
                lambda e: remove(i))], spacing=8)

        def build() -> None:
            rows: list[ft.Control] = []
            for i, p in enumerate(payments):
                rows.append(row(i, p))
            rows.append(ft.TextButton(t("office.grants.add_payment"), icon=ft.Icons.ADD,
                                      on_click=lambda e: add()))
            box.controls = rows

        build()
        return box

    async def _download(self, fmt: str) -> None:
        d, t = self.desk, self.desk.t
        got = await d.call(d.client.place_report(self.place_id, self.year, fmt))
        if got is None:
            return
        name, data = got
        await ft.FilePicker().save_file(file_name=name, src_bytes=data)
        d.toast(t("office.reports.done", name=name))

    # saving ---------------------------------------------------------------------------------

    def words(self) -> Words:
        """A step's fields by the form's labels: its tables by their names, a step (one that
        must come first) by its own."""
        t = self.desk.t
        names = {s: t(f"office.grants.step.{s}") for s in STEPS}
        names |= {"budget": t("office.grants.budget_table"), "income": t("office.grants.income"),
                  "expenses": t("office.grants.expenses")}
        return self.desk.words(("office.grants.",), names)

    async def _save(self, step: str, values: dict[str, Any]) -> None:
        d, t = self.desk, self.desk.t
        for field in self.inputs.values():
            field.error = None
        for text in self.problems.values():
            text.value = ""

        words = self.words()

        def show(exc: OfficeError) -> None:
            rest = []
            for p in exc.problems:
                path = f"{step}.{p['field']}"
                if path in self.inputs:  # under its field: what it takes is enough (each
                    field = self.inputs[path]  # rule it breaks: the cap and the request)
                    field.error = "\n".join(x for x in (str(field.error or ""),
                                                        words.expected(p)) if x)
                    field.error_max_lines = 6
                else:  # a menu, a whole table, an earlier step: named by its label
                    rest.append(words.line(p))
            self.problems[step].value = "\n".join(rest)
            self.update()

        saved = await d.submit(d.client.record_grant(self.place_id, self.year, step, values,
                                                     self.data.rev), show, words)
        if saved is None:
            return
        self.data = saved
        self.editing = None
        d.toast(t("office.grants.saved", step=t(f"office.grants.step.{step}"),
                  status=d.label("grant_status", saved.status)))
        self._build()
        self.update()
