"""The frame around the screens: navigation rail on a tablet, bottom bar on a phone, a
sync badge that updates live, and routing between screens."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import flet as ft

from core.domain.gathering import MONTH
from core.domain.record import new_id
from field_app.ui.chrome import BENCH_ROUTES, NAV, Chrome
from field_app.ui.form import RecordForm
from field_app.ui.prefill import after_save, defaults
from field_app.ui.screens import FORM_KINDS, FORM_ROUTES
from field_app.ui.services import Services
from field_app.ui.session import Session
from field_app.ui.views.concern import ConcernView
from field_app.ui.views.followups import FollowUpsView
from field_app.ui.views.gathering import GatheringView
from field_app.ui.views.home import HomeView
from field_app.ui.views.lock import LockView
from field_app.ui.views.month_report import MonthReportView
from field_app.ui.views.place import PlaceView
from field_app.ui.views.places import PlacesModel, PlacesView
from field_app.ui.views.settings import SettingsView
from field_app.ui.views.startup import StartUpView
from field_app.ui.views.startups import StartUpsView
from field_app.ui.views.sync_view import SyncView
from field_app.ui.views.visit_note import VisitNoteView
from field_app.ui.views.visit_plan import VisitPlanView
from field_app.ui.views.week import WeekView
from sync.client import Status
from ui_kit import theme
from ui_kit.i18n import Translator
from ui_kit.routes import Router

log = logging.getLogger(__name__)

# Screens that only show records: a sync that brought changes repaints them, so a referral
# the office made appears without leaving the screen. Forms are never repainted under the
# staff member's hands.
LIVE = (HomeView, PlaceView, FollowUpsView, WeekView, StartUpsView)
VIEWS: dict[str, Any] = {"gathering": GatheringView, "concern": ConcernView,
                         "visit_note": VisitNoteView, "visit_plan": VisitPlanView,
                         "startup": StartUpView}  # by record kind
FORMS: dict[str, Any] = {FORM_ROUTES[kind]: view for kind, view in VIEWS.items()}
WIDE = 840  # px: rail at and above, bottom bar below
# with chrome.BENCH_ROUTES only: route -> the text of its one control
BENCH_SCREENS = {"bench_a": "一つめの基準画面", "bench_b": "二つめの基準画面"}


@dataclass
class Frame:
    root: ft.Row | ft.Column
    title: ft.Text
    top: ft.Row  # the title, then the badge and the buttons at the top right
    body: ft.Column  # the screen, its one control


class Shell:
    """The field app's one router: the route is the page's (so the browser's back and
    Android's back button work), the screens behind it are a Stack, and the page shows
    them as `page.views`."""

    def __init__(self, page: ft.Page, services: Services, lang: str) -> None:
        self.page = page
        self.services = services
        self.session = Session(page, services, Translator(lang), go=self.go, back=self.back,
                               refresh=lambda: self.render(by_user=False))
        self.places = PlacesModel()
        self.router = Router(page, "home", tuple(name for name, _, _ in NAV), self.render)
        self.view: ft.Control | None = None
        self.form: RecordForm | None = None  # the form on screen, if any
        self._carried: RecordForm | None = None  # the form drawn again (a turn, a repaint)
        self.badge = ft.Text(size=14)
        self.frame: dict[bool, Frame] = {}  # by wide
        self.chrome = Chrome(self.badge, go=self._nav, sync=lambda: self.router.go("sync"),
                             language=lambda: self.switch_language(),
                             lock=lambda: self.services.lock())
        theme.apply(page)
        theme.language(page, lang)
        page.padding = 0
        page.on_resize = lambda e: self.render()
        page.on_app_lifecycle_state_change = self._lifecycle
        stop = services.listen(self._on_status)
        stop_lock = services.on_lock_change(self._on_lock)
        def gone(e: object) -> None:
            self._leave_form()
            stop()
            stop_lock()

        page.on_disconnect = gone
        self.render()
        for title, message in services.notices:
            page.show_dialog(ft.AlertDialog(
                modal=True, title=ft.Text(self.session.t(title)), content=ft.Text(message),
                actions=[ft.TextButton(self.session.t("store.unreadable.ok"),
                                       on_click=lambda e: page.pop_dialog())]))

    @property
    def route(self) -> tuple[str, dict[str, Any]]:
        return self.router.top

    # navigation ---------------------------------------------------------------------

    def go(self, name: str, **params: Any) -> None:
        if name in FORMS and not params.get("id"):
            # a new record's id is in its route, so leaving the form and coming back (or a
            # reload) opens the same record, not a blank one
            params["id"] = new_id()
        self.router.go(name, **params)

    def back(self) -> None:
        self.router.back()

    def _nav(self, index: int) -> None:
        self.router.go(NAV[index][0])

    def switch_language(self, lang: str | None = None) -> None:
        t = self.session.t
        t.lang = lang or ("en" if t.lang == "ja" else "ja")
        theme.language(self.page, t.lang)
        self.render()

    # building -----------------------------------------------------------------------

    def _build(self) -> ft.Control:
        name, params = self.route
        s = self.session
        if name == "home":
            return HomeView(s)
        if name == "places":
            return PlacesView(s, self.places, pick=params.get("pick"))
        if name == "place":
            return PlaceView(s, params["id"])
        if name == "followups":
            return FollowUpsView(s)
        if name == "week":
            return WeekView(s, params.get("start"))
        if name == "startups":
            return StartUpsView(s)
        if name == "sync":
            return SyncView(s)
        if name == "settings":
            return SettingsView(s, on_language=self.switch_language)
        if BENCH_ROUTES and name in BENCH_SCREENS:
            return ft.Text(BENCH_SCREENS[name])
        if name in FORMS:
            carried, self._carried = self._carried, None
            form = RecordForm.open(s.store, s.reference, FORM_KINDS[name], params.get("id"),
                                   s.services.author(),
                                   session=carried.session if carried else None,
                                   **defaults(name, params, s.records))
            if carried is not None:
                form.edited = carried.edited
            also = after_save(name, params, s.store, form.id)

            def saved() -> None:
                if also is not None:
                    also()
                shown = self.form
                if shown is not None and shown.session == form.session:  # left: pushed then
                    self.services.edited()

            form.on_saved = saved
            self.form = form
            # a month's report is a gathering record with a screen of its own (typed counts)
            screen = MonthReportView if form.data.get("covers") == MONTH else FORMS[name]
            view: ft.Control = screen(s, form)
            return view
        return HomeView(s)

    def _lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE):
            self.services.lock()  # sent to the background: lock

    def _on_lock(self, locked: bool) -> None:
        async def repaint() -> None:
            if locked:
                self.router.stack.reset()
                self.render()
                with contextlib.suppress(Exception):
                    await self.page.push_route("/home")
            elif isinstance(self.view, LockView):  # unlocked in another window
                self.render()

        with contextlib.suppress(Exception):
            self.page.run_task(repaint)

    def _leave_form(self, *, redraw: bool = False) -> None:
        """What a form held back in memory is written before its screen goes (navigation,
        a turn of the tablet, the lock). Drawn again for the same record (a turn, a
        language switch), its editing session goes on; left, what it saved is pushed."""
        sides, self.session.side_forms = self.session.side_forms, []
        self.session.on_picked = None  # files picked after this have no form to go to
        for side in sides:  # a photo's caption typed into the form
            side.flush()
        form = self.form
        if form is None:
            return
        form.flush()
        self.form = None
        name, params = self.route
        if redraw and not self.services.locked and name in FORMS and params.get("id") == form.id:
            self._carried = form
        elif form.edited or any(side.edited for side in sides):
            self.services.notify()  # after the flush: the writer lands it before the push reads

    def _unlocked(self) -> None:
        # the store's own word that it is open (_on_lock) may have shown home already:
        # building it twice was a fifth of the time from the PIN to home
        if isinstance(self.view, LockView):
            self.render()

    def render(self, *, by_user: bool = True) -> None:
        t = self.session.t
        page = self.page
        self._leave_form(redraw=True)
        page.title = t("app.title")
        if self.services.locked:
            self.view = LockView(self.services, t, page, on_unlocked=self._unlocked)
            page.views.clear()
            page.views.append(ft.View(route="/", padding=0, controls=[ft.SafeArea(
                ft.Container(self.view, alignment=ft.Alignment.CENTER, expand=True),
                expand=True)]))
            page.update()
            return
        if by_user:  # a repaint for a sync must not keep the idle lock away
            self.services.touch()
        started = time.perf_counter()
        self.view = self._build()
        built = time.perf_counter()
        # the screen's key is its route: drawn again (a sync, a save, a turn), the new
        # screen takes over the controls of the one shown, so a tap or a key on its way to
        # them still arrives, and only what changed is sent (see ui_kit.navigation)
        self.view.key = self.router.stack.top.url
        tab = self.router.stack.tab()
        index = next(i for i, n in enumerate(NAV) if n[0] == tab)
        self._paint_badge(self.services.status)
        wide = (page.width or 1280) >= WIDE
        frame = self.frame.get(wide) or self._frame(wide)
        frame.title.value = t("app.title")
        frame.top.controls[2:] = self.chrome.top(t)
        frame.body.controls[:] = [self.view]
        view = ft.View(padding=0, spacing=0, controls=[frame.root])  # route: routes.SHOWN
        if wide:
            frame.root.controls[0] = self.chrome.rail(t, index)
        else:
            view.navigation_bar = self.chrome.bar(t, index)
        self.router.show(view)
        # what a screen costs the app before the client draws it (benchmarks.startup)
        log.debug("render %s: built in %.0f ms, sent in %.0f ms", self.route[0],
                  (built - started) * 1000, (time.perf_counter() - built) * 1000)

    def _frame(self, wide: bool) -> Frame:
        """The controls around the screen, made once for a wide and once for a narrow
        window and kept: only the screen inside changes."""
        title = ft.Text(size=16, weight=ft.FontWeight.W_600, visible=wide)
        top = ft.Row([title, ft.Container(expand=True)],
                     vertical_alignment=ft.CrossAxisAlignment.CENTER)
        bar = ft.Container(top, padding=ft.Padding.symmetric(horizontal=16, vertical=8))
        # a list, not a container's content: Flet matches a screen to the one it follows by
        # its key only among a list's items
        body = ft.Column(expand=True, spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        column = ft.Column([bar, ft.Container(body, padding=16, expand=True)], expand=True,
                           spacing=0)
        root = ft.Row([ft.Container(), ft.VerticalDivider(width=1), column], expand=True,
                      spacing=0) if wide else column
        self.frame[wide] = Frame(root, title, top, body)
        return self.frame[wide]

    # live sync state ----------------------------------------------------------------

    def _paint_badge(self, status: Status) -> None:
        t = self.session.t
        if status.state == "syncing" and status.total:
            text = t("badge.syncing", sent=status.sent, total=status.total)
        elif status.state == "idle" and status.pending == 0 and status.last_success:
            text = t("badge.synced")
        else:
            text = t(f"badge.{status.state}", pending=status.pending, sent=status.sent,
                     total=status.total)
        self.badge.value = text

    def _on_status(self, status: Status) -> None:
        async def paint() -> None:
            if status.state == "idle" and status.pulled and isinstance(self.view, LIVE) \
                    and not self.services.locked:
                self.render(by_user=False)
                return
            self._paint_badge(status)
            if isinstance(self.view, SyncView):
                self.view.show(status)
            self.page.update()

        with contextlib.suppress(Exception):  # the session may have gone away
            self.page.run_task(paint)
