"""A staff member's week in the real app (headless Chromium): today's expected gathering
recorded in two taps with the schedule filled in, missed ones recorded from the group's
report or marked not held, the week view at tablet and phone size, and a start-up followed
from its first consultation to a place the office opens in the console that then arrives
on the tablet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest

from core.domain import clock
from core.reference_data import sample_places, texts
from field_app.store import Store
from sync.client import ASSIGNMENT_META
from tests.browser import (
    PHONE,
    TABLET,
    button,
    choose,
    chromium,
    field_value,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
    unlocked_store,
)
from tests.factories import IBASHO
from tests.hubs import serve_in_thread
from tests.test_console import add_officer, open_console, sign_in
from tests.test_field_app import enrol_in_settings, hub_with

pytestmark = pytest.mark.browser


def weekly(today: dt.date) -> dict[str, object]:
    return {"rules": [{"freq": "weekly", "weekdays": [today.weekday()], "start_time": "10:00",
                       "end_time": "12:00"}], "exceptions": [], "closed": []}


def seeded(data: Path, today: dt.date) -> None:
    """Sample places, ひだまりカフェ meeting every week on today's weekday, and an
    assignment of it alone to this tablet's staff member. `today`: the app's, read when
    the test starts (the app has no clock of its own to set)."""
    places = [dataclasses.replace(p, recurrence=weekly(today)) if p.id == IBASHO.id else p
              for p in sample_places()]
    with Store(data) as store:
        store.put_reference(places)
        store.set_meta(ASSIGNMENT_META, {"places": [IBASHO.id], "areas": []})
        # in use for two months: the weeks before today are owed a record
        store.set_meta("device", {"id": store.device_id,
                                  "since": (today - dt.timedelta(days=60)).isoformat()})


def gatherings(data: Path) -> list[dict[str, object]]:
    with unlocked_store(data) as store:
        return sorted(store.all("gathering"), key=lambda g: str(g["date"]))


def wait_for(check, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.mark.parametrize(("lang", "size"), [("ja", "tablet"), ("en", "phone")])
def test_home_records_today_in_two_taps_and_missed_ones_are_answered(
        tmp_path: Path, lang: str, size: str) -> None:
    t = texts(lang)
    data = tmp_path / "data"
    day = clock.today()  # read once: the app reads the same clock
    seeded(data, day)
    viewport = TABLET if size == "tablet" else PHONE
    week_ago = day - dt.timedelta(days=7)
    with running_app(data, "--lang", lang) as url, chromium() as browser:
        page = open_app(browser, url, viewport)
        seen(page, t["home.expected_today"]).wait_for(timeout=60_000)
        assert seen(page, t["home.missed"]).is_visible()
        shot(page, f"week-home-{size}-{lang}")
        # tap 1: the expected gathering opens its form with the place, date and times
        page.get_by_text(re.compile(f"10:00〜12:00 +{IBASHO.name}")).first.click()
        seen(page, t["gathering.participants"]).wait_for(timeout=10_000)
        assert field_value(page, t["gathering.start"]) == "10:00"
        assert field_value(page, t["gathering.end"]) == "12:00"
        # tap 2: one person counted, and it is saved
        senior = "高齢者（65歳以上）" if lang == "ja" else "Seniors (65+)"
        button(page, t["tally.plus"].format(label=senior))
        seen(page, t["form.saved"]).wait_for(timeout=10_000)
        shot(page, f"week-today-recorded-{size}-{lang}")
        button(page, t["nav.back"])
        seen(page, t["week.recorded"]).wait_for(timeout=10_000)
        # the newest missed one is marked not held, with a reason from the data
        button(page, t["week.not_held"])
        seen(page, t["week.not_held_title"]).wait_for(timeout=10_000)
        button(page, t["week.not_held_save"])  # no reason yet: refused, with why
        seen(page, t["week.field.not_held_reason"] + ":").wait_for(timeout=10_000)
        choose(page, t["week.not_held_reason"], "悪天候" if lang == "ja" else "Bad weather")
        button(page, t["week.not_held_save"])
        seen(page, t["week.not_held_saved"]).wait_for(timeout=10_000)
        # the next one is recorded from the group's own report: staff were not there
        page.get_by_role("button", name=t["week.record_from_report"]).first.wait_for(
            timeout=10_000)
        shot(page, f"week-missed-{size}-{lang}")
        button(page, t["week.record_from_report"])
        seen(page, t["gathering.participants"]).wait_for(timeout=10_000)
        button(page, t["tally.plus"].format(label=senior))
        seen(page, t["form.saved"]).wait_for(timeout=10_000)
        button(page, t["nav.back"])
        # the week shows today's record; last week shows the one not held
        nav(page, t["nav.week"])
        seen(page, t["week.title"]).wait_for(timeout=10_000)
        seen(page, t["week.today_mark"].strip()).wait_for(timeout=10_000)
        assert seen(page, t["week.recorded"]).is_visible()
        shot(page, f"week-view-{size}-{lang}")
        button(page, t["week.previous"])
        seen(page, t["week.not_held_short"]).wait_for(timeout=10_000)
        shot(page, f"week-view-last-week-{size}-{lang}")
    # what the app wrote: three records, and the refused not-held dialog left nothing behind
    found = {g["date"]: g for g in gatherings(data)}
    assert set(found) == {day.isoformat(), week_ago.isoformat(),
                          (day - dt.timedelta(days=14)).isoformat()}
    recorded = found[day.isoformat()]
    assert (recorded["start_time"], recorded["end_time"], recorded["staff_visited"], recorded["held"],
            recorded["place_id"]) == ("10:00", "12:00", True, True, IBASHO.id)
    cancelled = found[week_ago.isoformat()]
    assert (cancelled["held"], cancelled["not_held_reason"]) == (False, "weather")
    reported = found[(day - dt.timedelta(days=14)).isoformat()]
    assert reported["staff_visited"] is False and reported["held"] is True
    with unlocked_store(data) as store:
        assert store.drafts() == []


def test_a_startup_from_first_consultation_to_a_place_on_the_tablet(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, \
            running_app(tmp_path / "data", "--sync-interval", "2") as app, chromium() as browser:
        tablet = open_app(browser, app, TABLET)
        seen(tablet, "ホーム").wait_for(timeout=60_000)
        enrol_in_settings(tablet, hub)
        nav(tablet, "ホーム")
        button(tablet, "立ち上げ相談")
        button(tablet, "新しい相談")
        type_into(tablet, "団体名・グループ名", "緑町子育てサークル")
        choose(tablet, "相談者の立場", "保護者のグループ")
        choose(tablet, "地区", "緑町")
        type_into(tablet, "会場の予定", "緑町集会所")
        seen(tablet, "保存済み").wait_for(timeout=10_000)
        shot(tablet, "week-startup-consult-tablet-ja")
        button(tablet, "相談記録を書く")  # a consultation note linked to it
        seen(tablet, "緑町子育てサークル（立ち上げ相談）").wait_for(timeout=10_000)
        type_into(tablet, "記録", "会場と保険について相談")
        seen(tablet, "保存済み").wait_for(timeout=10_000)
        button(tablet, "戻る")
        button(tablet, "準備")
        button(tablet, "開設")
        shot(tablet, "week-startup-consult-tablet-ja")
        seen(tablet, "保存済み").wait_for(timeout=10_000)
        def opened_at_hub() -> bool:
            with engine.connect() as conn:
                bodies = [json.loads(b) for b in conn.exec_driver_sql(
                    "SELECT body FROM records WHERE kind = 'startup'").scalars()]
            return [b["stage"] for b in bodies] == ["opened"]

        # the tablet pushes after each save: wait for the last one (開設), not the first
        wait_for(opened_at_hub, "the start-up at 開設 at the hub", 30)
        assert hub.count("records") == 2  # and its consultation note

        office = open_console(browser, hub)
        sign_in(office)
        nav(office, "立ち上げ")
        seen(office, "緑町子育てサークル").wait_for(timeout=30_000)
        shot(office, "console-startups-tablet-ja")
        button(office, "場所を作成")
        seen(office, "場所「緑町子育てサークル」を作成しました").wait_for(timeout=30_000)
        seen(office, "日程のメモ（ルールで表せないこと）").wait_for(timeout=30_000)  # its editor
        shot(office, "console-place-from-startup-tablet-ja")

        nav(tablet, "同期")
        button(tablet, "今すぐ同期")
        nav(tablet, "場所")
        button(tablet, "立ち上げ相談")
        tablet.get_by_text("緑町子育てサークル").first.click()
        seen(tablet, "開設した場所: 緑町子育てサークル").wait_for(timeout=30_000)
        shot(tablet, "week-startup-opened-tablet-ja")
    with unlocked_store(tmp_path / "data") as store:
        [startup] = store.all("startup")
        assert [h["stage"] for h in startup["history"]] == ["consult", "prepare", "opened"]
        [place] = [p for p in store.all("place") if p.get("startup_id") == startup["id"]]
        assert (place["venue"], place["area"]) == ("緑町集会所", "midori")
        [note] = store.all("visit_note")
        assert note["startup_id"] == startup["id"] and note["visit_type"] == "startup_consult"
