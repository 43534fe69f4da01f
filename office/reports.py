"""The yearly activity report (実績報告) and the monthly summary, downloaded as XLSX or as
CSV in UTF-8 with a BOM (so Japanese Excel opens it without mojibake)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from hub.contract.visits import VisitCounts
from office.compliance import year_menu
from office.desk import Desk
from ui_kit.widgets import caption, dropdown, heading, named

DOWNLOADS = (("xlsx", "activity", ft.Icons.GRID_ON, "office.reports.xlsx"),
             ("csv", "activity", ft.Icons.DESCRIPTION_OUTLINED, "office.reports.csv_activity"),
             ("csv", "monthly", ft.Icons.CALENDAR_MONTH, "office.reports.csv_monthly"),
             ("csv", "startups", ft.Icons.LIGHTBULB_OUTLINE, "office.reports.csv_startups"),
             ("csv", "summary", ft.Icons.SUMMARIZE_OUTLINED, "office.reports.csv_summary"),
             ("csv", "survey", ft.Icons.POLL_OUTLINED, "office.reports.csv_survey"))


class ReportsView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=16, expand=True)
        self.desk, self.year, self.place_id = desk, desk.fiscal_year(), ""
        self.place_menu = ft.Container()
        self.status = caption("")
        # the staff's visits, consultations and meetings per place, as the report counts them
        self.contacts = ft.Column(spacing=4)
        officer = desk.client.officer
        self.counted = officer is not None and officer.may("GET /visits/counts")
        t = desk.t
        self.controls = [
            heading(t("office.reports.title")), caption(t("office.reports.hint")),
            ft.Row([year_menu(desk, self.year, self._year), self.place_menu], spacing=16),
            ft.Row([ft.FilledButton(t(key), icon=icon,
                                    on_click=lambda e, f=fmt, tb=table: self._get(f, tb))
                    for fmt, table, icon, key in DOWNLOADS], wrap=True, spacing=12),
            self.status, self.contacts]
        self.scroll = ft.ScrollMode.AUTO

    def _year(self, year: int) -> None:
        self.year = year
        if self.counted:
            self.page.run_task(self._counts)

    async def _counts(self) -> None:
        d = self.desk
        found = await d.call(d.client.visit_counts(self.year))
        if found is not None:
            self._table(found)
            self.update()

    def _table(self, found: VisitCounts) -> None:
        t = self.desk.t
        columns = ("place", "staff_visits", "consultations", "meetings", "other_contacts")
        self.contacts.controls = [
            ft.Text(t("office.reports.contacts", year=found.fiscal_year), size=16,
                    weight=ft.FontWeight.W_600),
            caption(t("office.reports.contacts_hint")),
            ft.DataTable(columns=[ft.DataColumn(label=ft.Text(t(f"office.reports.col.{c}")),
                                                numeric=c != "place") for c in columns],
                         rows=[ft.DataRow(cells=[ft.DataCell(ft.Text(p.name))] + [
                             ft.DataCell(ft.Text(str(getattr(p, c)))) for c in columns[1:]])
                             for p in found.places])]

    async def load(self) -> None:
        d, t = self.desk, self.desk.t
        found = await d.call(d.client.places())
        if found is None:
            return
        choices = [("*", t("office.reports.all_places"))] + [(p.id, p.name or "")
                                                              for p in found.places]
        self.place_menu.content = named(dropdown(
            t("office.filter.place"), choices, "*",
            lambda v: setattr(self, "place_id", "" if v in (None, "*") else v), width=280))
        self.update()
        if self.counted:
            await self._counts()

    def _get(self, fmt: str, table: str) -> None:
        self.page.run_task(self._download, fmt, table)

    async def _download(self, fmt: str, table: str) -> None:
        d, t = self.desk, self.desk.t
        self.status.value = t("office.reports.making")
        self.update()
        got = await d.call(d.client.report(self.year, fmt, table, self.place_id))
        if got is None:
            self.status.value = ""
            self.update()
            return
        name, data = got
        await ft.FilePicker().save_file(file_name=name, src_bytes=data)
        self.status.value = t("office.reports.done", name=name)
        self.update()
