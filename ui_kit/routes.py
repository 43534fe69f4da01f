"""Routes as both apps use them: a screen's name and its parameters, as the URL Flet keeps
(`/place?id=…`), so the browser's back and Android's back button work through
`page.views`, `push_route` and `on_view_pop`; and the stack of screens behind the one
shown, which decides what "back" means."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass(frozen=True)
class Route:
    name: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        query = urlencode(sorted((k, str(v)) for k, v in self.params.items() if v not in (None, "")))
        return f"/{self.name}" + (f"?{query}" if query else "")

    @classmethod
    def parse(cls, url: str | None, default: str) -> Route:
        parts = urlsplit(url or "/")
        name = parts.path.strip("/").split("/")[0] or default
        return cls(name, dict(parse_qsl(parts.query)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Route) and (self.name, dict(self.params)) == (
            other.name, dict(other.params))

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))


@dataclass
class Stack:
    """The screens behind the one shown. A tab's first screen starts a new stack on top of
    the home screen; going to the screen just below is "back"."""

    home: str
    tabs: tuple[str, ...]
    routes: list[Route] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.routes:
            self.routes = [Route(self.home)]

    @property
    def top(self) -> Route:
        return self.routes[-1]

    @property
    def below(self) -> Route | None:
        return self.routes[-2] if len(self.routes) > 1 else None

    def arrive(self, route: Route) -> None:
        """The page's route became `route` (a tap, the browser's back, a typed URL)."""
        if route == self.top:
            return
        if route == self.below:
            self.routes.pop()
        elif route.name == self.home:
            self.routes = [route]
        elif route.name in self.tabs and not route.params:
            self.routes = [Route(self.home), route]
        else:
            if self.top.params.get("pick") == route.name:
                # a picker gives way to the screen it picked for: back from there goes to
                # where the picking started, not to the list again
                self.routes.pop()
            self.routes.append(route)

    def tab(self) -> str:
        """The tab a screen belongs to: the nearest tab below it, the one it was opened
        from (a form opened from home lights home, from a place lights places)."""
        return next(r.name for r in reversed(self.routes)
                    if r.name == self.home or (r.name in self.tabs and not r.params.get("pick")))

    def back_target(self) -> Route:
        return self.below or Route(self.home)

    def reset(self) -> None:
        self.routes = [Route(self.home)]


ECHOES = 32  # pushed routes awaiting their route change, at most (a push may go unanswered)

# The view on top keeps one route whatever screen it shows: Flutter's navigator matches
# its pages by route, and a page with a new route is a new page. Each tap then built the
# whole frame again (the rail, the badge), sent it again, and drew the new page through
# its push transition (0.3 s of frames of two pages, after the screen was first shown,
# while the next tap waited); a tap on a tab whose route was the page below was a pop,
# with the reverse transition first. Kept, a tap changes only the screen inside the frame.
SHOWN = "/#shown"
# The view below the shown one holds no screen, only the route back leads to: Android's
# back pops the shown page only when there is one below.

# what a screen's view holds beyond its route: a repaint in place carries all of it over
REPAINTED = ("controls", "appbar", "bottom_appbar", "navigation_bar", "drawer", "end_drawer",
             "floating_action_button", "floating_action_button_location", "padding",
             "spacing", "scroll", "bgcolor", "vertical_alignment", "horizontal_alignment")


class Router:
    """An app's one router over a Flet page: a tap moves the page's route (push_route), the
    route's change follows the browser's back and forward and typed addresses, a view pop
    (Android's back) goes back, and `show` puts the shown screen on `page.views` with the
    screen below as its route only (the route change that a pop brings builds it)."""

    def __init__(self, page: Any, home: str, tabs: tuple[str, ...],
                 render: Callable[[], None], known: Callable[[str], bool] = lambda name: True,
                 ready: Callable[[], bool] = lambda: True) -> None:
        self.page, self.render, self.known, self.ready = page, render, known, ready
        self.stack = Stack(home=home, tabs=tabs)
        self.stack.arrive(Route.parse(page.route, home))  # a bookmarked or reloaded address
        # The routes this router pushed whose route change has not come back yet. The page
        # answers every push with a route change, late when the app is busy: taps on two
        # tabs in a row (場所, then ホーム) had the first one's answer arrive with the second
        # screen shown, and it was taken for the browser's back: the first screen was built
        # again, then the second, and a tap on the second meanwhile hit a control gone.
        self._echoes: list[Route] = []
        page.on_route_change = self._changed
        page.on_view_pop = lambda e: self.back()

    @property
    def top(self) -> tuple[str, dict[str, str]]:
        return self.stack.top.name, dict(self.stack.top.params)

    def go(self, name: str, **params: Any) -> None:
        self._navigate(Route(name, {k: str(v) for k, v in params.items() if v is not None}))

    def back(self) -> None:
        self._navigate(self.stack.back_target())

    def _navigate(self, route: Route) -> None:
        self.stack.arrive(route)
        self._echoes = [*self._echoes[-(ECHOES - 1):], route]
        self.render()
        with contextlib.suppress(Exception):  # the page's session may have gone away
            self.page.run_task(self.page.push_route, route.url)

    def _changed(self, e: Any) -> None:
        route = Route.parse(e.route, self.stack.home)
        if route in self._echoes:  # our own push coming back: what it asked for is shown
            del self._echoes[: self._echoes.index(route) + 1]
            return
        if route != self.stack.top and self.known(route.name):
            self.stack.arrive(route)
            if self.ready():
                self.render()

    def show(self, view: Any) -> None:
        """Put `view` on the page, as the view on top (route `SHOWN`, whatever route it
        came with: the screen shown is the stack's), with the screen below as a view of its
        route only (the route change that a pop brings builds it).
        The view on top already there (a tap, a save, a sync, a turn of the tablet) is kept
        and `view`'s content carried into it: a new view is a new page for Flutter's
        navigator (see SHOWN), and a dialog closed in the same moment (a save that repaints
        the screen below) was seen to stay open over the new page."""
        below = [self.stack.below.url] if self.stack.below is not None else []
        views = self.page.views
        top = views[-1] if views else None
        if top is not None and type(top) is type(view) and top.route == SHOWN:
            for name in REPAINTED:
                setattr(top, name, getattr(view, name))
            if [v.route for v in views[:-1]] != below:
                views[:-1] = [type(view)(route=url, padding=0) for url in below]
        else:
            view.route = SHOWN
            views[:] = [*(type(view)(route=url, padding=0) for url in below), view]
        self.page.update()
