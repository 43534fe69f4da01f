"""訪問・相談・会議 in the console, end to end in headless Chromium: visit notes a tablet
pushed at its sync, read by a supervisor with what was observed and decided (the read in
the audit log), a grants clerk seeing the notes without their text and a place's year on
its page, and the follow-up whose date passed with nobody back since."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from field_app.store import Store
from sync.client import HUB_META, enrol
from tests.browser import choose, chromium, nav, scrolled_to, seen, shot, type_into
from tests.factories import gathering, visit_note
from tests.hubs import serve_in_thread, sync_once
from tests.test_console import add_officer, open_console, sign_in
from tests.test_field_app import hub_with
from tests.test_reports import KOMOREBI

pytestmark = pytest.mark.browser
OBSERVED = "会計の方が交代を希望されている"
DECIDED = "次回から会計を二人で担当する"


def test_the_staffs_notes_reach_the_office_and_only_a_supervisor_reads_their_text(
        tmp_path: Path) -> None:
    today = clock.today()

    def ago(days: int) -> str:
        return (today - dt.timedelta(days=days)).isoformat()

    year = fiscal_year_of(dt.date.fromisoformat(ago(12)))

    def notes_year(page: Page) -> None:
        """Early in April the notes are last year's: the screens open at this year's."""
        if year != fiscal_year_of(today):
            choose(page, "年度", f"{year}年度")

    engine, url = hub_with(tmp_path)
    add_officer(engine, "kimura", "supervisor")
    add_officer(engine, "tanaka", "grants")
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        token = store.meta(HUB_META)["token"]  # type: ignore[index]
        for record in (
                gathering(place_id=KOMOREBI.id, date=ago(12), staff_visited=True),
                visit_note(place_id=KOMOREBI.id, date=ago(12), observations=OBSERVED,
                           follow_up_on=ago(5)),
                visit_note(place_id=KOMOREBI.id, date=ago(12), visit_type="group_meeting",
                           observations="", attendee_roles=["representative", "treasurer"],
                           topics=["finance"], decisions=DECIDED)):
            store.save(dataclasses.replace(record, device_id=store.device_id))
        sync_once(store, hub.url, token)  # the tablet's own sync pushes them
        store.close()

        page = open_console(browser, hub)
        sign_in(page, "kimura")
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)
        nav(page, "訪問・相談・会議")
        seen(page, "訪問・相談・会議の記録").wait_for(timeout=30_000)
        notes_year(page)
        seen(page, OBSERVED).wait_for(timeout=30_000)
        seen(page, DECIDED).wait_for(timeout=30_000)
        seen(page, "出席: 代表・会計").wait_for(timeout=30_000)
        # nobody has been back to こもれび since the note whose follow-up date passed
        seen(page, "確認日を過ぎたフォローアップ（1件）").wait_for(timeout=30_000)
        seen(page, "5日経過").wait_for(timeout=30_000)
        shot(page, "console-visits-supervisor-tablet-ja")
        page.close()

        page = open_console(browser, hub)
        sign_in(page, "tanaka")
        seen(page, "場所・グループ").wait_for(timeout=60_000)
        nav(page, "訪問・相談・会議")
        notes_year(page)
        seen(page, "記録あり（本文は相談担当だけが見られます）").first.wait_for(timeout=30_000)
        seen(page, "開催時の訪問").wait_for(timeout=30_000)
        assert page.get_by_text(OBSERVED).count() == 0
        assert page.get_by_text(DECIDED).count() == 0
        shot(page, "console-visits-grants-tablet-ja")
        nav(page, "場所")
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text(KOMOREBI.name).first.click()
        seen(page, "開催日程").wait_for(timeout=30_000)
        scrolled_to(page, "この場所の経過（開催・訪問・話し合い）").wait_for(timeout=30_000)
        notes_year(page)
        scrolled_to(page, "運営団体の話し合い").wait_for(timeout=30_000)
        seen(page, "・職員が訪問").wait_for(timeout=30_000)
        page.mouse.wheel(0, 4000)  # the history is at the foot of the page
        page.wait_for_timeout(400)
        shot(page, "console-place-history-tablet-ja")
        assert page.get_by_text(OBSERVED).count() == 0
        # the year's counts, as the report's columns count them
        nav(page, "報告書")
        notes_year(page)
        seen(page, f"{year}年度 職員の訪問・相談・話し合い（場所ごと）").wait_for(timeout=30_000)
        scrolled_to(page, KOMOREBI.name).wait_for(timeout=30_000)
        shot(page, "console-reports-contacts-tablet-ja")

    with engine.connect() as conn:
        read = [(actor, json.loads(detail)) for actor, detail in conn.exec_driver_sql(
            "SELECT actor, detail FROM audit WHERE action = 'visit_notes_read'")]
        listed = [actor for (actor,) in conn.exec_driver_sql(
            "SELECT actor FROM audit WHERE action = 'visits_listed'")]
    assert read and all(actor == "kimura" and len(d["notes"]) == 2 for actor, d in read)
    assert "tanaka" in listed
    assert OBSERVED not in json.dumps(read, ensure_ascii=False)
    engine.dispose()
