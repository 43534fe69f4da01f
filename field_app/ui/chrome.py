"""The field app's frame around every screen — navigation, the sync badge, the language
and lock buttons — made once per window and kept across repaints, so a tap on them that
lands while a repaint is on its way still arrives (see ui_kit.navigation)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from core.config import Config
from ui_kit.i18n import Translator
from ui_kit.navigation import Navigation

NAV = [("home", ft.Icons.HOME_OUTLINED, "nav.home"),
       ("week", ft.Icons.CALENDAR_VIEW_WEEK_OUTLINED, "nav.week"),
       ("places", ft.Icons.PLACE_OUTLINED, "nav.places"),
       ("followups", ft.Icons.ASSIGNMENT_OUTLINED, "nav.followups"),
       ("sync", ft.Icons.SYNC, "nav.sync"),
       ("settings", ft.Icons.SETTINGS_OUTLINED, "nav.settings")]
# Only for benchmarks.startup: two tabs to one-control screens, what a tap on a tab to a
# real screen is measured against (shell.BENCH_SCREENS). Never set in use.
BENCH_ROUTES = Config.from_env().bench_routes
if BENCH_ROUTES:
    NAV += [("bench_a", ft.Icons.TIMER_OUTLINED, "nav.bench_a"),
            ("bench_b", ft.Icons.TIMER_OUTLINED, "nav.bench_b")]


class Chrome:
    def __init__(self, badge: ft.Text, *, go: Callable[[int], None], sync: Callable[[], None],
                 language: Callable[[], None], lock: Callable[[], None]) -> None:
        self._navigation = Navigation([icon for _, icon, _ in NAV], go)
        self._badge = ft.Container(
            badge, padding=ft.Padding.symmetric(horizontal=10, vertical=4), border_radius=16,
            bgcolor=ft.Colors.SECONDARY_CONTAINER, on_click=lambda e: sync())
        self._language = ft.TextButton(on_click=lambda e: language())
        self._lock = ft.TextButton(icon=ft.Icons.LOCK_OUTLINE, on_click=lambda e: lock())

    def rail(self, t: Translator, index: int) -> ft.NavigationRail:
        return self._navigation.rail([t(key) for _, _, key in NAV], index)

    def bar(self, t: Translator, index: int) -> ft.NavigationBar:
        return self._navigation.bar([t(key) for _, _, key in NAV], index)

    def top(self, t: Translator) -> list[ft.Control]:
        """The badge and the buttons at the top right."""
        self._language.content = t("lang.switch")
        self._lock.content = t("nav.lock")
        return [self._badge, self._language, self._lock]
