"""A grant taken through the console end to end (headless Chromium): application, decision,
payment, 実績報告 and settlement, each saved on its own, refused with its reason when it is
wrong, and the tablet told the status."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import button, chromium, focus, nav, seen, shot, type_into
from tests.hubs import serve_in_thread
from tests.test_console import add_officer, open_console, sign_in
from tests.test_field_app import hub_with
from tests.test_reports import KOMOREBI, known_data

pytestmark = pytest.mark.browser


def choose_last(page: Page, label: str, option: str) -> None:
    """The last dropdown called `label` (a new line is added at the end). A tap on it while
    the form is drawn again (a refusal just shown) can open nothing: tapped again, as a
    person would."""
    item = page.get_by_role("menuitem", name=option, exact=True).or_(
        page.get_by_text(option, exact=True))
    for _ in range(3):
        page.get_by_role("button", name=label).or_(
            page.get_by_role("combobox", name=label)).last.click()
        try:
            item.last.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    item.last.click()


def type_last(page: Page, label: str, text: str) -> None:
    field = page.get_by_role("textbox", name=label).last
    focus(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def scroll_down(page: Page) -> None:
    """Flutter draws on a canvas: what is below the fold comes up with the wheel, not with
    the DOM's scrolling."""
    page.mouse.move(700, 500)
    page.mouse.wheel(0, 500)
    page.wait_for_timeout(400)


def line(page: Page, table: str, category: str, amount: str) -> None:
    """A new line at the end of a table of amounts (予算, 収入, 支出)."""
    scroll_down(page)
    button(page, f"{table}に行を追加")
    scroll_down(page)
    choose_last(page, f"{table}の費目", category)
    type_last(page, f"{table}の金額（円）", amount)


def test_an_officer_takes_a_grant_to_settlement(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        known_data(tmp_path, hub)  # こもれび広場's gatherings: three in FY2025, 21 people
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)
        nav(page, "助成金")
        seen(page, "助成金（申請から額の確定まで）").wait_for(timeout=30_000)
        page.get_by_role("button", name="年度").or_(
            page.get_by_role("combobox", name="年度")).first.click()
        page.get_by_text("2025年度", exact=True).last.click()
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text(KOMOREBI.name).first.click()
        seen(page, f"{KOMOREBI.name} の助成（2025年度）").wait_for(timeout=30_000)
        shot(page, "console-grant-new-tablet-ja")

        type_last(page, "申請額（円）", "80000")
        scroll_down(page)
        button(page, "予算に行を追加")  # a line without its category: named by its labels
        # the line drawn before the save button is pressed: it moves the button down
        page.get_by_role("textbox", name="予算の金額（円）").wait_for(timeout=30_000)
        button(page, "申請を保存")
        seen(page, "予算 1行目 費目: 空欄は使えません（次のいずれか: 報償費、消耗品費、食糧費"
             ).wait_for(timeout=30_000)
        shot(page, "console-grant-blank-category-tablet-ja")
        scroll_down(page)  # as a line is filled in below (line())
        choose_last(page, "予算の費目", "食糧費")
        type_last(page, "予算の金額（円）", "50000")
        button(page, "申請を保存")
        seen(page, "申請を保存しました（申請受付）").wait_for(timeout=30_000)

        type_last(page, "交付決定額（円）", "120000")  # above the ¥100,000 cap and the request
        button(page, "交付決定を保存")
        # which rule, its limit, and by how much: under the field and in the message
        seen(page, "この事業の助成上限額 100,000円 以下。20,000円 超えています").wait_for(
            timeout=30_000)
        seen(page, "交付決定額: 120,000は使えません（申請額 80,000円 以下。40,000円 超えています）"
             ).wait_for(timeout=30_000)
        shot(page, "console-grant-refused-step-tablet-ja")
        type_last(page, "交付決定額（円）", "80000")
        button(page, "交付決定を保存")
        seen(page, "交付決定を保存しました（交付決定）").wait_for(timeout=30_000)

        button(page, "支払いを追加")
        type_last(page, "金額（円）", "80000")
        button(page, "支払いを保存")
        seen(page, "支払いを保存しました（交付済）").wait_for(timeout=30_000)

        line(page, "収入", "助成金", "80000")
        line(page, "支出", "食糧費", "60500")
        line(page, "支出", "保険料", "12000")
        scroll_down(page)
        type_last(page, "自己評価", "参加者が増えた")
        button(page, "実績報告を保存")
        seen(page, "実績報告を保存しました（実績報告受付）").wait_for(timeout=30_000)

        seen(page, "支出と交付決定額の少ない方: 72,500円").wait_for(timeout=30_000)
        button(page, "額の確定を保存")
        seen(page, "額の確定を保存しました（返還）").wait_for(timeout=30_000)
        seen(page, "返還額 7,500円").wait_for(timeout=30_000)
        shot(page, "console-grant-settled-tablet-ja")
        files = {}
        for label, fmt in (("実績報告書（PDF）", "pdf"), ("実績報告書（Excel）", "xlsx")):
            with page.expect_download(timeout=60_000) as download:
                button(page, label)
            files[fmt] = tmp_path / f"report.{fmt}"  # the browser's copy goes with it
            download.value.save_as(files[fmt])
    text = "".join(subprocess.run(["pdftotext", "-layout", str(files["pdf"]), "-"],
                                  capture_output=True, text=True, check=True,
                                  timeout=60).stdout.split())
    for expected in ("2025年度実績報告書", "こもれび広場（居場所）", "参加者合計21",
                     "確定額—72,500", "返還額—7,500", "参加者が増えた"):
        assert expected in text, expected
    sheet = load_workbook(files["xlsx"])["実績報告書"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["合計"][1] == 3 and rows["参加者 合計"][1] == 21
    with engine.connect() as conn:
        [body] = conn.exec_driver_sql("SELECT body FROM grants").scalars()
        steps = [json.loads(d)["step"] for d in conn.exec_driver_sql(
            "SELECT detail FROM audit WHERE action = 'grant_step' ORDER BY seq").scalars()]
    grant = json.loads(body)
    assert grant["settlement"]["confirmed_yen"] == 72_500
    assert [x["amount"] for x in grant["report"]["expenses"]] == [60_500, 12_000]
    assert steps == ["application", "decision", "payments", "report", "settlement"]
