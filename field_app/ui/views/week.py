"""The week (今週の予定): expected gatherings of my places with what was recorded, planned
visits and meetings, day by day. Seven columns on a tablet, a list by day on a phone. A
place recorded by monthly report is one band across the week above the days, naming the
days it opens and where its month's report stands; a tap opens that report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import flet as ft

from core.domain import clock
from core.domain.monthly import Band, Month
from core.domain.week import Day, Slot
from field_app.store.planner import Planner, monday_of
from field_app.ui.prefill import parse_day
from field_app.ui.session import Session
from field_app.ui.views.home import record_slot, slot_line
from field_app.ui.views.month_report import month_name, month_state, open_month, state_icon, weekdays
from field_app.ui.views.not_held import NotHeldDialog
from ui_kit.widgets import caption, heading, icon_button, two_lines

WIDE = 840


class WeekView(ft.Column):
    def __init__(self, session: Session, start: str | None = None) -> None:
        super().__init__(spacing=12, expand=True)
        self.session = session
        t = session.t
        self.today = clock.today()
        monday = monday_of(parse_day(start, self.today))
        self.monday = monday
        planner = Planner(session.records, session.reference, self.today)
        days = planner.week(monday)
        bands = [self._band(b) for b in planner.bands(monday)]
        wide = (session.page.width or 1280) >= WIDE
        sunday = monday + dt.timedelta(days=6)
        header = ft.Row([
            heading(t("week.title"), 22),
            icon_button(ft.Icons.CHEVRON_LEFT, t("week.previous"),
                        lambda e: session.go("week", start=(monday - dt.timedelta(days=7))
                                             .isoformat())),
            ft.Text(f"{t.date(monday)} 〜 {t.date(sunday)}"),
            icon_button(ft.Icons.CHEVRON_RIGHT, t("week.next"),
                        lambda e: session.go("week", start=(monday + dt.timedelta(days=7))
                                             .isoformat())),
            ft.TextButton(t("week.this_week"), on_click=lambda e: session.go("week")),
            ft.OutlinedButton(t("home.new_plan"), icon=ft.Icons.EVENT,
                              on_click=lambda e: session.go("places", pick="plan")),
        ], wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        notice = [] if planner.assigned else [caption(t("home.no_assignment"))]
        if wide:
            body: ft.Control = ft.Row(
                [ft.Container(self._column(d), expand=True, padding=6, border_radius=8,
                              bgcolor=ft.Colors.PRIMARY_CONTAINER if d.date == self.today
                              else ft.Colors.SURFACE_CONTAINER_LOW)
                 for d in days], spacing=6,
                vertical_alignment=ft.CrossAxisAlignment.START)
            # two bands a row: six houses take three rows, and leave the days in sight
            grid = [ft.ResponsiveRow([ft.Container(b, col={"xs": 12, "md": 6})
                                      for b in bands], spacing=6, run_spacing=6)] if bands else []
            self.controls = [header, *notice,
                             ft.Column([*grid, body], spacing=6, scroll=ft.ScrollMode.AUTO,
                                       expand=True)]
        else:
            items: list[ft.Control] = [heading(t("week.monthly"), 16), *bands] if bands else []
            for d in days:
                items.append(heading(self._day_title(d), 16))
                items += self._items(d) or [caption(t("week.nothing"))]
            self.controls = [header, *notice,
                             ft.Column(items, spacing=4, scroll=ft.ScrollMode.AUTO,
                                       expand=True)]

    def _day_title(self, d: Day, short: bool = False) -> str:
        t = self.session.t
        mark = t("week.today_mark") if d.date == self.today else ""
        if short:  # a column of a tablet's seven
            return t("week.day", m=d.date.month, d=d.date.day,
                     wd=t(f"office.schedule.wd.{d.date.weekday()}")) + mark
        return f"{t.date(d.date)}{mark}"

    def _column(self, d: Day) -> ft.Control:
        return ft.Column([ft.Text(self._day_title(d, short=True), weight=ft.FontWeight.W_600, size=14),
                          *(self._items(d) or [caption("—")])], spacing=4)

    def _items(self, d: Day) -> list[ft.Control]:
        return [self._item(kind, item) for kind, item in d.agenda()]

    def _item(self, kind: str, item: Any) -> ft.Control:
        s, t = self.session, self.session.t
        if kind == "slot":
            return self._slot(item)
        if kind == "unscheduled":
            return self._entry(ft.Icons.GROUPS, f"{item.start_time} {s.place_name(item.place_id)}",
                               t("week.recorded"), lambda e, i=item.id: s.go("gathering", id=i),
                               key=f"gathering:{item.id}")
        if kind == "plan":
            where = s.place_name(item.place_id) or s.startup_name(item.startup_id)
            return self._entry(ft.Icons.EVENT, f"{item.start_time or ''} {where}",
                               t("week.plan", purpose=s.label("visit_types", item.purpose))
                               + (t("week.done") if item.done_note_id else ""),
                               lambda e, i=item.id: s.go("plan", id=i), key=f"plan:{item.id}")
        where = s.place_name(item.place_id) or s.startup_name(item.startup_id) or item.group_name
        if kind == "meeting":
            return self._entry(ft.Icons.FORUM_OUTLINED, where, t("week.next_meeting"),
                               lambda e, i=item.id: s.go("visit", id=i), key=f"meeting:{item.id}")
        return self._entry(ft.Icons.EDIT_NOTE, where, s.label("visit_types", item.visit_type),
                           lambda e, i=item.id: s.go("visit", id=i), key=f"visit:{item.id}")

    def _entry(self, icon: ft.IconData, title: str, subtitle: str, on_click: object,
               key: str | None = None) -> ft.Control:
        # keyed by what it shows: drawn again (a sync's repaint), an entry that stays keeps
        # its control, so a tap on its way lands on it (see the shell)
        return ft.Container(
            key=key, on_click=on_click, padding=6, border_radius=6,  # type: ignore[arg-type]
            bgcolor=ft.Colors.SURFACE,
            content=ft.Row([ft.Icon(icon, size=18), two_lines(title, 13, subtitle, 12)],
                           spacing=6, vertical_alignment=ft.CrossAxisAlignment.START))

    def _slot(self, slot: Slot) -> ft.Control:
        s, t, e = self.session, self.session.t, slot.expected
        title = f"{e.start_time} {s.place_name(e.place_id)}"
        key = f"slot:{e.place_id}:{e.date.isoformat()}:{e.start_time}"
        if slot.record is not None:
            state = t("week.recorded") if slot.record.held else t("week.not_held_short")
            icon = ft.Icons.CHECK_CIRCLE if slot.record.held else ft.Icons.EVENT_BUSY
            return self._entry(icon, title, state, lambda ev: record_slot(s, slot), key)
        if e.date > self.today:
            return self._entry(ft.Icons.SCHEDULE, title, t("week.expected"),
                               lambda ev: s.go("plan", place=e.place_id,
                                               date=e.date.isoformat()), key)
        if e.date == self.today:
            return self._entry(ft.Icons.GROUPS, title, t("week.tap_to_record"),
                               lambda ev: record_slot(s, slot), key)
        return self._entry(ft.Icons.ERROR_OUTLINE, title, t("week.no_record"),
                           lambda ev: self._choose(slot), key)

    def _band(self, band: Band) -> ft.Control:
        """One place recorded monthly, across the week: the days it opens and its month's
        report (or the two months' the week spans)."""
        s, t = self.session, self.session.t
        title = t("month.band", place=s.place_name(band.place_id), days=weekdays(t, band.days))
        states = t("month.sep").join(month_state(t, m, self.today) for m in band.months)
        now = band.months[-1] if band.months[-1].first <= self.today else band.months[0]
        return ft.Container(
            key=f"band:{band.place_id}:{band.days[0].isoformat()}",
            on_click=lambda e: self._open(band.months), padding=8, border_radius=6,
            bgcolor=ft.Colors.SECONDARY_CONTAINER,
            content=ft.Row([ft.Icon(state_icon(now, self.today), size=20),
                            two_lines(title, 14, states, 13, weight=ft.FontWeight.W_600)],
                           spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER))

    def _open(self, months: tuple[Month, ...]) -> None:
        """A week in one month opens its report; a week across two asks which."""
        s, t = self.session, self.session.t
        if len(months) == 1:
            open_month(s, months[0])
            return
        page = s.page

        def then(m: Month) -> None:
            page.pop_dialog()
            open_month(s, m)

        page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("month.title")), content=ft.Text(t("month.choose")),
            actions=[ft.TextButton(t("week.cancel"), on_click=lambda ev: page.pop_dialog()),
                     *[ft.FilledButton(month_name(t, m.first), on_click=lambda ev, m=m: then(m))
                       for m in months]]))

    def _choose(self, slot: Slot) -> None:
        """A past gathering with no record: record it (visited, or from the group's report)
        or mark it not held."""
        s, t = self.session, self.session.t
        page = s.page

        def then(action: str) -> None:
            page.pop_dialog()
            if action == "visited":
                record_slot(s, slot)
            elif action == "report":
                record_slot(s, slot, visited=False)
            else:
                NotHeldDialog(s, slot.expected).show()

        page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(slot_line(s, slot, with_date=True)),
            content=ft.Text(t("week.choose")),
            actions=[ft.TextButton(t("week.cancel"), on_click=lambda ev: page.pop_dialog()),
                     ft.TextButton(t("week.not_held"), on_click=lambda ev: then("not_held")),
                     ft.TextButton(t("week.record_from_report"),
                                   on_click=lambda ev: then("report")),
                     ft.FilledButton(t("week.record_visited"),
                                     on_click=lambda ev: then("visited"))]))
