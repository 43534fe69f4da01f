"""Planning in the console: the start-up board by stage, with the place opened from a
start-up in one step, and which staff look after which places or areas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from core.domain.startup import OPENED, STAGES
from core.domain.text import matches
from hub.contract.places import Place
from hub.contract.planning import Assignment, Startup
from office.desk import Desk
from office.gallery import record_photos
from ui_kit.widgets import caption, heading


class StartUpBoard(ft.Column):
    """Every start-up the tablets reported, in a column per stage."""

    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        self.board = ft.Row(spacing=12, vertical_alignment=ft.CrossAxisAlignment.START,
                            wrap=True, run_spacing=12)
        self.controls = [heading(desk.t("office.startups.title")),
                         caption(desk.t("office.startups.hint")), self.board]

    async def load(self) -> None:
        found = await self.desk.call(self.desk.client.startups())
        if found is None:
            return
        self._show(found)
        self.update()

    def _show(self, found: list[Startup]) -> None:
        d, t = self.desk, self.desk.t
        columns: list[ft.Control] = []
        for stage in STAGES:
            mine = [s for s in found if s.stage == stage]
            cards = [self._card(s) for s in mine] or [caption(t("office.startups.none"))]
            columns.append(ft.Container(
                width=300, padding=10, border_radius=10, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                content=ft.Column([ft.Text(f"{d.label('startup_stages', stage)}（{len(mine)}）",
                                           size=16, weight=ft.FontWeight.W_600), *cards],
                                  spacing=8)))
        self.board.controls = columns

    def _card(self, s: Startup) -> ft.Control:
        d, t = self.desk, self.desk.t
        lines = [d.area(s.area), d.label("contact_roles", s.contact_role),
                 d.program(s.program) if s.program else "",
                 t("office.startups.since", date=s.history[0]["on"] if s.history else ""),
                 t("office.startups.staff", name=s.staff_name)]
        if s.planned_venue:
            lines.append(t("office.startups.venue", venue=s.planned_venue))
        if s.stage == "declined" and s.stage_reason:
            lines.append(t("office.startups.reason", reason=s.stage_reason))
        actions: list[ft.Control] = []
        officer = d.client.officer
        if officer is not None and officer.may("GET /records/{record_id}/photos"):
            actions.append(ft.TextButton(
                t("office.photos.of_record"), icon=ft.Icons.PHOTO_LIBRARY_OUTLINED,
                on_click=lambda e: self.page.run_task(record_photos, d, self.page, s.id,
                                                      s.group_name)))
        if s.place:
            place = s.place
            actions.append(ft.TextButton(t("office.startups.place", name=place.name),
                                         icon=ft.Icons.STOREFRONT,
                                         on_click=lambda e: d.go("place", id=place.id)))
        elif s.stage == OPENED:
            actions.append(ft.FilledButton(
                t("office.startups.open_place"), icon=ft.Icons.ADD_BUSINESS,
                on_click=lambda e: self.page.run_task(self._open, s)))
        return ft.Card(content=ft.Container(padding=10, content=ft.Column([
            ft.Text(s.group_name, weight=ft.FontWeight.W_600),
            *[ft.Text(line, size=13) for line in lines if line], *actions], spacing=4)))

    async def _open(self, s: Startup) -> None:
        d, t = self.desk, self.desk.t

        place = await d.call(d.client.open_place(s.id))  # a refusal is toasted
        if place is None:
            return
        d.toast(t("office.startups.opened", name=place.name))
        d.go("place", id=place.id)


class AssignmentsView(ft.Column):
    """Which staff look after which areas and places; tablets pull their own at sync."""

    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        self.rows = ft.Column(spacing=8)
        self.places: list[Place] = []
        self.controls = [heading(desk.t("office.assign.title")),
                         caption(desk.t("office.assign.hint")), self.rows]

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.assignments())
        places = await d.call(d.client.places())
        if found is None or places is None:
            return
        self.places = places.places
        self.rows.controls = [self._row(name, found.assignments[name])
                              for name in found.staff] or [
            caption(d.t("office.assign.none"))]
        self.update()

    def _row(self, name: str, given: Assignment) -> ft.Control:
        d, t = self.desk, self.desk.t
        names = {p.id: p.name or "" for p in self.places}
        summary = "、".join([d.area(a) for a in given.areas]
                           + [names.get(p, p) for p in given.places]) or t(
            "office.assign.nothing")
        return ft.Card(content=ft.ListTile(
            title=ft.Text(name), subtitle=ft.Text(summary),
            trailing=ft.Icon(ft.Icons.EDIT),
            on_click=lambda e: self._edit(name, given)))

    def _edit(self, name: str, given: Assignment) -> None:
        d, t = self.desk, self.desk.t
        areas, places = set(given.areas), set(given.places)
        area_boxes: list[ft.Control] = [ft.Checkbox(label=a.label(t.lang), value=a.key in areas,
                                  on_change=lambda e, k=a.key: (areas.add(k) if e.control.value
                                                                else areas.discard(k)))
                      for a in d.ref.areas]
        place_list = ft.Column(spacing=0, height=260, scroll=ft.ScrollMode.AUTO)

        def show_places(query: str = "") -> None:
            place_list.controls = [
                ft.Checkbox(label=f"{p.name}（{d.area(p.area)}）", value=p.id in places,
                            on_change=lambda e, k=p.id: (places.add(k) if e.control.value
                                                         else places.discard(k)))
                for p in sorted(self.places, key=lambda p: p.kana or p.name or "")
                if matches(query, p.name or "", p.kana or "", d.area(p.area))]

        def searched(e: Any) -> None:
            show_places(e.control.value or "")
            place_list.update()

        show_places()
        search = ft.TextField(label=t("office.places.search"), prefix_icon=ft.Icons.SEARCH,
                              on_change=searched)

        async def save() -> None:
            done = await d.call(d.client.assign(name, sorted(places), sorted(areas)))
            if done is None:
                return
            self.page.pop_dialog()
            d.toast(t("office.assign.saved", name=name))
            await self.load()

        self.page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("office.assign.edit", name=name)),
            content=ft.Column([
                ft.Text(t("office.assign.areas"), weight=ft.FontWeight.W_600),
                ft.Row(area_boxes, wrap=True, spacing=4),
                ft.Text(t("office.assign.places"), weight=ft.FontWeight.W_600),
                search, place_list], tight=True, spacing=8, width=560,
                scroll=ft.ScrollMode.AUTO),
            actions=[ft.TextButton(t("office.cancel"), on_click=lambda e: self.page.pop_dialog()),
                     ft.FilledButton(t("office.assign.save"),
                                     on_click=lambda e: self.desk.send(save))]))
