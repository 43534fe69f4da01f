"""The console read at an office PC's 1280×800 and at a phone's 390×844 (headless
Chromium): nothing cut at the screen's edge, no label broken over lines, and what Flutter
itself says to a screen reader said in Japanese. Boxes are measured on Flutter's semantics
nodes, which are laid out where the text is drawn."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page

from office.console import NAV
from tests.browser import MENU, RAIL_TAB, chromium, nav, seen, shot
from tests.hubs import Hub, serve_in_thread
from tests.test_console import PASSWORD, add_officer, open_console, seed, sign_in
from tests.test_field_app import hub_with
from ui_kit.i18n import Translator

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}  # a common phone in portrait
T = Translator("ja")
COLUMNS = [T(f"office.provisions.col.{k}")
           for k in ("date", "recipient", "items", "subject", "basis", "by")]


def refer_both(hub: Hub) -> None:
    """Both seeded concerns passed on, on a support meeting's basis: two provision records."""
    with httpx.Client(base_url=hub.url + "/api/v1/office", timeout=30) as http:
        token = http.post("/login", json={"username": "admin", "password": PASSWORD}
                          ).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        for c in http.get("/concerns").json()["concerns"]:
            http.put(f"/concerns/{c['id']}/office", json={
                "status": "referred", "destination": "houkatsu", "referred_on": "2026-11-21",
                "method": "電話", "legal_basis": "support_meeting_106_6",
                "legal_basis_note": "12月の支援会議"}).raise_for_status()


def within(page: Page, found: Locator, what: str, font: float = 0) -> dict[str, float]:
    """`found`'s box, checked to lie wholly inside the window. Flutter clips a node's box
    to what its parent shows, so a text cut at the window's edge has a box inside it, too
    small for its text: with `font` (px), its lines must hold every character of `what`
    (a Japanese glyph is about as wide as the font's size; a line is 1.3 times as tall)."""
    found.wait_for(timeout=30_000)
    box = found.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, what
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, (what, box, size)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5, (what, box, size)
    lines = max(1, int(box["height"] // (font * 1.3))) if font else 1
    assert box["width"] * lines >= len(what) * font * 0.95, (what, box)
    return box


def settled(page: Page, found: Locator) -> None:
    """Wait until `found` has stopped moving (a menu sliding in, a screen laid out anew)."""
    found.wait_for(timeout=30_000)
    last = None
    for _ in range(50):
        box = found.bounding_box()
        if box is not None and box == last:
            return
        last = box
        page.wait_for_timeout(100)
    raise AssertionError(f"{found} kept moving")


def test_the_console_reads_whole_on_a_phone_and_on_an_office_pc(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine, "admin", "admin,supervisor,grants")
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        seed(tmp_path, hub)
        refer_both(hub)
        page = open_console(browser, hub)
        sign_in(page, "admin")
        seen(page, "介護負担").wait_for(timeout=60_000)

        # 1280×800: the provision record's six columns all inside the window
        nav(page, "提供記録")
        seen(page, "2件").wait_for(timeout=30_000)
        for name in COLUMNS:
            within(page, page.get_by_text(name, exact=True).first, name, font=14)
        shot(page, "console-provisions-tablet-ja")

        page.set_viewport_size(PHONE)
        # a phone: the tabs are in a menu, each label on one line; language and sign-out
        # stay on the screen (the line that also held the name and roles pushed them off)
        page.get_by_role("button", name=MENU).wait_for(timeout=30_000)
        assert page.get_by_role("tab").count() == 0  # no bottom bar of ten squeezed tabs
        within(page, page.get_by_role("button", name="サインアウト"), "サインアウト", font=14)
        within(page, page.get_by_role("button", name="English"), "English")
        # each provision a card with every column's name beside its value
        for name in COLUMNS:
            within(page, seen(page, f"{name}: "), f"{name}: ", font=14)
        shot(page, "console-provisions-phone-ja")
        page.get_by_role("button", name=MENU).click()
        tabs = page.get_by_role("button", name=RAIL_TAB)
        settled(page, tabs.first)  # the menu slides in
        assert tabs.count() == len(NAV)  # this account may open every tab
        for i in range(len(NAV)):
            label = tabs.nth(i).get_attribute("aria-label") or tabs.nth(i).inner_text()
            name = label.split()[0]
            box = within(page, tabs.nth(i), name)
            # one line of the label at 12 px or more beside its icon (the bottom bar gave
            # each of ten tabs 39 px: 助成条件 went over two lines)
            assert box["width"] >= 56 + 12 * len(name) and box["height"] <= 64, (name, box)
        shot(page, "console-menu-phone-ja")
        tabs.filter(has_text="助成金").first.click()
        seen(page, "助成金（申請から額の確定まで）").wait_for(timeout=30_000)
        # the 年度 menu whole, under the title where it does not fit beside it
        year = page.get_by_role("button", name="年度").or_(
            page.get_by_role("combobox", name="年度")).first
        box = within(page, year, "年度")  # its chosen year is drawn inside it, not named
        assert box["width"] >= 180, box  # room for 「2026年度」 and the arrow
        shot(page, "console-grants-phone-ja")
        nav(page, "場所")
        within(page, seen(page, T("office.places.hint")), T("office.places.hint"), font=13)
        shot(page, "console-places-phone-ja")

        # Flutter's words for a field's counter, in Japanese and as the count really is
        nav(page, "端末")
        seen(page, "新しい端末の登録コード").wait_for(timeout=30_000)
        field = page.get_by_role("textbox", name="職員名").first
        assert "残り100文字" in (field.get_attribute("aria-label") or ""), \
            field.get_attribute("aria-label")
        said = str(page.evaluate(
            "() => document.querySelector('flt-semantics-host').innerHTML"))
        assert "remaining" not in said and "半角相当" not in said
        shot(page, "console-devices-phone-ja")
