"""訪問・相談・会議: the staff's visit notes by place, staff member, type and fiscal year,
newest first, with the follow-ups whose date passed and nobody went back; and a place's
year (gatherings, visits, meetings) for the place page.

What was observed and decided is sealed on the tablet: only the roles the hub allows read it
(`GET /visits/notes`, audited with each note shown); the others see that a note has text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from hub.contract.places import Place
from hub.contract.visits import FollowUp, PlaceHistory, Visit, VisitNotes, Visits
from office.compliance import year_menu
from office.desk import Desk
from ui_kit.widgets import caption, dropdown, heading, named

ALL = "*"  # the "all" choice of a filter menu
FILTERS = ("place_id", "staff", "visit_type")
TEXT = "GET /visits/notes"  # the operation that shows what was observed and decided


def where(v: Visit) -> str:
    """Whom a note is about: its place, its start-up's group, or the group it names."""
    return v.place_name or v.startup_name or v.group_name


def details(desk: Desk, v: Visit) -> str:
    """A note's facts in one line: who, how long, the meeting's roles and topics, dates."""
    t = desk.t
    parts = [v.staff, t("office.visits.minutes", minutes=v.duration_minutes)
             if v.duration_minutes else ""]
    if v.attendee_roles:
        parts.append(t("office.visits.attendees", roles="・".join(
            desk.label("meeting_roles", k) for k in v.attendee_roles)))
    if v.topics:
        parts.append(t("office.visits.topics", topics="・".join(
            desk.label("meeting_topics", k) for k in v.topics)))
    if v.next_meeting_on:
        parts.append(t("office.visits.next_meeting", date=desk.day(v.next_meeting_on)))
    if v.follow_up_on:
        parts.append(t("office.visits.follow_up", date=desk.day(v.follow_up_on)))
    return "　".join(p for p in parts if p)


class VisitsView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None,
                 year: int | str | None = None, **filters: str) -> None:
        super().__init__(spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)
        self.desk = desk
        t = desk.t
        self.filters = {k: str(filters.get(k) or "") for k in FILTERS}
        self.year = int(str(year)) if str(year or "").isdigit() else desk.fiscal_year()
        officer = desk.client.officer
        self.with_text = officer is not None and officer.may(TEXT)
        self.menus = ft.Row(wrap=True, spacing=12, run_spacing=12)
        self.follow = ft.Column(spacing=4)
        self.count = caption("")
        self.rows = ft.Column(spacing=8)
        self.shown: list[Visit] = []
        self.controls = [
            heading(t("office.visits.title")),
            caption(t("office.visits.hint_text" if self.with_text
                      else "office.visits.hint_no_text",
                      roles=" / ".join(t(f"office.role.{r}") for r in (
                          officer.needs(TEXT) if officer else ())))),
            self.menus, self.follow, self.count, self.rows]

    def _asked(self) -> dict[str, str | int]:
        return {**self.filters, "fiscal_year": self.year}

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.visits(self._asked(), with_text=self.with_text))
        due = await d.call(d.client.follow_ups({k: self.filters[k]
                                                for k in ("place_id", "staff")}))
        places = await d.call(d.client.places())
        if found is None or due is None or places is None:
            return
        self._menus(found.staff, places.places)
        self._follow_ups(due.follow_ups)
        self.shown = []
        self._rows(found)
        self.update()

    async def more(self) -> None:
        d = self.desk
        found = await d.call(d.client.visits(self._asked(), offset=len(self.shown),
                                             with_text=self.with_text))
        if found is not None:
            self._rows(found)
            self.update()

    def _menus(self, staff: list[str], places: Sequence[Place]) -> None:
        d, t = self.desk, self.desk.t
        every = [(ALL, t("office.filter.all"))]
        menus = [
            ("place_id", t("office.filter.place"), [(p.id, p.name or "") for p in places]),
            ("staff", t("office.filter.staff"),
             [(s, s) for s in sorted({*staff, *([self.filters["staff"]]
                                                if self.filters["staff"] else [])})]),
            ("visit_type", t("office.filter.visit_type"),
             [(o.key, o.label(t.lang)) for o in d.ref.enums["visit_types"]]),
        ]
        self.menus.controls = [year_menu(d, self.year, self._year)] + [
            named(dropdown(label, every + choices, self.filters[key] or ALL,
                           self._filter(key), width=230))
            for key, label, choices in menus]

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    def _filter(self, key: str) -> Callable[[str | None], None]:
        def chosen(value: str | None) -> None:
            self.filters[key] = "" if value in (None, ALL) else str(value)
            self.page.run_task(self.load)

        return chosen

    def _follow_ups(self, due: list[FollowUp]) -> None:
        d, t = self.desk, self.desk.t
        title = ft.Text(t("office.visits.follow_title", count=len(due)), size=16,
                        weight=ft.FontWeight.W_600,
                        color=ft.Colors.ERROR if due else None)
        rows: list[ft.Control] = [ft.ListTile(
            leading=ft.Icon(ft.Icons.EVENT_BUSY, color=ft.Colors.ERROR),
            title=ft.Text(t("office.visits.follow_row", due=d.day(v.follow_up_on),
                            days=v.days_passed, where=where(v))),
            subtitle=ft.Text(t("office.visits.follow_of", type=d.label("visit_types",
                                                                         v.visit_type),
                               date=d.day(v.date), staff=v.staff)),
            dense=True) for v in due]
        self.follow.controls = [title, *(rows or [caption(t("office.visits.follow_none"))]),
                                ft.Divider()]

    def _rows(self, found: Visits | VisitNotes) -> None:
        t = self.desk.t
        self.shown += found.visits
        total = found.total
        self.count.value = (t("office.visits.count", count=total) if len(self.shown) >= total
                            else t("office.visits.partial", count=total, shown=len(self.shown)))
        cards: list[ft.Control] = [self._card(v) for v in self.shown]
        if len(self.shown) < total:
            cards.append(ft.Container(ft.OutlinedButton(
                t("office.visits.more"), icon=ft.Icons.EXPAND_MORE,
                on_click=lambda e: self.page.run_task(self.more)),
                alignment=ft.Alignment.CENTER, padding=8))
        self.rows.controls = cards or [caption(t("office.visits.none"))]

    def _card(self, v: Visit) -> ft.Control:
        d, t = self.desk, self.desk.t
        lines: list[ft.Control] = [
            ft.Text(f"{d.day(v.date)}　{d.label('visit_types', v.visit_type)}　{where(v)}",
                    size=16, weight=ft.FontWeight.W_600),
            caption(details(d, v))]
        for key in ("observations", "decisions") if self.with_text else ():
            said = str(getattr(v, key, "") or "")
            if said.strip():
                lines.append(ft.Text(f"{t(f'office.visits.{key}')}: {said}"))
        if v.has_text and not self.with_text:
            lines.append(caption(t("office.visits.sealed")))
        return ft.Card(content=ft.Container(ft.Column(lines, spacing=4), padding=12))


class PlaceHistoryPanel(ft.Container):
    """A place's fiscal year by date for its page: each gathering (held or not, how many
    came, whether staff were there) and each visit, consultation or meeting."""

    def __init__(self, desk: Desk, place_id: str) -> None:
        super().__init__(padding=12, border_radius=12,
                         border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))
        self.desk, self.place_id, self.year = desk, place_id, desk.fiscal_year()
        self.body = ft.Column(spacing=2)
        self.content = ft.Column([
            ft.Row([ft.Text(desk.t("office.history.title"), size=16,
                            weight=ft.FontWeight.W_600),
                    year_menu(desk, self.year, self._year),
                    ft.TextButton(desk.t("office.history.all_visits"), icon=ft.Icons.FORUM,
                                  on_click=lambda e: desk.go("visits", place_id=place_id,
                                                             year=self.year))],
                   wrap=True, spacing=16,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.body], spacing=8)

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.place_history(self.place_id, self.year))
        if found is None:
            return
        self.show(found)
        self.update()

    def show(self, found: PlaceHistory) -> None:
        d, t = self.desk, self.desk.t
        rows: list[ft.Control] = []
        for e in found.events:
            if e.gathering is not None:
                g = e.gathering
                what = (t("office.history.gathering", start=g.start_time, end=g.end_time,
                          participants=g.participants) if g.held else
                        t("office.history.not_held",
                          reason=d.label("not_held_reasons", g.not_held_reason)))
                if g.staff_visited:
                    what += t("office.history.staff_visited")
                icon = ft.Icons.GROUPS if g.held else ft.Icons.EVENT_BUSY
            elif e.visit is not None:
                v = e.visit
                what = f"{d.label('visit_types', v.visit_type)}　{details(d, v)}"
                icon = ft.Icons.FORUM_OUTLINED
            else:
                continue
            rows.append(ft.Row([ft.Icon(icon, size=18), ft.Text(d.day(e.date), width=150),
                                ft.Text(what, expand=True)], spacing=8))
        self.body.controls = rows or [caption(t("office.history.none"))]


def history_panel(desk: Desk, place_id: str) -> list[Any]:
    """The place page's history, for the roles that may read it (none: nothing)."""
    officer = desk.client.officer
    if not place_id or officer is None or not officer.may("GET /places/{place_id}/history"):
        return []
    return [PlaceHistoryPanel(desk, place_id)]
