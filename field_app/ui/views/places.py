"""Places: search by name, kana and area; filter by program; pick one to record at."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from core.domain.place import Place
from field_app.ui.session import Session
from field_app.ui.views.month_report import open_month, report_month
from ui_kit.widgets import caption, heading

ALL = "all"


@dataclass
class PlacesModel:
    """The screen's state, apart from its controls; kept across language switches."""

    query: str = ""
    program: str = ALL

    def results(self, session: Session) -> list[Place]:
        program = None if self.program == ALL else self.program
        return session.records.places(self.query, program)


class PlacesView(ft.Column):
    def __init__(self, session: Session, model: PlacesModel, pick: str | None = None) -> None:
        super().__init__(expand=True, spacing=12)
        self.session, self.model, self.pick = session, model, pick
        t = session.t
        self.search = ft.TextField(
            label=t("places.search"), prefix_icon=ft.Icons.SEARCH, on_change=self._on_query,
            value=model.query, autofocus=False, col={"xs": 12, "md": 8})
        programs = [ft.DropdownOption(key=ALL, text=t("places.filter.all"))]
        programs += [ft.DropdownOption(key=k, text=p.label(t.lang))
                     for k, p in session.reference.programs.items()]
        self.program = ft.Dropdown(
            label=t("places.filter.label"), options=programs, value=model.program,
            on_select=self._on_program, expand=True, col={"xs": 12, "md": 4})
        self.count = ft.Text()
        self.list = ft.ListView(expand=True, spacing=4)
        title = t(f"places.pick.{pick}") if pick else t("places.title")
        self.controls = [
            ft.Row([heading(title), ft.Container(expand=True),
                    *([] if pick else [ft.OutlinedButton(
                        t("home.startups"), icon=ft.Icons.LIGHTBULB_OUTLINE,
                        on_click=lambda e: session.go("startups"))])],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            # side by side on a tablet, stacked on a phone
            ft.ResponsiveRow([self.search, self.program], run_spacing=12),
            self.count,
            self.list,
        ]
        if session.records.has_sample_places():
            self.controls.insert(1, caption(t("places.sample_notice")))
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
        t = self.session.t
        places = self.model.results(self.session)
        self.count.value = t("places.count", count=len(places)) if places else t("places.none")
        self.list.controls = [self._tile(p) for p in places]

    def _tile(self, p: Place) -> ft.Control:
        t, ref = self.session.t, self.session.reference
        program = ref.programs.get(p.program)
        area = next((a for a in ref.areas if a.key == p.area), None)
        subtitle = (f"{program.label(t.lang) if program else p.program}{t('place.sep')}"
                    f"{area.label(t.lang) if area else p.area}"
                    f"　{t('place.schedule')}: {p.schedule}")
        target = (self.pick, {"place": p.id}) if self.pick else ("place", {"id": p.id})
        return ft.Card(content=ft.ListTile(
            title=ft.Text(p.name, size=18, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(subtitle),
            leading=ft.Icon(ft.Icons.HOME_WORK_OUTLINED),
            min_vertical_padding=8,
            on_click=lambda e: self._picked(p, *target),
        ))

    def _picked(self, place: Place, route: str, params: dict[str, str]) -> None:
        """A gathering at a place recorded monthly is its month's report."""
        month = report_month(self.session, place) if route == "gathering" else None
        if month is not None:
            open_month(self.session, month)
        else:
            self.session.go(route, **params)
