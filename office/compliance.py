"""Grant compliance for a fiscal year: every place with its periods met and missed,
qualifying gatherings and warnings; and one place's attendance over the year as a chart."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from core.domain.text import matches
from hub.contract.reports import ComplianceRow, Condition
from office.desk import Desk
from ui_kit.widgets import caption, dropdown, heading, named

STATE_COLOURS = {"met": ft.Colors.GREEN_600, "missed": ft.Colors.RED_600,
                 "open": ft.Colors.AMBER_600, "future": ft.Colors.GREY_300,
                 # not counted: the place was not open (or, partly open, the period is exempt)
                 "before": ft.Colors.BLUE_GREY_100, "after": ft.Colors.BLUE_GREY_100,
                 "exempt": ft.Colors.BLUE_GREY_200}
CATEGORY_COLOURS = [ft.Colors.TEAL_400, ft.Colors.INDIGO_300, ft.Colors.ORANGE_400,
                    ft.Colors.PINK_300, ft.Colors.LIME_600, ft.Colors.BROWN_300]
CHART_HEIGHT = 260
NOT_COUNTED = ("before", "after", "exempt")


def year_menu(desk: Desk, year: int, on_select: Callable[[int], None]) -> ft.Control:
    t, now = desk.t, desk.fiscal_year()
    years = [(str(y), t("office.fy", year=y)) for y in range(now, now - 6, -1)]
    return named(dropdown(t("office.fiscal_year"), years, str(year),
                          lambda v: on_select(int(v or now)), width=200))


def heading_row(*controls: ft.Control) -> ft.Row:
    """A screen's title with its menu at the far end; on a phone the menu goes under the
    title instead of off the screen (a long title left the 年度 menu cut in half)."""
    return ft.Row(list(controls), wrap=True, run_spacing=8,
                  alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                  vertical_alignment=ft.CrossAxisAlignment.CENTER)


class ComplianceView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None,
                 year: int | None = None) -> None:
        super().__init__(spacing=12, expand=True)
        self.desk, self.year = desk, year or desk.fiscal_year()
        t = desk.t
        self.rows = ft.ListView(spacing=8, expand=True)
        self.found: list[ComplianceRow] = []
        self.search = ft.TextField(label=t("office.compliance.search"), prefix_icon=ft.Icons.SEARCH,
                                   width=360, on_change=desk.typing(lambda e: self._show()))
        legend = ft.Row([ft.Row([ft.Container(width=14, height=14, bgcolor=colour,
                                              border_radius=3),
                                 ft.Text(t("office.period.outside" if state == "before"
                                           else f"office.period.{state}"), size=13)], spacing=4)
                         for state, colour in STATE_COLOURS.items() if state != "after"],
                        spacing=16)
        self.controls = [heading_row(heading(t("office.compliance.title")),
                                     year_menu(desk, self.year, self._year)),
                         ft.Row([self.search, legend], spacing=24, wrap=True), self.rows]

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.compliance(self.year))
        if found is None:
            return
        # what needs the office's attention first: warnings, then the most periods missed
        self.found = sorted(found, key=lambda p: (not p.warnings, -p.missed))
        self._show()

    def _show(self) -> None:
        d, t, query = self.desk, self.desk.t, self.search.value or ""
        shown = [p for p in self.found if matches(query, p.name, d.program(p.program))]
        self.rows.controls = [self._row(p) for p in shown] or [caption(t("office.places.none"))]
        self.update()

    def _row(self, p: ComplianceRow) -> ft.Control:
        d, t = self.desk, self.desk.t
        if p.assessed:
            summary = t("office.compliance.summary", met=p.met, missed=p.missed,
                        qualifying=p.qualifying, gatherings=p.gatherings)
        else:
            summary = t("office.compliance.not_assessed", gatherings=p.gatherings)
        dates = "　".join(t(f"office.compliance.{key}", date=d.day(day)) for key, day in
                         (("opened_on", p.opened_on), ("closed_on", p.closed_on)) if day)
        if dates:
            summary = f"{summary}　{dates}"
        conditions = [self._condition(c) for c in p.conditions]
        warnings = [ft.Text(w.ja if t.lang == "ja" else w.en, color=ft.Colors.ERROR, size=14)
                    for w in p.warnings]
        return ft.Card(content=ft.Container(padding=12, content=ft.Column([
            ft.ListTile(title=ft.Text(p.name, weight=ft.FontWeight.W_600),
                        subtitle=ft.Text(f"{d.program(p.program)}　{summary}"),
                        trailing=ft.Icon(ft.Icons.BAR_CHART),
                        on_click=lambda e, pid=p.place_id, title=p.name: d.go(
                            "attendance", place_id=pid, title=title, year=self.year)),
            *conditions, *warnings], spacing=6)))

    def _condition(self, c: Condition) -> ft.Control:
        """One condition: its words and state, and its periods as coloured boxes (or the
        year's figure so far)."""
        t = self.desk.t
        label = c.ja if t.lang == "ja" else c.en
        state = t(f"office.condition.{c.state}")
        if c.kind == "period":
            detail: ft.Control = ft.Row(
                [ft.Container(width=10 if len(c.periods) > 12 else 28, height=16,
                              border_radius=3, bgcolor=STATE_COLOURS[s.state],
                              tooltip=f"{s.start}〜{s.end}: "
                                      f"{t('office.period.' + s.state)}"
                                      + (t("office.period.required", count=s.required)
                                         if s.state not in NOT_COUNTED else ""))
                 for s in c.periods], spacing=2, wrap=True)
        else:
            value = "—" if c.value is None else f"{c.value:.1f}"
            detail = ft.Text(t("office.compliance.value", value=value,
                               minimum=f"{c.minimum:g}"), size=13)
        return ft.Column([ft.Row([ft.Container(width=12, height=12, border_radius=6,
                                               bgcolor=STATE_COLOURS[c.state]),
                                  ft.Text(f"{label}: {state}", size=14)], spacing=6),
                          detail], spacing=4)


class AttendanceView(ft.Column):
    """Attendance by category, month by month: stacked bars, and the numbers beneath."""

    def __init__(self, desk: Desk, back: Callable[[], None], place_id: str, title: str,
                 year: int | str) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        # from a route (text) or a tap (a number)
        self.desk, self.back, self.place_id, self.year = desk, back, place_id, int(year)
        self.body = ft.Column(spacing=12)
        t = desk.t
        self.controls = [
            ft.TextButton(t("nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: back()),
            heading_row(heading(t("office.attendance.title", name=title)),
                        year_menu(desk, self.year, self._year)),
            self.body]

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    async def load(self) -> None:
        d = self.desk
        months = await d.call(d.client.attendance(self.place_id, self.year))
        if months is None:
            return
        self.body.controls = self._chart(months)
        self.update()

    def _chart(self, months: dict[str, dict[str, int]]) -> list[ft.Control]:
        d, t = self.desk, self.desk.t
        present = {c for counts in months.values() for c in counts}
        order = dict.fromkeys(c.key for p in d.ref.programs.values()
                              for c in p.participant_categories)
        categories = [c for c in order if c in present] + sorted(present - set(order))
        colours = {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
                   for i, c in enumerate(categories)}
        top = max([sum(m.values()) for m in months.values()] + [1])
        bars: list[ft.Control] = []
        for month, counts in months.items():
            total = sum(counts.values())
            label = f"{int(month[5:7])}{t('office.month_suffix')}"
            said = "、".join(f"{d.category(c)} {counts.get(c, 0)}" for c in categories)
            named_month = self._month(month)
            stack: list[ft.Control] = [ft.Container(height=CHART_HEIGHT * counts.get(c, 0) / top, width=36,
                                  bgcolor=colours[c]) for c in reversed(categories)
                     if counts.get(c, 0)]
            bars.append(ft.Semantics(label=f"{named_month}: {said}", container=True,
                                     content=ft.Column([
                ft.Text(str(total) if total else "", size=12),
                ft.Column(stack, spacing=0),
                ft.Text(label, size=13)], spacing=2, alignment=ft.MainAxisAlignment.END, width=48,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER, height=CHART_HEIGHT + 44)))
        legend = ft.Row([ft.Row([ft.Container(width=14, height=14, bgcolor=colours[c],
                                              border_radius=3),
                                 ft.Text(d.category(c), size=13)], spacing=4, tight=True)
                         for c in categories], wrap=True, spacing=16)
        header = [ft.DataColumn(label=ft.Text(t("office.attendance.month")))] + [
            ft.DataColumn(label=ft.Text(d.category(c)), numeric=True) for c in categories] + [
            ft.DataColumn(label=ft.Text(t("office.attendance.total")), numeric=True)]
        table = ft.DataTable(columns=header, rows=[ft.DataRow(cells=[
            ft.DataCell(ft.Text(self._month(month)))] + [ft.DataCell(ft.Text(str(counts.get(c, 0))))
                                            for c in categories] + [
            ft.DataCell(ft.Text(str(sum(counts.values()))))]) for month, counts in months.items()])
        if not any(sum(m.values()) for m in months.values()):
            return [caption(t("office.attendance.none"))]
        return [legend, ft.Row(bars, spacing=14, vertical_alignment=ft.CrossAxisAlignment.END),
                table]


    def _month(self, month: str) -> str:
        """"2025-04" as the office says it."""
        year, number = int(month[:4]), int(month[5:7])
        return f"{year}年{number}月" if self.desk.t.lang == "ja" else f"{year}-{number:02d}"
