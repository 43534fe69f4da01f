"""The console's frame: sign-in first, then a navigation rail over the office's screens.

Each browser tab is its own session with its own sign-in; closing the tab signs it out."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft
import flet_web.fastapi as flet_fastapi
from fastapi import FastAPI
from starlette.responses import RedirectResponse

from core.reference_data import ASSETS_DIR, load_reference
from office.client import OfficeClient
from office.compliance import AttendanceView, ComplianceView
from office.concern import ConcernView
from office.desk import Desk
from office.devices import DevicesView
from office.gallery import PhotoGallery
from office.grants import GrantsView, GrantView
from office.inbox import InboxView
from office.places import PlaceForm, PlacesView
from office.planning import AssignmentsView, StartUpBoard
from office.provisions import DisclosureView, ProvisionsView
from office.reference import ReferenceView
from office.reports import ReportsView
from office.signin import SignInView
from office.visits import VisitsView
from ui_kit import theme
from ui_kit.i18n import Translator
from ui_kit.navigation import Navigation
from ui_kit.routes import Router
from ui_kit.web import mounted
from ui_kit.widgets import labelled

NAV = [("inbox", ft.Icons.INBOX_OUTLINED, "office.nav.inbox"),
       ("places", ft.Icons.PLACE_OUTLINED, "office.nav.places"),
       ("visits", ft.Icons.FORUM_OUTLINED, "office.nav.visits"),
       ("compliance", ft.Icons.FACT_CHECK_OUTLINED, "office.nav.compliance"),
       ("grants", ft.Icons.PAYMENTS_OUTLINED, "office.nav.grants"),
       ("startups", ft.Icons.LIGHTBULB_OUTLINE, "office.nav.startups"),
       ("assignments", ft.Icons.ASSIGNMENT_IND_OUTLINED, "office.nav.assignments"),
       ("reports", ft.Icons.TABLE_CHART_OUTLINED, "office.nav.reports"),
       ("provisions", ft.Icons.SHIELD_OUTLINED, "office.nav.provisions"),
       ("devices", ft.Icons.TABLET_ANDROID, "office.nav.devices"),
       ("reference", ft.Icons.TUNE, "office.nav.reference")]
PARENT = {"concern": "inbox", "place": "places", "attendance": "compliance", "grant": "grants",
          "disclosure": "provisions", "photos": "places"}
# the office operation each screen is for: a screen is shown only to roles that may call it
# (the hub says which those are, at sign-in: hub/roles.py)
NEEDS = {"inbox": "GET /concerns", "concern": "GET /concerns/{concern_id}",
         "places": "POST /places", "place": "PUT /places/{place_id}",
         "visits": "GET /visits",
         "compliance": "GET /compliance", "attendance": "GET /places/{place_id}/attendance",
         "grants": "GET /grants", "grant": "GET /grants/{place_id}/{fiscal_year}",
         "startups": "GET /startups", "assignments": "GET /assignments",
         "reports": "GET /reports", "provisions": "GET /provisions",
         "disclosure": "GET /disclosure", "devices": "GET /devices",
         "reference": "PUT /reference", "photos": "GET /places/{place_id}/photos"}
WIDE = 840  # px: rail at and above, bottom bar below (as in the field app)
SCREENS: dict[str, Callable[..., Any]] = {
    "inbox": InboxView, "concern": ConcernView, "places": PlacesView, "place": PlaceForm,
    "compliance": ComplianceView, "attendance": AttendanceView, "reports": ReportsView,
    "devices": DevicesView, "reference": ReferenceView, "startups": StartUpBoard,
    "assignments": AssignmentsView, "grants": GrantsView, "grant": GrantView,
    "provisions": ProvisionsView, "disclosure": DisclosureView, "visits": VisitsView,
    "photos": PhotoGallery}


@dataclass(frozen=True)
class Settings:
    lang: str = "ja"
    public_url: str = ""  # the hub's address for tablets, when not the browser's
    idle_after: float = 30 * 60  # seconds without use before the console signs itself out
    inbox_check: float = 30.0  # seconds between looks for new concerns while the inbox is open
    idle_check: float = 0.0  # seconds between looks at the idle time (0: a quarter of it, ≤ 30)
    clock: Callable[[], float] = time.monotonic  # what idle time is measured by (tests move it)


class Console:
    def __init__(self, page: ft.Page, client: OfficeClient, settings: Settings) -> None:
        self.page = page
        self.settings = settings
        self.desk = Desk(page, client, Translator(settings.lang), load_reference(),
                         settings.public_url, go=self.go, signed_out=self.show_sign_in,
                         touch=self._touch, inbox_check=settings.inbox_check)
        self.last_use = settings.clock()
        self.watching = 0  # the sign-in whose idle watch is current
        # the console's one router; an address opened goes to its screen once signed in
        self.router = Router(page, "inbox", tuple(name for name, _, _ in NAV), self.render,
                             known=lambda name: name in SCREENS,
                             ready=lambda: self.desk.client.officer is not None)
        theme.apply(page)
        theme.language(page, settings.lang)
        page.padding = 0
        self.view: Any = None
        self.wide = True
        # the frame's controls are kept across repaints: a tap that lands while one is on
        # its way still reaches them (see ui_kit.navigation)
        self.tabs = list(NAV)  # the tabs the signed-in roles may open (set at sign-in)
        self.navigation = Navigation([icon for _, icon, _ in NAV], self._nav, rail_width=96)
        self.language = ft.TextButton(on_click=self._language)
        self.signout = ft.TextButton(icon=ft.Icons.LOGOUT, on_click=self._sign_out)
        # a phone's way to the tabs: ten labels do not fit a bottom bar (see _frame)
        self.menu = labelled("", ft.IconButton(ft.Icons.MENU, on_click=self._open_menu))
        page.on_resize = self._resized
        page.on_disconnect = self._gone
        page.on_keyboard_event = lambda e: self._touch()  # typing is use too
        self.show_sign_in(keep_route=True)

    def _touch(self) -> None:
        self.last_use = self.settings.clock()

    async def _watch_idle(self, generation: int) -> None:
        """A console left open on a shared office PC must not keep showing concerns."""
        step = self.settings.idle_check or min(30.0, self.settings.idle_after / 4)
        while generation == self.watching and self.desk.client.officer is not None:
            await asyncio.sleep(step)
            if generation != self.watching or self.desk.client.officer is None:
                return
            if self.settings.clock() - self.last_use >= self.settings.idle_after:
                with contextlib.suppress(Exception):
                    await self.desk.client.sign_out()
                for _ in range(10):  # an enrolment code or a question may still be open
                    if self.page.pop_dialog() is None:
                        break
                minutes = max(1, round(self.settings.idle_after / 60))
                self.show_sign_in(self.desk.t("office.idle_signed_out", minutes=minutes))
                return

    async def _gone(self, e: Any) -> None:
        with contextlib.suppress(Exception):  # a tab closed: its session ends with it
            await self.desk.client.sign_out()
        await self.desk.client.aclose()

    @property
    def route(self) -> tuple[str, dict[str, Any]]:
        return self.router.top

    def show_sign_in(self, notice: str = "", *, keep_route: bool = False) -> None:
        """The sign-in screen; after a sign-out the next sign-in starts at the inbox (a
        page opened at an address goes there once signed in)."""
        t = self.desk.t
        self.watching += 1
        self.view = None
        self.page.title = t("office.title")
        if not keep_route:
            self.router.stack.reset()
        self.page.views.clear()
        self.page.views.append(ft.View(route="/", padding=0, controls=[ft.Container(
            SignInView(self.desk.client, t, self._signed_in, notice),
            alignment=ft.Alignment.CENTER,
            expand=True)]))
        self.page.update()

    def may(self, screen: str) -> bool:
        officer = self.desk.client.officer
        return officer is not None and officer.may(NEEDS[screen])

    def _roles_changed(self) -> None:
        """Only the tabs the roles allow, the first of them home; an address opened for a
        screen these roles may not see goes home instead."""
        self.tabs = [tab for tab in NAV if self.may(tab[0])]
        self.navigation = Navigation([icon for _, icon, _ in self.tabs], self._nav,
                                     rail_width=96)
        stack = self.router.stack
        stack.home = self.tabs[0][0] if self.tabs else "inbox"
        stack.tabs = tuple(name for name, _, _ in self.tabs)
        if any(not self.may(r.name) for r in stack.routes if r.name in NEEDS):
            stack.reset()

    def missing(self) -> str:
        """Why tabs are missing: which roles each one needs (empty when none is)."""
        t, officer = self.desk.t, self.desk.client.officer
        if officer is None:
            return ""
        groups: dict[tuple[str, ...], list[str]] = {}
        for name, _, key in NAV:
            if not self.may(name):
                groups.setdefault(officer.needs(NEEDS[name]), []).append(t(key))
        return " ".join(t("office.roles.missing", screens="・".join(screens),
                          # the label staff know, and the name `ibasho-hub users roles` takes
                          roles=" / ".join(t("office.role.named", label=t(f"office.role.{r}"),
                                             name=r) for r in needs) or "—")
                        for needs, screens in groups.items())

    async def _signed_in(self) -> None:
        self._roles_changed()
        await self.desk.refresh_reference()
        self._touch()
        self.watching += 1
        self.page.run_task(self._watch_idle, self.watching)
        self.render()

    async def _sign_out(self, e: Any) -> None:
        await self.desk.call(self.desk.client.sign_out())
        self.show_sign_in()

    def go(self, name: str, **params: Any) -> None:
        self.router.go(name, **params)

    def back(self) -> None:
        self.router.back()

    def _nav(self, index: int) -> None:
        if not self.wide:  # picked in the phone's menu: it closes before the screen changes
            self.page.run_task(self.page.close_drawer)
        self.router.go(self.tabs[index][0])

    async def _open_menu(self, e: Any) -> None:
        await self.page.show_drawer()  # type: ignore[no-untyped-call]  # Flet leaves it so

    def _language(self, e: Any) -> None:
        t = self.desk.t
        t.lang = "en" if t.lang == "ja" else "ja"
        theme.language(self.page, t.lang)
        self.render()

    def _resized(self, e: Any) -> None:
        # Only when the frame must change (rail <-> bottom bar), and keeping the screen as it
        # is: rebuilding it would drop what someone is typing when a tablet turns.
        if self.desk.client.officer is not None and self.view is not None \
                and self._is_wide() != self.wide:
            self._frame()

    def _is_wide(self) -> bool:
        return (self.page.width or 1280) >= WIDE

    def render(self) -> None:
        if self.desk.client.officer is None:
            self.show_sign_in()
            return
        self._touch()
        name, params = self.route
        if name not in SCREENS or not self.may(name):  # no screen of ours, or not for these roles
            self.router.stack.reset()
            name, params = self.route
        self.view = SCREENS[name](self.desk, back=self.back, **params)
        self._frame()
        self.page.run_task(self.view.load)

    def _frame(self) -> None:
        desk, t, page = self.desk, self.desk.t, self.page
        officer = desk.client.officer
        assert officer is not None
        page.title = t("office.title")
        self.wide = self._is_wide()
        top = PARENT.get(self.route[0], self.route[0])
        index = next((i for i, n in enumerate(self.tabs) if n[0] == top), 0)
        who = t("office.signed_in_as", name=officer.username,
                role="・".join(t(f"office.role.{r}") for r in officer.roles))
        labels = [t(key) for _, _, key in self.tabs]
        # a phone: the menu, the screen's name, then language and sign-out, which a line
        # that also held the name and roles pushed off the screen (they go in the menu)
        self.menu.label = t("office.menu")  # type: ignore[attr-defined]
        first = [ft.Text(t("office.title"), size=16, weight=ft.FontWeight.W_600),
                 ft.Container(expand=True), ft.Text(who, size=14)] if self.wide else [
            self.menu, ft.Text(labels[index] if labels else "", size=16, expand=True,
                               weight=ft.FontWeight.W_600, max_lines=1,
                               overflow=ft.TextOverflow.ELLIPSIS)]
        bar = ft.Container(padding=ft.Padding.symmetric(horizontal=16 if self.wide else 4,
                                                         vertical=8),
                           content=ft.Row([*first, self.language, self.signout], spacing=4,
                                          vertical_alignment=ft.CrossAxisAlignment.CENTER))
        self.language.content, self.signout.content = t("lang.switch"), t("office.signout")
        why = self.missing()
        body = ft.Column([bar, ft.Container(ft.Text(why, size=13, italic=True),
                                            padding=ft.Padding.symmetric(horizontal=16),
                                            visible=bool(why)),
                          ft.Container(self.view, padding=16 if self.wide else 8,
                                       expand=True)], expand=True, spacing=0)
        view = ft.View(padding=0, spacing=0)  # its route is the router's (routes.SHOWN)
        if self.wide:
            view.controls = [ft.Row([self.navigation.rail(labels, index),
                                     ft.VerticalDivider(width=1), body], expand=True, spacing=0)]
        else:
            view.drawer = self.navigation.drawer(labels, index, who)
            view.controls = [body]
        self.router.show(view)


def build_main(make_client: Callable[[], OfficeClient], settings: Settings = Settings()
               ) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        Console(page, make_client(), settings)

    return main


def with_console(hub: FastAPI, settings: Settings = Settings()) -> FastAPI:
    """The hub's API with the console at /office; the hub's root leads there, so office
    staff just open the hub's address. The console calls the API in-process."""
    def client() -> OfficeClient:
        return OfficeClient.in_process(hub)

    app: FastAPI = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    mounted(app, "/office", build_main(client, settings), ASSETS_DIR, "Ibasho office")
    app.add_route("/", lambda request: RedirectResponse("/office/"))
    app.mount("/", hub)
    return app
