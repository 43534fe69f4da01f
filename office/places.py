"""Places and their groups: the list, and a form to add or edit one. Tablets receive the
change at their next sync; an edit made on an old copy is refused, not silently merged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from core.domain.text import matches
from hub.contract.places import Members, Place
from office.client import OfficeError
from office.conditions_editor import number
from office.desk import Desk
from office.schedule_editor import ScheduleEditor
from office.visits import history_panel
from ui_kit.widgets import caption, counted, dropdown, heading, named

TEXTS = (("name", 100), ("kana", 200), ("group_name", 100), ("representative", 100), ("venue", 200),
         ("schedule", 200))
DATES = ("opened_on", "closed_on")  # 開設日, 閉所日: only the days between are counted
SWITCHES = ("open_to_all", "subsidised", "active")


class PlacesView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, expand=True)
        self.desk = desk
        t = desk.t
        self.rows = ft.ListView(spacing=6, expand=True)
        self.places: list[Place] = []
        self.search = ft.TextField(label=t("office.places.search"), prefix_icon=ft.Icons.SEARCH,
                                   width=360, on_change=desk.typing(lambda e: self._show()))
        self.controls = [
            ft.Row([heading(t("office.places.title")), ft.Container(expand=True),
                    ft.FilledButton(t("office.places.add"), icon=ft.Icons.ADD_LOCATION_ALT,
                                    on_click=lambda e: desk.go("place", id=""))]),
            # the hint beside the search, or under it where there is no room (a phone)
            ft.Row([self.search, caption(t("office.places.hint"))], spacing=16, wrap=True,
                   run_spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.rows]

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.places())
        if found is None:
            return
        self.places = found.places
        self._show()

    def _show(self) -> None:
        d, query = self.desk, self.search.value or ""
        shown = [p for p in self.places if matches(
            query, p.name or "", p.kana or "", d.area(p.area), p.group_name or "",
            d.program(p.program))]
        self.rows.controls = [ft.Card(content=ft.ListTile(
            leading=ft.Icon(ft.Icons.PLACE if p.active else ft.Icons.PLACE_OUTLINED),
            title=ft.Text(p.name or ""),
            subtitle=ft.Text("　".join(x for x in (
                d.program(p.program), d.area(p.area), p.group_name,
                p.schedule, "" if p.active else d.t("office.places.inactive"),
                d.t("office.places.closed", date=d.day(p.closed_on)) if p.closed_on else "")
                if x)),
            on_click=lambda e, pid=p.id: d.go("place", id=pid)))
            for p in shown] or [caption(d.t("office.places.none"))]
        self.update()


class PlaceForm(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None], id: str = "") -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk, self.back, self.place_id = desk, back, id
        self.data: dict[str, Any] = {"program": "ibasho", "area": "", "open_to_all": True,
                                     "subsidised": False, "active": True}
        self.members: Members | None = None  # a registration program's, this year
        self.history = history_panel(desk, id)  # its year: gatherings, visits, meetings
        self.controls = [caption(desk.t("office.loading"))]

    async def load(self) -> None:
        d = self.desk
        if self.place_id:
            found = await d.call(d.client.places())
            if found is None:
                return
            place = next((p for p in found.places if p.id == self.place_id), None)
            if place is None:
                d.toast(d.t("office.places.gone"), error=True)
                self.back()
                return
            # the form edits the fields the place has, as they will be sent back (the hub's
            # domain checks what is typed), so it keeps them as a document
            self.data = place.model_dump(exclude_unset=True)
        program = d.ref.programs.get(str(self.data.get("program")))
        if self.place_id and program is not None and program.requires_registration:
            self.members = await d.call(d.client.members(self.place_id, d.fiscal_year()))
        self._build()
        self.update()
        for panel in self.history:
            await panel.load()

    def _build(self) -> None:
        d, t, data = self.desk, self.desk.t, self.data
        def keep(key: str) -> Callable[[Any], None]:
            return d.typing(lambda e: data.update({key: e.control.value or ""}))

        self.fields: dict[str, ft.TextField] = {
            key: counted(ft.TextField(label=t(f"office.place.{key}"), value=str(data.get(key, "")),
                                      max_length=limit, on_change=keep(key)), t)
            for key, limit in TEXTS}
        # no condition or report counts a day outside them: each field says so beneath
        self.fields |= {key: ft.TextField(label=t(f"office.place.{key}"), width=300,
                                          value=str(data.get(key) or ""), hint_text="YYYY-MM-DD",
                                          helper=t(f"office.place.{key}_hint"),
                                          on_change=keep(key), error_max_lines=3)
                        for key in DATES}
        self.program = dropdown(t("office.place.program"),
                                [(k, p.label(t.lang)) for k, p in d.ref.programs.items()],
                                data.get("program"), lambda v: data.update(program=v or ""),
                                width=280)
        self.area = dropdown(t("office.place.area"),
                             [(a.key, a.label(t.lang)) for a in d.ref.areas],
                             data.get("area"), lambda v: data.update(area=v or ""), width=280)
        switches: list[ft.Control] = [ft.Switch(label=t(f"office.place.{key}"), value=bool(data.get(key)),
                              on_change=lambda e, k=key: data.update({k: bool(e.control.value)}))
                    for key in SWITCHES]
        self.schedule = ScheduleEditor(t, data.get("recurrence"))
        title = t("office.place.edit") if self.place_id else t("office.places.add")
        chart = ft.OutlinedButton(
            t("office.place.attendance"), icon=ft.Icons.BAR_CHART, visible=bool(self.place_id),
            on_click=lambda e: d.go("attendance", place_id=self.place_id,
                                    title=str(data.get("name", "")), year=d.fiscal_year()))
        officer = d.client.officer
        photos = ft.OutlinedButton(
            t("office.photos.open"), icon=ft.Icons.PHOTO_LIBRARY_OUTLINED,
            visible=bool(self.place_id) and officer is not None
            and officer.may("GET /places/{place_id}/photos"),
            on_click=lambda e: d.go("photos", place_id=self.place_id,
                                    title=str(data.get("name", "")), year=d.fiscal_year()))
        self.controls = [
            ft.TextButton(t("nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: self.back()),
            ft.Row([heading(title), ft.Container(expand=True), photos, chart]),
            ft.Row([self.fields["name"], self.fields["kana"]], wrap=True),
            ft.Row([named(self.program), named(self.area)], wrap=True, spacing=16),
            ft.Row([self.fields[k] for k in ("group_name", "representative")], wrap=True,
                   spacing=16),
            ft.Row([self.fields[k] for k in ("venue", *DATES)], wrap=True, spacing=16),
            ft.Container(self.schedule, padding=12, border_radius=12,
                         border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT)),
            self.fields["schedule"],
            ft.Row(switches, wrap=True, spacing=24),
            ft.FilledButton(t("office.place.save"), icon=ft.Icons.SAVE,
                            on_click=lambda e: self.desk.send(self._save)),
            *([self._members()] if self.members is not None else []),
            *self.history,
        ]

    def _members(self) -> ft.Control:
        """A registration program's registered members this year: counts from the group's
        roster by age band and sex (never names), for the 実人数 of the city's surveys."""
        d, t = self.desk, self.desk.t
        counts: dict[str, dict[str, Any]] = {
            b: dict(v) for b, v in (self.members.counts if self.members else {}).items()}
        self.member_fields: dict[str, ft.TextField] = {}
        rows: list[ft.Control] = []
        for band in ("under_65", "65_74", "75_plus"):
            cells: list[ft.Control] = [ft.Text(t(f"office.members.band.{band}"), width=110)]
            for sex in (o.key for o in d.ref.enums["member_sexes"]):
                def keep(e: Any, b: str = band, x: str = sex) -> None:
                    counts.setdefault(b, {})[x] = number(e.control.value or "") or 0

                # band and sex both in the label: a screen reader says which box this is
                field = ft.TextField(label=t("office.members.cell", band=t(
                    f"office.members.band.{band}"), sex=d.label("member_sexes", sex)),
                                     width=170, dense=True,
                                     value=str(counts.get(band, {}).get(sex, 0)),
                                     on_change=d.typing(keep))
                self.member_fields[f"counts.{band}.{sex}"] = field
                cells.append(field)
            rows.append(ft.Row(cells, spacing=8))

        async def save() -> None:
            for f in self.member_fields.values():
                f.error = None

            def show(exc: OfficeError) -> None:
                problems = {p["field"]: d.words().expected(p) for p in exc.problems}
                for path, f in self.member_fields.items():
                    f.error = problems.get(path)
                self.update()

            saved = await d.submit(d.client.save_members(self.place_id, d.fiscal_year(), counts),
                                   show)
            if saved is not None:
                d.toast(t("office.members.saved", year=d.fiscal_year()))

        return ft.Container(padding=12, border_radius=12,
                            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                            content=ft.Column([
                                ft.Text(t("office.members.title", year=d.fiscal_year()),
                                        size=16, weight=ft.FontWeight.W_600),
                                caption(t("office.members.hint")), *rows,
                                ft.OutlinedButton(t("office.members.save"), icon=ft.Icons.SAVE,
                                                  on_click=lambda e: self.desk.send(save))],
                                spacing=8))

    async def _save(self) -> None:
        d, t = self.desk, self.desk.t
        body = {k: self.data.get(k) for k in ("name", "kana", "program", "area", "group_name",
                                              "representative", "venue", "schedule", *SWITCHES)}
        body |= {k: (self.data.get(k) or "").strip() or None for k in DATES}  # blank: not set
        body["recurrence"] = self.schedule.value()
        if self.place_id:
            body.update(id=self.place_id, rev=self.data["rev"])
        for f in self.fields.values():
            f.error = None
        self.program.error_text = self.area.error_text = None

        words = d.words(("office.place.", "office.schedule.field.", "office.schedule."))

        def show(exc: OfficeError) -> None:
            problems = d.field_problems(exc, words)
            for key, f in self.fields.items():
                f.error = problems.get(key)
            # the hub lists the allowed keys; a menu only needs "pick one"
            self.program.error_text = t("office.choose") if "program" in problems else None
            self.area.error_text = t("office.choose") if "area" in problems else None
            self.schedule.show_problems(exc.problems, words)
            self.update()

        saved = await d.submit(d.client.save_place(body), show, words)
        if saved is None:
            return
        d.toast(t("office.place.saved", name=saved.name))
        self.back()
