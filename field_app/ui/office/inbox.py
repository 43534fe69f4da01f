"""The concern inbox: most urgent and newest first, filtered by status, category, urgency,
place and staff. The list shows no sensitive field; opening a concern is the audited read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from field_app.ui.office.desk import Desk
from field_app.ui.widgets import caption, dropdown, heading, named

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
        self.filters = {k: filters.get(k, "") for k in FILTERS}
        self.rows = ft.ListView(spacing=8, expand=True)
        self.shown: list[dict[str, Any]] = []
        self.page_size = 0
        self.count = caption("")
        self.menus = ft.Row(wrap=True, spacing=12, run_spacing=12)
        self.controls = [heading(desk.t("office.inbox.title")), self.menus, self.count, self.rows]

    async def load(self) -> None:
        desk = self.desk
        found = await desk.call(desk.client.concerns(self.filters))
        places = await desk.call(desk.client.places())
        if found is None or places is None:
            return
        self._menus(found.get("staff", []), places["places"])
        self.shown = []
        self._rows(found)
        self.update()

    async def more(self) -> None:
        desk = self.desk
        found = await desk.call(desk.client.concerns(self.filters, offset=len(self.shown)))
        if found is not None:
            self._rows(found)
            self.update()

    def _menus(self, staff: list[str], places: list[dict[str, Any]]) -> None:
        t, d = self.desk.t, self.desk
        every = [(ALL, t("office.filter.all"))]
        menus = [
            ("status", t("office.filter.status"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["concern_status"]]),
            ("urgency", t("office.filter.urgency"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["urgency"]]),
            ("category", t("office.filter.category"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["concern_categories"]]),
            ("place_id", t("office.filter.place"), [(p["id"], p["name"]) for p in places]),
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

    def _rows(self, found: dict[str, Any]) -> None:
        d, t = self.desk, self.desk.t
        self.shown += found["concerns"]
        self.page_size = max(self.page_size, len(found["concerns"]))  # the hub's, at most
        total = found["total"]
        self.count.value = (t("office.inbox.count", count=total) if len(self.shown) >= total
                            else t("office.inbox.partial", count=total, shown=len(self.shown)))
        if not self.shown:
            self.rows.controls = [caption(t("office.inbox.none"))]
            return
        rows: list[ft.Control] = []
        for c in self.shown:
            categories = "・".join(d.label("concern_categories", k) for k in c["categories"])
            status = d.label("concern_status", c["status"])
            if c["status"] == "referred" and c["destination"]:
                status = f"{status}（{d.destination(c['destination'])}）"
            urgency = short(d.label("urgency", c["urgency"]))
            details = [d.day(c["observed_on"]), c["place_name"], c["staff"], status]
            rows.append(ft.Card(content=ft.ListTile(
                leading=ft.Container(
                    ft.Text(urgency, color=ft.Colors.ON_PRIMARY, size=13,
                            weight=ft.FontWeight.BOLD),
                    bgcolor=URGENCY_COLOURS.get(c["urgency"], ft.Colors.OUTLINE),
                    padding=ft.Padding.symmetric(horizontal=10, vertical=6), border_radius=12),
                title=ft.Text(categories),
                subtitle=ft.Text("　".join(x for x in details if x)),
                on_click=lambda e, cid=c["id"]: d.go("concern", id=cid))))
        if len(self.shown) < total:
            rows.append(ft.Container(ft.OutlinedButton(
                t("office.inbox.more", count=min(self.page_size, total - len(self.shown))),
                icon=ft.Icons.EXPAND_MORE, on_click=lambda e: self.page.run_task(self.more)),
                alignment=ft.Alignment.CENTER, padding=8))
        self.rows.controls = rows
