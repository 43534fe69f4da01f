"""Routes and the stack of screens behind the one shown (both apps' navigation)."""

from __future__ import annotations

from ui_kit.routes import SHOWN, Route, Router, Stack


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


def test_a_form_lights_the_tab_it_was_opened_from() -> None:
    """A gathering recorded from home lit 場所 and a concern フォロー, whatever the way in."""
    stack = Stack(home="home", tabs=("home", "week", "places", "followups"))
    stack.arrive(Route("gathering", {"id": "g1"}))  # from home's today list
    assert stack.tab() == "home"
    stack.arrive(Route("places"))
    stack.arrive(Route("place", {"id": "p1"}))
    stack.arrive(Route("concern", {"id": "c1", "place": "p1"}))
    assert stack.tab() == "places"
    stack.arrive(Route("followups"))
    stack.arrive(Route("concern", {"id": "c1"}))
    assert stack.tab() == "followups"


def test_back_from_a_picked_form_goes_where_the_picking_started() -> None:
    """Week → pick a place → the planned visit, saved → 戻る went to the place list again."""
    stack = Stack(home="home", tabs=("home", "week", "places"))
    stack.arrive(Route("week"))
    stack.arrive(Route("places", {"pick": "plan"}))
    assert stack.tab() == "week"  # the picker belongs to where it was started
    plan = Route("plan", {"place": "p1", "id": "v1"})
    stack.arrive(plan)
    assert stack.routes == [Route("home"), Route("week"), plan]
    assert stack.back_target() == Route("week") and stack.tab() == "week"
    stack.arrive(Route("places", {"pick": "gathering"}))
    stack.arrive(Route("place", {"id": "p1"}))  # not what it was picking for: stays below
    assert stack.below == Route("places", {"pick": "gathering"})


async def repaint_and_move() -> tuple[bool, bool, bool]:
    import flet as ft

    from tests.test_navigation import opened

    _, page = await opened(1280)
    router = Router(page, "home", ("home", "places"), render=lambda: None)
    router.show(ft.View(route="/home", controls=[ft.Text("first")]))
    first = page.views[-1]
    router.show(ft.View(route="/home", controls=[ft.Text("second")],
                        appbar=ft.AppBar(title=ft.Text("bar")), padding=4))
    kept = page.views[-1] is first and len(page.views) == 1
    carried = (first.controls[0].value == "second" and first.appbar is not None  # type: ignore[attr-defined]
               and first.padding == 4)
    router.stack.arrive(Route("places"))
    router.show(ft.View(route="/places", controls=[ft.Text("places")]))
    moved = (page.views[-1] is first and first.controls[0].value == "places"  # type: ignore[attr-defined]
             and [v.route for v in page.views] == ["/home", SHOWN])
    return kept, carried, moved


def test_the_view_on_top_is_kept_and_carries_everything_over() -> None:
    """A repaint (a save, a sync) and a move to another screen both keep the view on top:
    only what it holds changes."""
    import asyncio

    assert asyncio.run(repaint_and_move()) == (True, True, True)


async def two_taps_then_their_echoes() -> tuple[list[str], tuple[str, dict[str, str]], list[str]]:
    from types import SimpleNamespace

    from tests.test_navigation import opened

    _, page = await opened(1280)
    drawn: list[str] = []
    router = Router(page, "home", ("home", "places", "week"),
                    render=lambda: drawn.append(router.top[0]))
    router.go("places")
    router.go("home")  # tapped before the page answered the first push
    for url in ("/places", "/home"):  # the page's answers, late
        router._changed(SimpleNamespace(route=url))
    after_echoes = list(drawn)
    router._changed(SimpleNamespace(route="/week"))  # the browser's own: a typed address
    return after_echoes, router.top, drawn


def test_the_pages_late_answers_to_two_quick_taps_do_not_draw_the_first_screen_again() -> None:
    import asyncio

    after_echoes, top, drawn = asyncio.run(two_taps_then_their_echoes())
    assert after_echoes == ["places", "home"]  # not places again, then home again
    assert top == ("week", {})
    assert drawn == ["places", "home", "week"]  # a route change not pushed still navigates


async def routes_shown_and_below() -> tuple[list[list[str]], set[int], set[str]]:
    import flet as ft

    from tests.test_navigation import opened

    _, page = await opened(1280)
    router = Router(page, "home", ("home", "places", "week"), render=lambda: None)
    below: list[list[str]] = []  # the routes of the views below the one on top, each time
    tops: set[int] = set()
    for name, params in (("home", {}), ("places", {}), ("place", {"id": "p1"}),
                         ("gathering", {"id": "g1"}), ("place", {"id": "p1"}), ("home", {}),
                         ("week", {}), ("places", {}), ("home", {})):
        router.stack.arrive(Route(name, params))
        router.show(ft.View(route=router.stack.top.url))
        below.append([v.route for v in page.views[:-1]])
        tops.add(id(page.views[-1]))
    return below, tops, {page.views[-1].route}


def test_one_page_on_top_for_every_screen_and_below_it_the_way_back() -> None:
    """Flutter's navigator matches pages by route: a screen with a route of its own was a
    new page, its frame built and drawn again through a push transition; a tab whose route
    was the page below was a pop, with the reverse transition first (ホーム took 0.35 s
    more than other tabs). The page on top is one for every screen, and below it is the
    route back leads to (Android's back pops only a page with one below)."""
    import asyncio

    below, tops, routes = asyncio.run(routes_shown_and_below())
    assert len(tops) == 1 and routes == {SHOWN}
    assert below == [[], ["/home"], ["/places"], ["/place?id=p1"], ["/places"], [],
                     ["/home"], ["/home"], []]


async def android_back() -> tuple[tuple[str, dict[str, str]], list[str], bool, list[str]]:
    import flet as ft

    from tests.test_navigation import opened

    session, page = await opened(1280)
    router = Router(page, "home", ("home", "places"), render=lambda: router.show(
        ft.View(route=router.stack.top.url, controls=[ft.Text(router.top[0])])))
    router.go("places")
    router.go("place", id="p1")
    top = page.views[-1]
    # Android's back as the client sends it: a pop of the page on top, named by its route
    await session.dispatch_event(page._i, "view_pop", {"route": SHOWN})
    back = router.top, [v.route for v in page.views[:-1]], page.views[-1] is top
    await session.dispatch_event(page._i, "view_pop", {"route": SHOWN})
    return back[0], back[1], back[2], [v.route for v in page.views[:-1]] + [router.top[0]]


def test_android_back_goes_to_the_screen_below_in_the_same_page() -> None:
    import asyncio

    top, below, kept, then = asyncio.run(android_back())
    assert top == ("places", {}) and below == ["/home"] and kept
    assert then == ["home"]  # home has nothing below: Android's back leaves the app there
