"""Routes and the stack of screens behind the one shown (both apps' navigation)."""

from __future__ import annotations

from ui_kit.routes import Route, Stack


def test_a_route_is_its_url_and_back() -> None:
    route = Route("place", {"id": "a b&c", "empty": ""})
    assert route.url == "/place?id=a+b%26c"
    assert Route.parse(route.url, "home") == Route("place", {"id": "a b&c"})
    assert Route.parse("/", "home") == Route("home") == Route.parse(None, "home")
    assert Route.parse("/office/x", "inbox").name == "office"


def test_back_is_the_screen_below_and_a_tab_starts_over_from_home() -> None:
    stack = Stack(home="home", tabs=("home", "places", "sync"))
    place, form = Route("place", {"id": "p1"}), Route("gathering", {"place": "p1"})
    for route in (Route("places"), place, form):
        stack.arrive(route)
    assert stack.routes == [Route("home"), Route("places"), place, form]
    assert stack.back_target() == place
    stack.arrive(place)  # the browser's back
    assert stack.top == place and stack.below == Route("places")
    stack.arrive(Route("sync"))  # a tab
    assert stack.routes == [Route("home"), Route("sync")]
    stack.arrive(Route("home"))
    assert stack.routes == [Route("home")] and stack.below is None
    assert stack.back_target() == Route("home")
    stack.arrive(Route("home"))  # the same route again changes nothing
    assert stack.routes == [Route("home")]
