"""The browser harness itself: a test whose Flutter renderer crashed is told apart from a
test that failed (see tests/browser.py, ENGINE_TRAPS), and nothing else is."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import BROWSER_ERRORS, FlutterEngineCrash, chromium, watch

pytestmark = pytest.mark.browser


def fail_after(error: str) -> None:
    with chromium() as browser:
        page = watch(browser.new_page())
        page.evaluate(f"() => setTimeout(() => {{ throw new Error({error!r}) }})")
        page.wait_for_timeout(200)  # the error is reported
        page.get_by_text("never shown").wait_for(timeout=500)


def test_a_renderer_trap_is_told_apart() -> None:
    with pytest.raises(FlutterEngineCrash, match="memory access out of bounds"):
        fail_after("RuntimeError: memory access out of bounds")
    BROWSER_ERRORS.clear()


def test_any_other_page_error_fails_as_it_is() -> None:
    with pytest.raises(PlaywrightTimeout):
        fail_after("TypeError: x is undefined")
    BROWSER_ERRORS.clear()
