"""Routes as both apps use them: a screen's name and its parameters, as the URL Flet keeps
(`/place?id=…`), so the browser's back and Android's back button work through
`page.views`, `push_route` and `on_view_pop`; and the stack of screens behind the one
shown, which decides what "back" means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
            self.routes.append(route)

    def back_target(self) -> Route:
        return self.below or Route(self.home)

    def reset(self) -> None:
        self.routes = [Route(self.home)]
