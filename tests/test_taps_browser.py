"""No tap is lost and no key dropped while the tablet syncs: the real app in headless
Chromium, enrolled to a real hub, syncing every fraction of a second while the office keeps
changing a place (so every pass pulls a change and repaints the screen shown), is tapped and
typed into, and answers every tap and keeps every key."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page

from hub.places import import_places
from tests.browser import (
    SECOND_TRIES,
    TABLET,
    button,
    chromium,
    field_value,
    nav,
    open_app,
    running_app,
    seen,
    tap,
    type_into,
)
from tests.factories import IBASHO
from tests.hubs import Hub, serve_in_thread
from tests.test_field_app import HIDAMARI, enrol_in_settings, find_place_by_kana, hub_with

pytestmark = pytest.mark.browser

# Bounds of the office's changes: one every CHANGE_EVERY seconds, at most CHANGES of them.
CHANGE_EVERY = 0.25
CHANGES = 1200
TABS = ["週", "ホーム", "場所", "フォロー", "同期", "ホーム", "週", "場所", "ホーム"]
ROUNDS = 8
STARTUPS = "居場所を始めたい団体・住民の相談を、開設まで追いかけます。"
NOTE = "今日は十二人。お茶会の後に、歌の練習もしました。次回は七月三日。"


@dataclasses.dataclass
class Office:
    """The office changing a place's schedule note again and again, on its own thread."""

    hub: Hub
    made: int = 0
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)

    def note(self, n: int) -> str:
        return f"第2・第4水曜 13時〜（事務局の変更 {n}）"

    def run(self) -> None:
        place = IBASHO.to_dict()
        while self.made < CHANGES and not self.stop.wait(CHANGE_EVERY):
            n = self.made + 1
            with self.hub.engine.begin() as conn:
                import_places(conn, [{**place, "rev": place["rev"] + n,
                                      "schedule": self.note(n)}], "office")
            self.made = n


@contextmanager
def office_changing(hub: Hub) -> Iterator[Office]:
    office = Office(hub)
    thread = threading.Thread(target=office.run, name="office-changes", daemon=True)
    thread.start()
    try:
        yield office
    finally:
        office.stop.set()
        thread.join(timeout=30)


def pulled(page: Page, office: Office, seen_before: int) -> int:
    """How many of the office's changes the tablet had pulled, from the note it shows."""
    import re

    text = str(page.evaluate("() => document.querySelector('flt-semantics-host')?.innerText"))
    numbers = [int(n) for n in re.findall(r"事務局の変更 (\d+)", text)]
    return max([seen_before, *numbers])


def record_count(hub: Hub, note: str) -> bool:
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        bodies = conn.execute(text("SELECT body FROM records WHERE kind = 'gathering'")).all()
    return any(json.loads(b[0]).get("note") == note for b in bodies)


def test_every_tap_is_answered_and_every_key_kept_while_sync_repaints(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    with serve_in_thread(engine, url) as hub, \
            running_app(tmp_path / "data", "--sync-interval", "0.3") as app, \
            chromium() as browser:
        page = open_app(browser, app, TABLET)
        enrol_in_settings(page, hub)
        with office_changing(hub) as office:
            before = dataclasses.replace(SECOND_TRIES, why=list(SECOND_TRIES.why))
            started = office.made
            for tab in TABS:  # every screen the rail leads to, each changed under the taps
                nav(page, tab)
            for _ in range(ROUNDS):  # home is drawn again for every change pulled
                tap(page, "立ち上げ相談", STARTUPS)  # and so is the list it opens
                tap(page, "戻る", "今日の開催予定（担当の場所）")
            find_place_by_kana(page, "ひだまり", HIDAMARI)
            pulled_at_place = pulled(page, office, 0)
            for _ in range(ROUNDS // 2):  # and so is the place's screen
                tap(page, "開催を記録", "合計 0人")
                tap(page, "戻る", "最近の開催")
            tap(page, "開催を記録", "合計 0人")
            for _ in range(7):
                button(page, "高齢者（65歳以上）を1人増やす")
            seen(page, "合計 7人").wait_for(timeout=10_000)
            for part in NOTE.split("。"):  # typed a sentence at a time, pushed meanwhile
                if part:
                    type_into(page, "メモ", part + "。")
            assert field_value(page, "メモ") == NOTE
            for _ in range(3):
                button(page, "大人（18〜64歳）を1人増やす")
            seen(page, "合計 10人").wait_for(timeout=10_000)
            assert field_value(page, "メモ") == NOTE
            made = office.made - started
        tries = SECOND_TRIES.total - before.total
        print(f"office changes while tapping: {made}; second tries: {tries} "
              f"{SECOND_TRIES.why[len(before.why):]}")
        assert made >= 10, "the office did not change the place while the tablet was used"
        assert pulled_at_place > 0, "the tablet pulled none of the office's changes meanwhile"
        deadline = time.monotonic() + 30
        while not record_count(hub, NOTE) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert record_count(hub, NOTE), "what was typed did not reach the hub"
        assert tries == 0, SECOND_TRIES.why[len(before.why):]  # every tap, every key
