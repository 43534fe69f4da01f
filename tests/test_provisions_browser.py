"""A referral as a lawful provision, in the browser: the tablet asks for a basis when there
is no consent and says what each choice allows; the console refuses to refer a concern with
neither, records the basis, refers choosing the items, shows the provision in the history,
lists and saves the 第三者提供記録, and answers a disclosure request."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from field_app.store import Store
from sync.client import HUB_META, enrol
from tests.browser import (
    TABLET,
    button,
    choose,
    chromium,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
    unlocked_store,
)
from tests.factories import concern
from tests.hubs import serve_in_thread, sync_once
from tests.test_console import add_officer, open_console, sign_in
from tests.test_field_app import HIDAMARI, find_place_by_kana, hub_with

pytestmark = pytest.mark.browser


def test_the_tablet_asks_for_a_basis_when_there_is_no_consent(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url, TABLET)
        seen(page, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(page, "ひだまり", HIDAMARI)
        button(page, "気づきを記録")
        page.get_by_role("checkbox", name="健康").click()
        page.get_by_role("checkbox", name="高（当日・翌営業日）").click()
        choose(page, "年代", "80代以上")
        choose(page, "性別", "女性")
        # its counter said in Japanese, as it counts (not "20 characters remaining")
        alias = page.get_by_role("textbox", name="イニシャル・呼び名（任意）").first
        assert "残り20文字" in (alias.get_attribute("aria-label") or ""), \
            alias.get_attribute("aria-label")
        type_into(page, "気づいたこと", "薬を飲めていない様子")
        choose(page, "本人の同意", "確認できない")
        seen(page, "確認できません。命や身体を守るために必要な場合などの法的根拠").wait_for(
            timeout=10_000)
        page.mouse.move(640, 500)
        page.mouse.wheel(0, 600)  # the basis comes below the consent
        button(page, "入力内容を確認")
        shot(page, "concern-basis-needed-tablet-ja")
        seen(page, "法的根拠が必要です").wait_for(timeout=10_000)
        choose(page, "法的根拠（同意がないとき）", "生命・身体の保護（同意を得ることが困難）")
        seen(page, "命や身体を守るために必要で、本人の同意を得るのが難しいときに").wait_for(
            timeout=10_000)
        seen(page, "保存済み").wait_for(timeout=10_000)
        shot(page, "concern-basis-chosen-tablet-ja")
    with unlocked_store(data) as store:
        [saved] = store.all("concern")
        assert (saved["consent"], saved["legal_basis"]) == ("not_possible",
                                                            "life_body_emergency")


def office_refers_with_a_basis_and_chosen_items(page: Page) -> None:
    seen(page, "孤立").wait_for(timeout=60_000)
    page.get_by_text("孤立").first.click()
    seen(page, "本人の同意も法的根拠も記録されていません").wait_for(timeout=30_000)
    shot(page, "console-concern-no-basis-tablet-ja")
    button(page, "つなぐ")
    seen(page, "先に法的根拠を記録してください").wait_for(timeout=30_000)
    choose(page, "法的根拠（事務局が記録）", "支援会議（社会福祉法 第106条の6）")
    seen(page, "支援会議の構成員の間で、支援に必要な情報を共有できます").wait_for(timeout=10_000)
    type_into(page, "根拠の補足（法令名・支援会議の日など）", "12月の支援会議")
    page.get_by_role("checkbox", name="気づいたことの内容").click()  # more than the minimum
    button(page, "つなぐ")
    seen(page, "「つなぎ済み」として保存しました").wait_for(timeout=30_000)
    seen(page, "第三者提供: 在宅介護・地域包括支援センター（分類（気になったこと）・対象の方の"
               "記述子（年代・性別・呼び名）・気づいたことの内容）根拠: 支援会議").wait_for(
        timeout=30_000)
    shot(page, "console-concern-provided-tablet-ja")


def test_the_office_refers_on_a_basis_and_keeps_the_record_of_provision(tmp_path: Path
                                                                        ) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        c = dataclasses.replace(concern(follow_up_on=None, consent="not_asked",
                                        subject_alias="Kさん"), device_id=store.device_id)
        store.save(c)
        sync_once(store, hub.url, store.meta(HUB_META)["token"])  # type: ignore[index]
        store.close()
        page = open_console(browser, hub)
        sign_in(page)
        office_refers_with_a_basis_and_chosen_items(page)
        # the council's record of provisions, and saving it for Excel
        nav(page, "提供記録")
        seen(page, "1件").wait_for(timeout=30_000)
        seen(page, "80代以上・女性・Kさん").wait_for(timeout=30_000)
        shot(page, "console-provisions-tablet-ja")
        with page.expect_download(timeout=30_000) as got:
            button(page, "Excel（xlsx）で保存")
        saved = tmp_path / "teikyo.xlsx"
        got.value.save_as(saved)
        rows = [[c.value for c in r] for r in load_workbook(saved)["第三者提供記録"].iter_rows()]
        assert rows[1][1] == "在宅介護・地域包括支援センター" and rows[1][6] == "12月の支援会議"
        # a disclosure request from the person, found from their concern
        button(page, "開示請求")
        type_into(page, "気づきの記録のID（分かる場合）", c.id)
        button(page, "探す")
        seen(page, "1件見つかりました").wait_for(timeout=30_000)
        shot(page, "console-disclosure-tablet-ja")
        with page.expect_download(timeout=30_000) as got:
            button(page, "選んだ記録を書き出す（xlsx）")
        disclosed = tmp_path / "kaiji.xlsx"
        got.value.save_as(disclosed)
        book = load_workbook(io.BytesIO(disclosed.read_bytes()))
        assert book.sheetnames == ["表紙", "保有している記録", "事務局の対応", "経過",
                                   "第三者提供記録"]
        with page.expect_download(timeout=30_000) as got:  # the PDF to hand to the person
            button(page, "本人に渡すPDFを書き出す")
        handed = tmp_path / "kaiji.pdf"
        got.value.save_as(handed)
        assert got.value.suggested_filename.endswith(".pdf")
        text = subprocess.run(["pdftotext", str(handed), "-"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        assert "保有個人データの開示" in text and "80代以上・女性・Kさん" in "".join(text.split())
    with engine.connect() as conn:
        [row] = conn.exec_driver_sql("SELECT items, basis, recorded_by FROM provisions").all()
        actions = [a for (a,) in conn.exec_driver_sql("SELECT action FROM audit ORDER BY seq")]
    assert json.loads(row[0]) == ["categories", "subject_descriptor", "observed"]
    assert row[1:] == ("support_meeting_106_6", "sato")
    assert {"provision_recorded", "provisions_exported", "disclosure_search",
            "disclosure_export", "concern_disclosed"} <= set(actions)
