"""The concern inbox: most urgent and newest first, filtered by status, category, urgency,
place and staff. The list shows no sensitive field; opening a concern is the audited read.

While it is open it looks for new concerns (a tablet synced) and says how many arrived,
emergencies first; the list changes when the office asks, so rows never move under a pointer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import flet as ft

from hub.contract.concerns import Inbox, Row
from hub.contract.places import Place
from office.client import SignedOut
from office.desk import Desk
from ui_kit.widgets import caption, dropdown, heading, named

URGENCY_COLOURS = {"emergency": ft.Colors.ERROR, "high": ft.Colors.ORANGE_800,
                   "medium": ft.Colors.PRIMARY, "watch": ft.Colors.OUTLINE}
ALL = "*"  # the "all" choice of a filter menu
FILTERS = ("status", "category", "urgency", "place_id", "staff")


def short(label: str) -> str:
    """A label without its explanation in brackets, for a chip: 見守り（次回訪問時に確認） → 見守り."""
    for bracket in ("（", " ("):
        label = label.split(bracket)[0]
    return label


class InboxView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None, **filters: str
                 ) -> None:
        super().__init__(spacing=12, expand=True)
        self.desk = desk
        t = desk.t
        self.filters = {k: filters.get(k, "") for k in FILTERS}
        self.rows = ft.ListView(spacing=8, expand=True)
        self.shown: list[Row] = []
        self.page_size = 0
        self.count = caption("")
        self.checked = caption("")
        self.menus = ft.Row(wrap=True, spacing=12, run_spacing=12)
        self.newest = ""  # the latest receipt in the list as loaded: arrivals come after it
        self.arrived_text = ft.Text(weight=ft.FontWeight.W_600)
        self.arrived = ft.Container(
            visible=False, border_radius=12, padding=ft.Padding.symmetric(horizontal=16, vertical=8),
            content=ft.Row([
                ft.Icon(ft.Icons.MARK_EMAIL_UNREAD_OUTLINED), ft.Container(self.arrived_text, expand=True),
                ft.FilledButton(t("office.inbox.show_new"), icon=ft.Icons.ARROW_UPWARD,
                                on_click=lambda e: self.page.run_task(self.load))],
                vertical_alignment=ft.CrossAxisAlignment.CENTER))
        self.watching = False
        self.controls = [
            heading(t("office.inbox.title")), self.menus, self.arrived,
            ft.Row([ft.Column([self.count, self.checked], spacing=2, expand=True),
                    ft.TextButton(t("office.inbox.refresh"), icon=ft.Icons.REFRESH,
                                  on_click=lambda e: self.page.run_task(self.load))],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.rows]

    def did_mount(self) -> None:
        self.watching = True
        self.page.run_task(self._watch)

    def will_unmount(self) -> None:
        self.watching = False

    async def load(self) -> None:
        desk = self.desk
        found = await desk.call(desk.client.concerns(self.filters))
        places = await desk.call(desk.client.places())
        if found is None or places is None:
            return
        self._menus(found.staff, places.places)
        self.shown = []
        self.newest = found.newest
        self.arrived.visible = False
        self.checked.value = desk.t("office.inbox.checked", time=desk.clock())
        self._rows(found)
        self.update()

    async def more(self) -> None:
        desk = self.desk
        found = await desk.call(desk.client.concerns(self.filters, offset=len(self.shown)))
        if found is not None:
            self._rows(found)
            self.update()

    async def _watch(self) -> None:
        """Look for new concerns every `inbox_check` seconds while the inbox is on screen.
        Looking is not use: it neither touches the idle sign-out nor toasts on failure."""
        desk = self.desk
        while self.watching:
            await asyncio.sleep(desk.inbox_check)
            if not self.watching or desk.client.officer is None:
                return
            try:
                # only what arrived since the list was loaded: a look stays cheap however
                # long the inbox is; when nothing had arrived yet, everything is new
                found = await desk.client.concerns(self.filters, received_after=self.newest)
            except SignedOut:  # the hub ended the session: stop showing the list
                desk.signed_out()
                return
            except Exception:  # the next look tries again; the line says this one failed
                self.checked.value = desk.t("office.inbox.check_failed", time=desk.clock())
            else:
                self._arrivals(found)
                self.checked.value = desk.t("office.inbox.checked", time=desk.clock())
            if not self.watching:
                return
            with contextlib.suppress(Exception):  # the tab may have gone meanwhile
                self.update()

    def _arrivals(self, found: Inbox) -> None:
        """Concerns received since the list was loaded (a corrected version counts too)."""
        count = found.total
        if count <= 0:
            return
        t = self.desk.t
        emergency = sum(c.urgency == "emergency" for c in found.concerns)
        self.arrived_text.value = (
            t("office.inbox.arrived_emergency", count=count, emergency=emergency) if emergency
            else t("office.inbox.arrived", count=count))
        self.arrived.bgcolor = (ft.Colors.ERROR_CONTAINER if emergency
                                else ft.Colors.SECONDARY_CONTAINER)
        self.arrived.visible = True

    def _menus(self, staff: list[str], places: list[Place]) -> None:
        t, d = self.desk.t, self.desk
        every = [(ALL, t("office.filter.all"))]
        menus = [
            ("status", t("office.filter.status"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["concern_status"]]),
            ("urgency", t("office.filter.urgency"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["urgency"]]),
            ("category", t("office.filter.category"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["concern_categories"]]),
            ("place_id", t("office.filter.place"), [(p.id, p.name or "") for p in places]),
            ("staff", t("office.filter.staff"), [(s, s) for s in staff]),
        ]
        self.menus.controls = [
            named(dropdown(label, every + choices, self.filters[key] or ALL,
                           self._filter(key), width=230))
            for key, label, choices in menus]

    def _filter(self, key: str) -> Callable[[str | None], None]:
        def chosen(value: str | None) -> None:
            self.filters[key] = "" if value in (None, ALL) else str(value)
            self.page.run_task(self.load)

        return chosen

    def _rows(self, found: Inbox) -> None:
        d, t = self.desk, self.desk.t
        self.shown += found.concerns
        self.page_size = max(self.page_size, len(found.concerns))  # the hub's, at most
        total = found.total
        self.count.value = (t("office.inbox.count", count=total) if len(self.shown) >= total
                            else t("office.inbox.partial", count=total, shown=len(self.shown)))
        if not self.shown:
            self.rows.controls = [caption(t("office.inbox.none"))]
            return
        rows: list[ft.Control] = []
        for c in self.shown:
            categories = "・".join(d.label("concern_categories", k) for k in c.categories)
            status = d.label("concern_status", c.status)
            if c.status == "referred" and c.destination:
                status = f"{status}（{d.destination(c.destination)}）"
            urgency = short(d.label("urgency", c.urgency))
            details = [d.day(c.observed_on), c.place_name, c.staff, status]
            rows.append(ft.Card(content=ft.ListTile(
                leading=ft.Container(
                    ft.Text(urgency, color=ft.Colors.ON_PRIMARY, size=13,
                            weight=ft.FontWeight.BOLD),
                    bgcolor=URGENCY_COLOURS.get(c.urgency, ft.Colors.OUTLINE),
                    padding=ft.Padding.symmetric(horizontal=10, vertical=6), border_radius=12),
                title=ft.Text(categories),
                subtitle=ft.Text("　".join(x for x in details if x)),
                on_click=lambda e, cid=c.id: d.go("concern", id=cid))))
        if len(self.shown) < total:
            rows.append(ft.Container(ft.OutlinedButton(
                t("office.inbox.more", count=min(self.page_size, total - len(self.shown))),
                icon=ft.Icons.EXPAND_MORE, on_click=lambda e: self.page.run_task(self.more)),
                alignment=ft.Alignment.CENTER, padding=8))
        self.rows.controls = rows
