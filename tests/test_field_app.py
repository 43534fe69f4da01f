"""The field app end to end: the real app in web mode, driven in headless Chromium."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.domain import clock
from core.reference_data import sample_places
from field_app.store import Store
from hub.places import import_places
from tests.browser import (
    PHONE,
    TABLET,
    Traffic,
    button,
    choose,
    chromium,
    enable_semantics,
    field_value,
    nav,
    open_app,
    running_app,
    scrolled_to,
    seen,
    shot,
    tried_again,
    type_into,
    unlock,
    unlocked_store,
)
from tests.factories import IBASHO
from tests.hubs import Hub, prepared_engine, serve_in_thread

pytestmark = pytest.mark.browser
HIDAMARI = IBASHO.name  # ひだまりカフェ


def find_place_by_kana(page: Page, kana: str, name: str) -> None:
    nav(page, "場所")
    type_into(page, "名前・ふりがな・地域で探す", kana)
    open_place(page, name, "最近の開催")


def open_place(page: Page, name: str, shown: str) -> None:
    """Tap a place in the list once and wait for its screen to show `shown`; a second tap
    is counted (tests/browser.py, SecondTries)."""
    for attempt in range(3):
        item = page.get_by_text(name).first
        if attempt:
            if not item.is_visible():  # the tap did open it, slowly (a loaded machine)
                seen(page, shown).wait_for(timeout=30_000)
                return
            tried_again("taps", f"the place {name} did not open after a tap")
        item.click()
        try:
            seen(page, shown).wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the place {name} did not open")


def record_gathering(page: Page) -> None:
    button(page, "開催を記録")
    for _ in range(3):
        button(page, "高齢者（65歳以上）を1人増やす")
    for _ in range(2):
        button(page, "大人（18〜64歳）を1人増やす")
    button(page, "うち初参加を1人増やす")
    seen(page, "合計 5人").wait_for(timeout=10_000)
    type_into(page, "メモ", "初めての方が二人、お孫さん連れ")
    page.get_by_role("checkbox", name="おしゃべり").click()
    seen(page, "保存済み").wait_for(timeout=10_000)


def record_emergency_concern(page: Page) -> None:
    button(page, "気づきを記録")
    page.get_by_role("checkbox", name="孤立").click()
    page.get_by_role("checkbox", name="緊急（今すぐ対応）").click()
    seen(page, "今すぐ対応してください").wait_for(timeout=10_000)
    assert seen(page, "110 / 119").is_visible()
    choose(page, "年代", "80代以上")
    choose(page, "性別", "女性")
    type_into(page, "気づいたこと", "最近ひとりで来て、帰り道が分からなくなっていた")
    seen(page, "保存済み").wait_for(timeout=10_000)


def test_offline_flow_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    traffic = Traffic()
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url, TABLET, traffic)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        record_gathering(page)
        shot(page, "flow-gathering-tablet-ja")
        button(page, "戻る")
        record_emergency_concern(page)
        shot(page, "flow-concern-emergency-tablet-ja")
    with unlocked_store(data) as store:  # what the app wrote, read the way it reads it
        [gathering] = store.all("gathering")
        assert gathering["attendance"] == {"preschool": 0, "school_age": 0, "adult": 2, "senior": 3}
        assert gathering["first_time"] == 1 and "お孫さん連れ" in gathering["note"]
        [concern] = store.all("concern")
        assert concern["urgency"] == "emergency" and concern["suggested_destination"]
        assert store.pending_count() == 2 and store.drafts() == []
    with running_app(data) as url, chromium() as browser:  # closed and opened again
        page = open_app(browser, url, TABLET, traffic)
        seen(page, "今日の開催予定").wait_for(timeout=60_000)
        assert scrolled_to(page, "開催記録").is_visible()
        nav(page, "フォロー")
        page.get_by_text("孤立").first.click()
        seen(page, "今すぐ対応してください").wait_for(timeout=10_000)
        assert "帰り道が分からなくなっていた" in field_value(page, "気づいたこと")
        shot(page, "flow-concern-reopened-tablet-ja")
    assert sorted(set(traffic.off_machine())) == sorted(set(traffic.blocked))


def test_nothing_typed_is_lost_even_in_an_incomplete_form(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url, TABLET)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ｺﾓﾚﾋﾞ", "こもれび広場")
        button(page, "気づきを記録")
        type_into(page, "気づいたこと", "子育ての相談をしたそうだった")
        seen(page, "未入力など").wait_for(timeout=10_000)
        button(page, "入力内容を確認")
        shot(page, "flow-concern-incomplete-tablet-ja")
        seen(page, "1個以上選択").wait_for(timeout=10_000)  # categories, on the field
    with unlocked_store(data) as store:
        [draft] = store.drafts()
        assert draft["observed"] == "子育ての相談をしたそうだった"
        assert store.pending_count() == 0  # an incomplete concern is never sent


def test_a_full_disk_keeps_what_was_typed_and_says_it_is_not_saved(tmp_path: Path) -> None:
    """A real full disk under the app's data: a save the disk refuses is not called saved,
    what was typed survives leaving the form, and it is saved once space is freed."""
    from tests.disks import fill, tmpfs

    typed = "帰り道が分からなくなった方がいた。ご家族に連絡がつかない。" * 60  # > a page
    with tmpfs(tmp_path / "small", "1m") as disk:
        data = disk / "data"
        with running_app(data, log_dir=tmp_path) as url, chromium() as browser:
            page = open_app(browser, url, TABLET)
            seen(page, "ホーム").wait_for(timeout=60_000)
            find_place_by_kana(page, "ひだまり", HIDAMARI)
            button(page, "開催を記録")
            type_into(page, "メモ", "最初のメモ")
            seen(page, "保存済み").wait_for(timeout=10_000)
            filler = fill(disk)
            field = page.get_by_role("textbox", name="メモ").first
            field.click()
            page.keyboard.press("End")
            page.keyboard.insert_text(typed)  # one paste: one save, refused
            seen(page, "保存できていません").wait_for(timeout=20_000)
            seen(page, "空き容量").wait_for(timeout=10_000)  # the toast says why
            assert not seen(page, "保存済み").is_visible()
            shot(page, "flow-gathering-disk-full-tablet-ja")
            button(page, "戻る")
            button(page, "戻る")
            nav(page, "ホーム")
            seen(page, "下書き・未保存の入力").wait_for(timeout=20_000)
            # the unsaved gathering: a draft's tile says it in its label (it has a discard
            # button beside it)
            seen(page, "保存できていません").click()
            seen(page, "もう一度保存").wait_for(timeout=20_000)
            assert typed[:40] in field_value(page, "メモ")
            shot(page, "flow-gathering-unsaved-reopened-tablet-ja")
            filler.unlink()
            button(page, "もう一度保存")
            seen(page, "保存済み").wait_for(timeout=20_000)
            seen(page, "保存できていません").wait_for(state="detached", timeout=10_000)
        with unlocked_store(data) as store:
            [gathering] = store.all("gathering")
            assert gathering["note"] == "最初のメモ" + typed
            assert store.drafts() == [] and store.pending_count() == 1


def test_the_browsers_back_goes_back_a_screen_and_an_address_opens_its_screen(
        tmp_path: Path) -> None:
    """Navigation is the page's route (page.views, push_route): the browser's back, like
    Android's back button, returns to the screen before, not out of the app."""
    with running_app(tmp_path / "data") as url, chromium() as browser:
        page = open_app(browser, url, TABLET)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        seen(page, "開催を記録").wait_for(timeout=20_000)
        assert "/place?id=" in page.url
        button(page, "開催を記録")
        seen(page, "開催記録").wait_for(timeout=20_000)
        page.go_back()  # to the place
        page.wait_for_url("**/place?id=*", timeout=20_000)
        seen(page, "最近の開催").wait_for(timeout=20_000)
        page.go_back()  # to the list of places
        page.wait_for_url("**/places", timeout=20_000)
        page.get_by_role("textbox", name="名前・ふりがな・地域で探す").wait_for(timeout=20_000)
        shot(page, "flow-back-to-places-tablet-ja")
        page.goto(url.rstrip("/") + "/sync")  # an address typed or reloaded: its screen
        enable_semantics(page)
        unlock(page)  # a new page session: the app locked when the last one went away
        seen(page, "今すぐ同期").wait_for(timeout=30_000)
        assert page.url.endswith("/sync")


def hub_with(tmp_path: Path, places: list[dict] | None = None):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = prepared_engine(url, places=places is None)
    if places is not None:
        with engine.begin() as conn:
            import_places(conn, places, "test")
    return engine, url


def enrol_in_settings(page: Page, hub: Hub) -> None:
    nav(page, "設定")
    type_into(page, "ハブのアドレス", hub.url)
    type_into(page, "登録コード", hub.code("佐藤 花子"))
    button(page, "登録する")
    try:
        seen(page, "登録しました").wait_for(timeout=30_000)
    finally:
        shot(page, "flow-settings-enrolled-tablet-ja")


def test_a_refused_record_is_shown_with_its_reason_and_resent(tmp_path: Path) -> None:
    others = [p.to_dict() for p in sample_places() if p.id != IBASHO.id]
    engine, url = hub_with(tmp_path, places=others)  # the office has not registered it yet
    with serve_in_thread(engine, url) as hub, \
            running_app(tmp_path / "data", "--sync-interval", "2") as app, chromium() as browser:
        page = open_app(browser, app, TABLET)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        record_gathering(page)
        enrol_in_settings(page, hub)
        nav(page, "同期")
        seen(page, "ハブが受け付けなかった理由").wait_for(timeout=30_000)
        assert seen(page, "登録済みの場所").is_visible()
        shot(page, "flow-sync-quarantined-tablet-ja")
        with engine.begin() as conn:  # the office adds the place ...
            import_places(conn, [IBASHO.to_dict()], "office")
        button(page, "このまま再送")  # ... and staff send it again
        deadline = time.monotonic() + 30
        while hub.count("records") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hub.count("records") == 1
        seen(page, "受け付けられなかった記録").wait_for(timeout=10_000)
        page.get_by_text("ハブが受け付けなかった理由").wait_for(state="detached", timeout=30_000)


def seeded(data: Path) -> None:
    """A device with a little of everything, for the screenshot tour."""
    import dataclasses

    from tests.factories import concern, gathering, visit_note

    today = clock.today().isoformat()
    with Store(data) as store:
        store.put_reference(sample_places())
        own = {"device_id": store.device_id, "author": "佐藤 花子"}
        store.save(dataclasses.replace(gathering(date=today), **own))
        c = dataclasses.replace(concern(observed_on=today, follow_up_on=today), **own)
        store.save(c)
        store.set_office_parts({c.id: {"status": "referred", "destination": "houkatsu",
                                       "referred_on": today, "method": "電話", "feedback": "",
                                       "closed_on": None, "updated_at": "", "updated_by": "事務局"}})
        v = dataclasses.replace(visit_note(date=today, follow_up_on=today), **own)
        store.save(v)
        store.quarantine(v.id, v.rev, [{"field": "place_id", "value": "'…'",
                                        "expected_en": "a known place",
                                        "expected_ja": "登録済みの場所"}])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_at_tablet_and_phone_size(tmp_path: Path, lang: str) -> None:
    from core.reference_data import texts

    t = texts(lang)
    data = tmp_path / "data"
    seeded(data)
    traffic = Traffic()
    with running_app(data, "--lang", lang) as url, chromium() as browser:
        for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
            page = open_app(browser, url, viewport, traffic)
            seen(page, t["home.expected_today"]).wait_for(timeout=60_000)
            shot(page, f"screen-home-{size}-{lang}")
            nav(page, t["nav.places"])
            seen(page, t["places.count"].format(count=len(sample_places()))).wait_for(timeout=10_000)
            shot(page, f"screen-places-{size}-{lang}")
            type_into(page, t["places.search"], "ひだまり")
            open_place(page, HIDAMARI, t["place.recent"])
            shot(page, f"screen-place-{size}-{lang}")
            button(page, t["home.new_gathering"])
            seen(page, t["gathering.participants"]).wait_for(timeout=10_000)
            shot(page, f"screen-gathering-{size}-{lang}")
            button(page, t["nav.back"])
            button(page, t["home.new_concern"])
            seen(page, t["concern.categories"]).wait_for(timeout=10_000)
            shot(page, f"screen-concern-{size}-{lang}")
            button(page, t["nav.back"])
            button(page, t["home.new_visit"])
            seen(page, t["visit.observations"]).wait_for(timeout=10_000)
            shot(page, f"screen-visit-{size}-{lang}")
            nav(page, t["nav.followups"])
            seen(page, t["followups.title"]).wait_for(timeout=10_000)
            shot(page, f"screen-followups-{size}-{lang}")
            nav(page, t["nav.sync"])
            seen(page, t["sync.refused_because"]).wait_for(timeout=10_000)
            shot(page, f"screen-sync-{size}-{lang}")
            nav(page, t["nav.settings"])
            seen(page, t["settings.hub_section"]).wait_for(timeout=10_000)
            shot(page, f"screen-settings-{size}-{lang}")
            page.close()
    assert sorted(set(traffic.off_machine())) == sorted(set(traffic.blocked))


def test_the_lock_screen_shows_nothing_and_slows_wrong_pins(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url, TABLET)  # first run: the PIN is set here
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        record_emergency_concern(page)
        button(page, "ロック")
        page.locator('flt-semantics input[type="password"]').first.wait_for(timeout=30_000)
        shot(page, "lock-tablet-ja")
        screen = page.evaluate("() => document.querySelector('flt-semantics-host')?.innerText")
        assert "PINを入力してください" in screen
        for private in ("帰り道", "孤立", "ひだまり", "80代"):
            assert private not in screen
        for attempt in range(3):
            from tests.browser import focus_and_type

            field = page.locator('flt-semantics input[type="password"]').first
            focus_and_type(page, field, "0000")
            page.keyboard.press("Enter")
            seen(page, "PINが違います" if attempt < 2 else "5秒後").wait_for(timeout=30_000)
        field = page.locator('flt-semantics input[type="password"]').first
        focus_and_type(page, field, "2468")  # even the right PIN must wait now
        page.keyboard.press("Enter")
        seen(page, "お待ちください").wait_for(timeout=30_000)
        page.wait_for_timeout(5_000)
        unlock(page)
        seen(page, "今日の開催予定").wait_for(timeout=30_000)
