"""Planning in the console, end to end in headless Chromium: a place's schedule edited as
rules (a bad time refused by the hub and shown at its rule), a staff member's assignment
set, and both arriving on that staff member's tablet at its next sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from field_app.store import Store
from field_app.store.repository import Repository
from sync.client import ASSIGNMENT_META, HUB_META, enrol
from tests.browser import button, chromium, focus, nav, seen, shot, type_into
from tests.hubs import serve_in_thread, sync_once
from tests.test_console import add_officer, open_console, sign_in
from tests.test_field_app import hub_with
from tests.test_reports import KOMOREBI

pytestmark = pytest.mark.browser


def test_a_schedule_and_an_assignment_reach_the_tablet(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        token = store.meta(HUB_META)["token"]  # type: ignore[index]
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)

        nav(page, "場所")
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text(KOMOREBI.name).first.click()
        seen(page, "開催日程").wait_for(timeout=30_000)
        button(page, "ルールを追加")  # 第2火曜 10:00-12:00 to start from
        end = page.get_by_role("textbox", name="終了", exact=True).last
        focus(page, end)
        page.keyboard.press("Control+A")
        page.keyboard.type("09:00")
        button(page, "保存")
        seen(page, "終了: 開始時刻 (10:00) より後の時刻").wait_for(timeout=30_000)
        shot(page, "console-schedule-invalid-tablet-ja")
        focus(page, end)
        page.keyboard.press("Control+A")
        page.keyboard.type("12:30")
        button(page, "保存")
        seen(page, f"「{KOMOREBI.name}」を保存しました").wait_for(timeout=30_000)
        with engine.connect() as conn:
            bodies = [json.loads(b) for b in conn.exec_driver_sql(
                "SELECT body FROM places").scalars()]
        [place] = [p for p in bodies if p["name"] == KOMOREBI.name]
        assert place["recurrence"]["rules"][0] == KOMOREBI.recurrence["rules"][0]  # type: ignore[index]
        assert place["recurrence"]["rules"][1:] == [{
            "freq": "monthly_nth", "nth": [2], "weekday": 1, "every_months": 1,
            "first_month": 4, "start_time": "10:00", "end_time": "12:30"}]

        nav(page, "担当")
        seen(page, "山田 花子").wait_for(timeout=30_000)
        page.get_by_text("山田 花子").first.click()
        seen(page, "山田 花子 さんの担当").wait_for(timeout=30_000)
        page.get_by_role("checkbox", name="緑町").first.click()
        shot(page, "console-assignment-tablet-ja")
        page.get_by_role("button", name="保存", exact=True).last.click()
        seen(page, "山田 花子 さんの担当を保存しました").wait_for(timeout=30_000)
        shot(page, "console-assignments-tablet-ja")

        sync_once(store, hub.url, token)
        assert store.meta(ASSIGNMENT_META) == {"places": [], "areas": ["midori"]}
        repo = Repository(store)
        arrived = repo.place(place["id"])
        assert arrived is not None and arrived.usual.rules[1].end_time == "12:30"
        assert repo.my_places() and all(p.area == "midori" for p in repo.my_places())
        store.close()


def test_registered_members_are_entered_as_counts(tmp_path: Path) -> None:
    from tests.factories import SALON

    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)
        nav(page, "場所")
        type_into(page, "名前・ふりがな・地域・グループで探す", SALON.name)
        page.get_by_text(SALON.name).first.click()
        seen(page, "の登録者数").wait_for(timeout=30_000)
        page.mouse.move(700, 500)
        page.mouse.wheel(0, 2000)  # the members are at the foot of the form
        page.wait_for_timeout(400)
        field = page.get_by_role("textbox", name="75歳以上・女性").first
        focus(page, field)
        page.keyboard.press("Control+A")
        page.keyboard.type("9")
        button(page, "登録者数を保存")
        seen(page, "年度の登録者数を保存しました").wait_for(timeout=30_000)
        shot(page, "console-members-tablet-ja")
    with engine.connect() as conn:
        [body] = conn.exec_driver_sql("SELECT body FROM members").scalars()
    assert json.loads(body)["counts"]["75_plus"]["female"] == 9
