"""The real app in headless Chromium: places in Japanese from the store, offline, local only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import PHONE, TABLET, Traffic, chromium, open_app, running_app, shot

pytestmark = pytest.mark.browser


def test_places_render_in_japanese_and_nothing_leaves_the_machine(tmp_path: Path) -> None:
    traffic = Traffic()
    with running_app(tmp_path / "data") as url, chromium() as browser:
        page = open_app(browser, url, TABLET, traffic)
        page.get_by_text("40か所", exact=True).wait_for(timeout=60_000)
        # sorted by kana: the salons (いきいき…) come first; a tile reads as one node
        assert page.get_by_text("いきいきサロン 北町").is_visible()
        assert page.get_by_text("サンプルデータです", exact=False).is_visible()
        shot(page, "places-tablet-ja")

        search = page.get_by_role("textbox", name="名前・ふりがな・地域で探す")
        search.click()
        page.keyboard.type("ひだまり")
        page.get_by_text("2か所", exact=True).wait_for(timeout=20_000)
        assert page.get_by_text("テンミリオンハウス 陽だまり").is_visible()
        assert page.get_by_text("ひだまりカフェ").is_visible()
        assert page.get_by_text("いきいきサロン 北町").count() == 0
        shot(page, "places-search-tablet-ja")

        page.get_by_role("button", name="English").click()
        page.get_by_text("Places", exact=True).wait_for(timeout=20_000)
        page.get_by_text("2 places", exact=True).wait_for(timeout=20_000)
        shot(page, "places-tablet-en")

        phone = open_app(browser, url, PHONE, traffic)
        phone.get_by_text("40か所", exact=True).wait_for(timeout=60_000)
        shot(phone, "places-phone-ja")

    assert traffic.requests, "the page made no requests at all?"
    # Flet's client asks a CDN for the Rive runtime; the CSP must stop it inside the browser.
    assert sorted(set(traffic.off_machine())) == sorted(set(traffic.blocked))
    assert traffic.answered_from <= {"127.0.0.1", ""}


def test_the_page_is_served_with_a_same_origin_csp(tmp_path: Path) -> None:
    import httpx

    with running_app(tmp_path / "data") as url:
        r = httpx.get(url, timeout=30)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp
        assert "http" not in csp  # no third-party origin allowed anywhere
        assert r.headers["x-content-type-options"] == "nosniff"
        font = httpx.get(url + "fonts/NotoSansJP-JIS0208.otf", timeout=30)
        assert font.status_code == 200 and len(font.content) > 3_000_000
