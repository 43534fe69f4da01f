"""The real app in headless Chromium: places in Japanese from the store, offline, local only."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.reference_data import ASSETS_DIR
from tests.browser import (
    PHONE,
    TABLET,
    Traffic,
    button,
    chromium,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
)

pytestmark = pytest.mark.browser



def test_places_render_in_japanese_and_nothing_leaves_the_machine(tmp_path: Path) -> None:
    traffic = Traffic()
    with running_app(tmp_path / "data") as url, chromium() as browser:
        page = open_app(browser, url, TABLET, traffic)
        nav(page, "場所")
        seen(page, "40か所").wait_for(timeout=60_000)
        # sorted by kana: the salons (いきいき…) come first; a tile reads as one node
        assert seen(page, "いきいきサロン 北町").is_visible()
        assert seen(page, "サンプルデータです").is_visible()
        shot(page, "places-tablet-ja")

        type_into(page, "名前・ふりがな・地域で探す", "ひだまり")
        seen(page, "2か所").wait_for(timeout=20_000)
        assert seen(page, "テンミリオンハウス 陽だまり").is_visible()
        assert seen(page, "ひだまりカフェ").is_visible()
        assert page.get_by_text("いきいきサロン 北町").count() == 0
        shot(page, "places-search-tablet-ja")

        button(page, "English")  # a language switch keeps what was typed
        seen(page, "2 places").wait_for(timeout=20_000)
        shot(page, "places-tablet-en")

        phone = open_app(browser, url, PHONE, traffic)
        nav(phone, "場所")
        seen(phone, "40か所").wait_for(timeout=60_000)
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
        assert font.status_code == 200
        assert font.content == (ASSETS_DIR / "fonts" / "NotoSansJP-JIS0208.otf").read_bytes()
