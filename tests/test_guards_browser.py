"""The tablet refuses an individual number in a note, saying why, and keeps it off the disk
(headless Chromium, the real app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.domain.guards import check_digit
from tests.browser import (
    TABLET,
    button,
    chromium,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
    unlocked_store,
)
from tests.test_field_app import HIDAMARI, find_place_by_kana

pytestmark = pytest.mark.browser
NUMBER = "12345678901" + str(check_digit("12345678901"))


def test_a_personal_number_in_a_note_is_refused_with_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url, TABLET)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        button(page, "訪問記録")
        type_into(page, "記録", f"番号 {NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]} を見せられた")
        seen(page, "マイナンバー（個人番号）と思われる12桁の番号は記録できません").wait_for(
            timeout=10_000)
        shot(page, "guard-my-number-refused-tablet-ja")
    with unlocked_store(data) as store:
        # the note was saved while it was being typed, before the number was whole; the
        # number itself is in no record and in no draft (what is kept there is blanked)
        kept = str(store.all("visit_note")) + str(store.drafts())
        assert NUMBER not in kept.replace(" ", "")
        assert f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}" not in kept
        assert "＊" in str(store.drafts())
