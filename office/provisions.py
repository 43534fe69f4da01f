"""The council's 第三者提供記録 (every referral's recipient, items, basis, date, who), listed
with filters and saved as Excel or CSV; and the disclosure request (開示請求): find every
record about one person and save what is held, as a workbook or a PDF to hand over. The hub
audits exports and searches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from hub.contract.provisions import Found, ProvisionRow
from office.desk import Desk
from ui_kit.widgets import DateField, caption, counted, dropdown, heading, named

ALL = "*"
COLUMNS = ("date", "recipient", "items", "subject", "basis", "by")
SHARES = (3, 4, 5, 3, 5, 3)  # each column's share of the table's width
# px of the screen's width: below it each provision is a card, its fields one under
# another (six columns of fixed widths were cut at 1280 px and showed two on a phone)
NARROW = 900


async def save(desk: Desk, got: tuple[str, bytes] | None, status: ft.Text) -> None:
    if got is None:
        return
    name, data = got
    await ft.FilePicker().save_file(file_name=name, src_bytes=data)
    status.value = desk.t("office.disclosure.done", name=name)
    status.update()


class ProvisionsView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        t, ref = desk.t, desk.ref
        self.filters: dict[str, str] = {"since": "", "until": "", "recipient": "", "basis": ""}
        self.count = caption("")
        self.status = caption("")
        self.table = ft.Column(spacing=4)
        self.found: list[ProvisionRow] = []
        self.narrow: bool | None = None  # as a table or as cards: known once laid out
        self.on_size_change = self._sized

        def choose(name: str) -> Callable[[str | None], None]:
            return lambda v: self.filters.update({name: "" if v in (None, ALL) else str(v)})

        recipients = [(ALL, t("office.provisions.all"))] + [
            (o.key, o.label(t.lang)) for o in ref.destinations]
        bases = [(ALL, t("office.provisions.all"))] + [
            (o.key, o.label(t.lang)) for o in ref.enums["legal_basis"]]
        self.controls = [
            heading(t("office.provisions.title")), caption(t("office.provisions.hint")),
            ft.Row([DateField.labelled(t, t("office.provisions.since"), None,
                                       lambda v: self.filters.update(since=v or ""),
                                       optional=True),
                    DateField.labelled(t, t("office.provisions.until"), None,
                                       lambda v: self.filters.update(until=v or ""),
                                       optional=True)], wrap=True, spacing=12),
            ft.Row([named(dropdown(t("office.provisions.recipient"), recipients, ALL,
                                   choose("recipient"), width=300)),
                    named(dropdown(t("office.provisions.basis"), bases, ALL, choose("basis"),
                                   width=300)),
                    ft.FilledButton(t("office.provisions.search"), icon=ft.Icons.FILTER_ALT,
                                    on_click=lambda e: self.page.run_task(self.load))],
                   wrap=True, spacing=12),
            ft.Row([*[ft.OutlinedButton(t(key), icon=icon,
                                        on_click=lambda e, f=fmt: self.desk.send(self._file, f))
                      for fmt, icon, key in (("xlsx", ft.Icons.GRID_ON, "office.provisions.xlsx"),
                                             ("csv", ft.Icons.DESCRIPTION_OUTLINED,
                                              "office.provisions.csv"))],
                    ft.TextButton(t("office.disclosure.title"), icon=ft.Icons.PERSON_SEARCH,
                                  on_click=lambda e: desk.go("disclosure"))],
                   wrap=True, spacing=12),
            self.status, self.count, self.table]

    async def load(self) -> None:
        d, t = self.desk, self.desk.t
        found = await d.call(d.client.provisions(self.filters))
        if found is None:
            return
        self.found = found.provisions
        self.count.value = t("office.provisions.count", count=found.total)
        if self.narrow is None:  # until the first layout says: the window's width
            width = self.page.width or 1280
            self.narrow = width - (130 if width >= 840 else 16) < NARROW
        self._lay()
        self.update()

    def _sized(self, e: ft.LayoutSizeChangeEvent[Any]) -> None:
        narrow = e.width < NARROW
        if narrow != self.narrow:
            self.narrow = narrow
            self._lay()
            self.update()

    def _lay(self) -> None:
        t = self.desk.t
        header = [t(f"office.provisions.col.{k}") for k in COLUMNS]
        if not self.found:
            self.table.controls = [caption(t("office.provisions.none"))]
        elif self.narrow:
            self.table.controls = [self._card(header, self._cells(p)) for p in self.found]
        else:
            self.table.controls = [self._row(header, bold=True)] + [
                self._row(self._cells(p)) for p in self.found]

    def _cells(self, p: ProvisionRow) -> list[str]:
        d = self.desk
        s = p.subject
        return [d.day(p.provided_on), p.recipient_name,
                "・".join(d.label("provision_items", k) for k in p.items),
                "・".join(x for x in (d.label("age_bands", s.get("age_band")),
                                      d.label("genders", s.get("gender")), s.get("alias", ""))
                         if x),
                "　".join(x for x in (d.label("legal_basis", p.basis), p.basis_note) if x),
                p.recorded_by]

    @staticmethod
    def _row(cells: list[str], bold: bool = False) -> ft.Control:
        # shares of the width, not fixed widths: the table is as wide as the screen
        return ft.Row([ft.Text(c, expand=share, size=14,
                               weight=ft.FontWeight.W_600 if bold else None)
                       for c, share in zip(cells, SHARES, strict=True)],
                      spacing=8, vertical_alignment=ft.CrossAxisAlignment.START)

    @staticmethod
    def _card(header: list[str], cells: list[str]) -> ft.Control:
        # each field with its column's name: when and to whom first
        lines: list[ft.Control] = [
            ft.Text(f"{name}: {value}", size=14, weight=ft.FontWeight.W_600 if i < 2 else None)
            for i, (name, value) in enumerate(zip(header, cells, strict=True))]
        return ft.Card(content=ft.Container(padding=12, content=ft.Column(lines, spacing=4)))

    async def _file(self, fmt: str) -> None:
        d = self.desk
        await save(d, await d.call(d.client.provisions_file(fmt, self.filters)), self.status)


class DisclosureView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None,
                 concern: str = "") -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        t, ref = desk.t, desk.ref
        self.query: dict[str, str] = {"concern_id": concern, "place_id": "", "age_band": "",
                                      "gender": "", "alias": ""}
        self.chosen: set[str] = set()
        self.order: list[str] = []
        self.place_menu = ft.Container()
        self.results = ft.Column(spacing=4)
        self.status = caption("")
        # the workbook for the office's file, the PDF to hand to the person
        self.files = [ft.FilledButton(t("office.disclosure.export"), icon=ft.Icons.GRID_ON,
                                      on_click=lambda e: self.desk.send(self._file, "xlsx")),
                      ft.FilledButton(t("office.disclosure.export_pdf"),
                                      icon=ft.Icons.PICTURE_AS_PDF,
                                      on_click=lambda e: self.desk.send(self._file, "pdf"))]
        self.export = ft.Row(list[ft.Control](self.files), wrap=True, spacing=12, visible=False)

        def pick(name: str) -> Callable[[str | None], None]:
            return lambda v: self.query.update({name: "" if v in (None, ALL) else str(v)})

        def text(name: str, label: str, width: int) -> ft.TextField:
            return counted(ft.TextField(label=label, value=self.query[name], width=width,
                                        max_length=40,
                                        on_change=desk.typing(lambda e: self.query.update(
                                            {name: (e.control.value or "").strip()})),
                                        on_submit=lambda e: self.page.run_task(self._search)), t)

        any_ = [(ALL, t("office.disclosure.any"))]
        self.controls = [
            heading(t("office.disclosure.title")), caption(t("office.disclosure.hint")),
            text("concern_id", t("office.disclosure.concern_id"), 380),
            ft.Row([self.place_menu,
                    named(dropdown(t("concern.age_band"), any_ + [
                        (o.key, o.label(t.lang)) for o in ref.enums["age_bands"]], ALL,
                        pick("age_band"), width=180)),
                    named(dropdown(t("concern.gender"), any_ + [
                        (o.key, o.label(t.lang)) for o in ref.enums["genders"]], ALL,
                        pick("gender"), width=180)),
                    text("alias", t("office.disclosure.alias"), 200)], wrap=True, spacing=12),
            ft.FilledButton(t("office.disclosure.search"), icon=ft.Icons.PERSON_SEARCH,
                            on_click=lambda e: self.page.run_task(self._search)),
            self.results, self.export, self.status]

    async def load(self) -> None:
        d, t = self.desk, self.desk.t
        found = await d.call(d.client.places())
        if found is None:
            return
        self.place_menu.content = named(dropdown(
            t("office.disclosure.place"), [(ALL, t("office.disclosure.any"))]
            + [(p.id, p.name or "") for p in found.places], ALL,
            lambda v: self.query.update(place_id="" if v in (None, ALL) else str(v)),
            width=280))
        self.update()
        if self.query["concern_id"]:
            await self._search()

    async def _search(self) -> None:
        d, t = self.desk, self.desk.t
        found = await d.call(d.client.disclosure_search(self.query))
        if found is None:
            return
        self.chosen = {c.id for c in found}
        self.order = [c.id for c in found]  # oldest first: the records' numbers in the file
        self.results.controls = [caption(
            t("office.disclosure.found", count=len(found)) if found
            else t("office.disclosure.none"))] + [self._row(c) for c in found]
        self.export.visible = bool(found)
        self.update()

    def _row(self, c: Found) -> ft.Control:
        d = self.desk
        s = c.subject
        words = [d.day(c.observed_on), c.place_name,
                 "・".join(x for x in (d.label("age_bands", s.get("age_band")),
                                       d.label("genders", s.get("gender")), s.get("alias", ""))
                          if x),
                 "・".join(d.label("concern_categories", k) for k in c.categories),
                 d.label("concern_status", c.status)]

        def toggle(e: Any, cid: str = c.id) -> None:
            (self.chosen.add if e.control.value else self.chosen.discard)(cid)
            for button in self.files:
                button.disabled = not self.chosen
            self.export.update()

        return ft.Checkbox(label="　".join(w for w in words if w), value=True, on_change=toggle)

    async def _file(self, fmt: str) -> None:
        d = self.desk
        chosen = [cid for cid in self.order if cid in self.chosen]
        await save(d, await d.call(d.client.disclosure_file(chosen, fmt)), self.status)
