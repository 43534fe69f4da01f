"""Places: search by name, kana and area; filter by program."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from field_app.ui.context import AppContext

ALL = "all"


@dataclass
class PlacesModel:
    """The screen's state, apart from its controls."""

    ctx: AppContext
    query: str = ""
    program: str = ALL

    def results(self) -> list[dict[str, Any]]:
        program = None if self.program == ALL else self.program
        return self.ctx.store.search_places(self.query, program)

    def area_label(self, key: str) -> str:
        area = next((a for a in self.ctx.reference.areas if a.key == key), None)
        return area.label(self.ctx.t.lang) if area else key

    def program_label(self, key: str) -> str:
        program = self.ctx.reference.programs.get(key)
        return program.label(self.ctx.t.lang) if program else key


class PlacesView(ft.Column):
    def __init__(self, model: PlacesModel, on_change_lang: Callable[[], None]) -> None:
        super().__init__(expand=True, spacing=12)
        self.model = model  # kept by the caller: a language switch must not lose the search
        ctx = model.ctx
        t = ctx.t
        self.search = ft.TextField(
            label=t("places.search"), prefix_icon=ft.Icons.SEARCH, on_change=self._on_query,
            value=model.query, autofocus=False, col={"xs": 12, "md": 8})
        programs = [ft.DropdownOption(key=ALL, text=t("places.filter.all"))]
        programs += [ft.DropdownOption(key=k, text=p.label(t.lang))
                     for k, p in ctx.reference.programs.items()]
        self.program = ft.Dropdown(
            label=t("places.filter.label"), options=programs, value=model.program,
            on_select=self._on_program, expand=True, col={"xs": 12, "md": 4})
        self.count = ft.Text(semantics_label=None)
        self.list = ft.ListView(expand=True, spacing=4)
        self.controls = [
            ft.Row([
                ft.Text(t("places.title"), size=24, weight=ft.FontWeight.BOLD),
                ft.Container(expand=True),
                ft.TextButton(t("lang.switch"), on_click=lambda e: on_change_lang(),
                              style=ft.ButtonStyle(padding=12)),
            ]),
            # side by side on a tablet, stacked on a phone
            ft.ResponsiveRow([self.search, self.program], run_spacing=12),
            self.count,
            self.list,
        ]
        if any(p.get("sample") for p in ctx.store.all("place")):
            self.controls.insert(1, ft.Text(t("places.sample_notice"), italic=True, size=13))
        self.refresh()

    def _on_query(self, e: ft.Event[ft.TextField]) -> None:
        self.model.query = self.search.value or ""
        self.refresh()
        self.update()

    def _on_program(self, e: ft.Event[ft.Dropdown]) -> None:
        self.model.program = self.program.value or ALL
        self.refresh()
        self.update()

    def refresh(self) -> None:
        t = self.model.ctx.t
        places = self.model.results()
        self.count.value = t("places.count", count=len(places)) if places else t("places.none")
        self.list.controls = [self._tile(p) for p in places]

    def _tile(self, p: dict[str, Any]) -> ft.Control:
        t = self.model.ctx.t
        subtitle = (f"{self.model.program_label(p['program'])}{t('place.sep')}"
                    f"{self.model.area_label(p['area'])}"
                    f"　{t('place.schedule')}: {p.get('schedule', '')}")
        return ft.Card(content=ft.ListTile(
            title=ft.Text(p["name"], size=18, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(subtitle),
            leading=ft.Icon(ft.Icons.HOME_WORK_OUTLINED),
            min_vertical_padding=8,
        ))
