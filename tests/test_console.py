"""The office console end to end: the hub serving it at /office, driven in headless Chromium,
with the real field app on the other side of the sync."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import time
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from field_app.store import Store
from hub import accounts
from office.console import Settings
from sync.client import HUB_META, Syncer, enrol
from tests.browser import (
    MENU,
    PHONE,
    TABLET,
    Traffic,
    button,
    choose,
    chromium,
    enable_semantics,
    enter_text,
    field_value,
    focus,
    focus_and_type,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
    watch,
)
from tests.factories import IBASHO, concern
from tests.hubs import Hub, hub_client, serve_in_thread, sync_once
from tests.test_field_app import HIDAMARI, enrol_in_settings, find_place_by_kana, hub_with
from tests.test_reports import known_data

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def add_officer(engine: object, name: str = "sato", role: str = "admin,supervisor,grants"
                ) -> None:
    """An account for the console's screens (by default every tab's roles: the role checks
    are test_roles' and test_console_roles')."""
    with engine.begin() as conn:  # type: ignore[attr-defined]
        accounts.add_user(conn, name, PASSWORD, role, "test")


def open_console(browser: object, hub: Hub, traffic: Traffic | None = None) -> Page:
    page: Page = watch(browser.new_page(viewport=TABLET))  # type: ignore[attr-defined]
    if traffic is not None:
        page.on("request", lambda r: traffic.requests.append(r.url))
        page.on("requestfailed", lambda r: traffic.failures.append((r.url, r.failure or "")))
    page.goto(hub.url + "/")  # the hub's own address leads to the console
    enable_semantics(page)
    return page


def sign_in(page: Page, name: str | None = "sato", password: str = PASSWORD) -> None:
    if name is not None:
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        enter_text(page, page.get_by_role("textbox", name="ユーザー名").first, name, "user name")
    enter_text(page, page.locator('flt-semantics input[type="password"]').first, password,
               "password")
    page.keyboard.press("Enter")


def inbox_shown(page: Page, name: str) -> None:
    """Signed in: the inbox is on screen (else a screenshot and what the page said)."""
    try:
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=30_000)
    except PlaywrightTimeout:
        shot(page, name)
        said = page.evaluate("() => document.querySelector('flt-semantics-host')?.innerText")
        raise AssertionError(f"no inbox 30 s after signing in; the page said: {said!r}") from None


def record_concern_on_tablet(page: Page) -> None:
    button(page, "気づきを記録")
    page.get_by_role("checkbox", name="孤立").click()
    page.get_by_role("checkbox", name="中（2週間以内）").click()
    choose(page, "年代", "80代以上")
    choose(page, "性別", "女性")
    type_into(page, "気づいたこと", "最近ひとりで来て、帰り道が分からなくなっていた")
    # consent: what the office may pass on rests on it (one line says what it allows)
    choose(page, "本人の同意", "口頭で同意")
    seen(page, "口頭の同意があります。同意の範囲で提供できます").wait_for(timeout=10_000)
    seen(page, "保存済み").wait_for(timeout=10_000)


def refer_in_console(office: Page) -> None:
    """The office opens the concern the tablet sent and refers the person."""
    seen(office, "気づき・困りごと 受信箱").wait_for(timeout=30_000)
    seen(office, "孤立").wait_for(timeout=30_000)
    shot(office, "console-inbox-tablet-ja")
    office.get_by_text("孤立").first.click()
    seen(office, "帰り道が分からなくなっていた").wait_for(timeout=30_000)
    # the staff member suggested the comprehensive support centre; the office picks another
    choose(office, "つなぎ先", "福祉総合相談窓口")
    type_into(office, "つなぎ方（電話・同行など）", "電話で相談窓口へ")
    type_into(office, "職員へのフィードバック", "窓口の方が来週連絡します")
    button(office, "つなぐ")
    seen(office, "「つなぎ済み」として保存しました").wait_for(timeout=30_000)
    seen(office, "つなぎ先: 福祉総合相談窓口").wait_for(timeout=30_000)
    shot(office, "console-concern-referred-tablet-ja")


def tablet_sees_referral(tablet: Page, name: str, *, ask: bool = True) -> None:
    """`ask`: the staff member presses 今すぐ同期 and opens the follow-ups; otherwise the
    follow-ups are already open and the next background sync must repaint them."""
    if ask:
        nav(tablet, "同期")
        button(tablet, "今すぐ同期")
        nav(tablet, "フォロー")
    seen(tablet, "つなぎ済み: 福祉総合相談窓口").wait_for(timeout=30_000)
    seen(tablet, "事務局より: 窓口の方が来週連絡します").wait_for(timeout=10_000)
    shot(tablet, name)


def test_office_refers_a_concern_from_the_tablet_and_the_tablet_sees_it(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    traffic = Traffic()
    with serve_in_thread(engine, url, console=True) as hub, \
            running_app(tmp_path / "data", "--sync-interval", "2") as app, chromium() as browser:
        tablet = open_app(browser, app, TABLET, traffic)
        seen(tablet, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(tablet, "ひだまり", HIDAMARI)
        record_concern_on_tablet(tablet)
        nav(tablet, "同期")
        seen(tablet, "ハブに登録されていません").wait_for(timeout=10_000)
        shot(tablet, "flow-sync-pending-tablet-ja")
        enrol_in_settings(tablet, hub)
        seen(tablet, "同期済み").wait_for(timeout=30_000)
        with engine.connect() as conn:
            [body] = conn.exec_driver_sql("SELECT body FROM records").scalars()
        assert json.loads(body)["urgency"] == "medium"
        nav(tablet, "フォロー")  # left open while the office works
        seen(tablet, "中（2週間以内）  新規").wait_for(timeout=10_000)

        office = open_console(browser, hub, traffic)
        sign_in(office)
        refer_in_console(office)
        tablet_sees_referral(tablet, "flow-followups-referred-by-console-tablet-ja", ask=False)
    assert sorted(set(traffic.off_machine())) == sorted(set(traffic.blocked))


def test_a_newcomer_tries_the_whole_loop_with_make_run(tmp_path: Path) -> None:
    """`make run` is `ibasho-field --local-hub`: a hub on this machine with its console, an
    office account whose password is printed, and the app enrolled to it."""
    data = tmp_path / "data"
    with running_app(data, "--local-hub", "--sync-interval", "2") as app, \
            chromium() as browser:
        tablet = open_app(browser, app, TABLET)
        seen(tablet, "ホーム").wait_for(timeout=60_000)
        find_place_by_kana(tablet, "ひだまり", HIDAMARI)
        record_concern_on_tablet(tablet)
        nav(tablet, "同期")
        seen(tablet, "同期済み").wait_for(timeout=60_000)
        port = app.rstrip("/").rsplit(":", 1)[1]
        printed = (tmp_path / f"app-{port}.log").read_text(encoding="utf-8")
        found = re.search(r"Office console: (\S+)  \(user office, password (\S+); also in (.+)\)",
                          printed)
        assert found, printed
        console, password, kept_in = found.groups()
        assert Path(kept_in).read_text(encoding="utf-8").strip() == password
        assert Path(kept_in).stat().st_mode & 0o077 == 0  # readable by this user only
        office = watch(browser.new_page(viewport=TABLET))
        office.goto(console)
        enable_semantics(office)
        sign_in(office, "office", password)
        refer_in_console(office)
        tablet_sees_referral(tablet, "flow-make-run-referred-tablet-ja")


def test_sign_in_refuses_a_wrong_password_and_sign_out_ends_the_session(tmp_path: Path
                                                                         ) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        page = open_console(browser, hub)
        seen(page, "事務局のアカウントでサインインしてください。").wait_for(timeout=60_000)
        shot(page, "console-signin-tablet-ja")
        sign_in(page, password="not the password")
        seen(page, "ユーザー名またはパスワードが違います").wait_for(timeout=30_000)
        shot(page, "console-signin-refused-tablet-ja")
        sign_in(page, name=None)  # the name stays; only the password is asked again
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=30_000)
        page.set_viewport_size(PHONE)  # narrower: a menu instead of the rail
        page.get_by_role("button", name=MENU).wait_for(timeout=30_000)
        shot(page, "console-inbox-phone-ja")
        nav(page, "端末")
        seen(page, "新しい端末の登録コード").wait_for(timeout=30_000)
        shot(page, "console-devices-phone-ja")
        page.set_viewport_size(TABLET)
        # the frame is rebuilt for the wider window (a rail again): a click on the old
        # frame's button while it is being replaced would be lost
        page.get_by_role("button", name=MENU).wait_for(state="detached", timeout=30_000)
        button(page, "サインアウト")
        seen(page, "事務局のアカウントでサインインしてください。").wait_for(timeout=30_000)
    with engine.connect() as conn:
        live = conn.exec_driver_sql("SELECT COUNT(*) FROM office_sessions").scalar_one()
    assert live == 0


def seed(tmp_path: Path, hub: Hub) -> None:
    known_data(tmp_path, hub)  # gatherings at こもれび広場 and a salon in FY2024-2026
    store = Store(tmp_path / "tablet2")
    enrol(store, hub.url, hub.code("山田 花子"), "tablet-2")
    for urgency, categories, day in (("high", ["caregiver_burden"], "2026-11-20"),
                                     ("watch", ["isolation"], "2026-11-01")):
        store.save(dataclasses.replace(concern(
            urgency=urgency, categories=categories, observed_on=day, follow_up_on=None,
            place_id=IBASHO.id), device_id=store.device_id))
    sync_once(store, hub.url, store.meta(HUB_META)["token"])  # type: ignore[index]
    store.close()


def test_every_console_screen(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine, "admin", "admin,supervisor,grants")  # every screen
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        seed(tmp_path, hub)
        places = hub.count("places")
        page = open_console(browser, hub)
        sign_in(page, "admin")
        seen(page, "介護負担").wait_for(timeout=60_000)
        choose(page, "緊急度", "見守り（次回訪問時に確認）")
        seen(page, "1件").wait_for(timeout=30_000)
        shot(page, "console-inbox-filtered-tablet-ja")

        nav(page, "場所")
        seen(page, "いきいきサロン 北町").wait_for(timeout=30_000)
        shot(page, "console-places-tablet-ja")
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text("こもれび広場").first.click()
        seen(page, "場所を編集").wait_for(timeout=30_000)
        shot(page, "console-place-edit-tablet-ja")
        button(page, "参加者数の推移")  # a place's page leads to its chart
        seen(page, "こもれび広場 の参加者数の推移").wait_for(timeout=30_000)
        nav(page, "場所")
        button(page, "場所を追加")
        seen(page, "保存").wait_for(timeout=30_000)
        button(page, "保存")  # nothing filled in: the hub says what is missing, per field
        seen(page, "場所データに誤りがあります").wait_for(timeout=30_000)
        shot(page, "console-place-invalid-tablet-ja")
        type_into(page, "名称", "みどりの縁側")
        choose(page, "地域", "中町")
        type_into(page, "代表者名（助成の書類に記載）", "山本 和子")  # the 実績報告書 names them
        button(page, "保存")
        seen(page, "「みどりの縁側」を保存しました").wait_for(timeout=30_000)
        assert hub.count("places") == places + 1
        with hub.engine.connect() as conn:
            bodies = [json.loads(b) for (b,) in conn.exec_driver_sql("SELECT body FROM places")]
        assert next(p for p in bodies if p["name"] == "みどりの縁側")["representative"] == \
            "山本 和子"

        nav(page, "助成条件")
        choose(page, "年度", "2025年度")
        seen(page, "未達 52期").wait_for(timeout=30_000)  # salons without a gathering
        shot(page, "console-compliance-tablet-ja")
        type_into(page, "名前・事業で探す", "こもれび")
        seen(page, "達成 2期・未達 4期").wait_for(timeout=30_000)
        page.get_by_text("こもれび広場").first.click()
        seen(page, "こもれび広場 の参加者数の推移").wait_for(timeout=30_000)
        seen(page, "2025年4月: 乳幼児 0、小中高生 0、大人（18〜64歳） 2、高齢者（65歳以上） 5"
             ).wait_for(timeout=30_000)
        shot(page, "console-attendance-chart-tablet-ja")

        nav(page, "報告書")
        choose(page, "年度", "2025年度")
        with page.expect_download(timeout=60_000) as download:
            button(page, "Excel（実績報告・月別集計・立ち上げ支援・年間まとめ・通いの場調査）")
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert book.sheetnames == ["実績報告", "月別集計", "立ち上げ支援", "年間まとめ",
                                   "通いの場調査"]
        report = {row[1]: row for row in book["実績報告"].iter_rows(min_row=2, values_only=True)}
        assert report["こもれび広場"][3] == 3  # gatherings in FY2025
        seen(page, "を保存しました").wait_for(timeout=30_000)
        shot(page, "console-reports-tablet-ja")

        nav(page, "端末")
        seen(page, "山田 花子").wait_for(timeout=30_000)
        type_into(page, "職員名", "鈴木 一郎")
        button(page, "登録コードを作成")
        seen(page, "鈴木 一郎 さんの登録コード").wait_for(timeout=30_000)
        seen(page, f"ハブのアドレス: {hub.url}").wait_for(timeout=10_000)  # what a tablet types
        page.locator('flt-semantics [aria-label="登録用QRコード"]').first.wait_for(timeout=30_000)
        shot(page, "console-devices-code-tablet-ja")
        code = next(m.group(0) for m in re.finditer(
            r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", page.content()))
        button(page, "閉じる")
        with httpx.Client(base_url=hub.url) as http:  # the code on screen enrols a tablet
            r = http.post("/api/v1/enrol", json={"code": code, "device_id": "tablet-0003-abcd"})
            assert r.status_code == 200 and r.json()["staff_name"] == "鈴木 一郎"
        button(page, "登録解除")
        seen(page, "この端末の登録を解除しますか？").wait_for(timeout=30_000)
        page.get_by_role("button", name="登録解除", exact=True).last.click()
        seen(page, "登録解除済み").wait_for(timeout=30_000)
        shot(page, "console-devices-tablet-ja")

        nav(page, "設定")
        seen(page, "つなぎ先と事業の設定").wait_for(timeout=30_000)
        # the destinations by their names: never by the keys concerns name them by
        assert "houkatsu" not in str(page.evaluate(
            "() => document.querySelector('flt-semantics-host').innerText"))
        names = page.get_by_role("textbox", name="名称")  # one a row (with its error, if any)
        rows = names.count()
        button(page, "つなぎ先を追加")
        # the new row drawn (the form is drawn again, its save button with it)
        names.nth(rows).wait_for(state="attached", timeout=30_000)
        button(page, "保存")  # a destination needs its name: said by its row and field
        seen(page, "つなぎ先「名称未入力」 名称: 入力してください").wait_for(timeout=30_000)
        shot(page, "console-reference-invalid-tablet-ja")
        # the new destination is the last row, below the fold: its name field is the one
        # over the refusal
        refusal = page.get_by_text("空欄にはできません", exact=True).first
        for _ in range(20):
            box = refusal.bounding_box() if refusal.count() else None
            if box is not None and 100 < box["y"] < 700:
                break
            page.mouse.move(640, 500)
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(300)
        assert box is not None, "the refusal under the new row's name never came into view"
        above = [f for f in names.all() if (f.bounding_box() or {"y": 1e9})["y"] < box["y"]]
        focus_and_type(page, max(above, key=lambda f: (f.bounding_box() or {"y": 0})["y"]),
                       "フードバンク")
        button(page, "保存")
        seen(page, "保存しました。各端末には次の同期で届きます。").wait_for(timeout=30_000)
        with engine.connect() as conn:
            stored = json.loads(conn.exec_driver_sql(
                "SELECT value FROM hub_settings WHERE key = 'reference'").scalar_one())
        [added] = [x for x in stored["destinations"] if x["ja"] == "フードバンク"]
        assert re.fullmatch(r"d[0-9a-f]{8}", added["key"])  # made by the console, unseen
        shot(page, "console-reference-tablet-ja")

        button(page, "English")
        nav(page, "Concerns")
        seen(page, "Concerns inbox").wait_for(timeout=30_000)
        shot(page, "console-inbox-tablet-en")


class MovedClock:
    """The console's idle clock, moved by the test instead of waited for. Counting reads
    tells when the console has looked at the time since it was moved."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now

    def move(self, seconds: float, *, looks: int = 3) -> None:
        """Move on, then return once the console has read the clock `looks` more times."""
        self.now += seconds
        seen, deadline = self.reads, time.monotonic() + 30
        while self.reads < seen + looks:
            assert time.monotonic() < deadline, "the console stopped looking at the time"
            time.sleep(0.05)


def test_a_console_left_alone_signs_itself_out(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    clock = MovedClock()
    idle = 30 * 60
    # the open inbox looks for new concerns every second: looking is not use
    settings = Settings(idle_after=idle, idle_check=0.25, inbox_check=1, clock=clock)
    with serve_in_thread(engine, url, console=settings) as hub, chromium() as browser:
        page = open_console(browser, hub)
        sign_in(page)
        inbox_shown(page, "console-idle-signin-failed")
        nav(page, "場所")
        focus(page, page.get_by_role("textbox", name="名前・ふりがな・地域・グループで探す"))
        for _ in range(4):  # typing is use: an hour and a half of it, still signed in
            page.keyboard.type("あ")
            clock.move(idle * 0.4)
        assert page.get_by_text("分間操作がなかったため").count() == 0
        nav(page, "気づき")
        seen(page, "に確認").wait_for(timeout=30_000)  # the inbox has looked: not use
        clock.move(idle - 1)
        assert page.get_by_text("分間操作がなかったため").count() == 0
        clock.move(2, looks=0)
        seen(page, "30分間操作がなかったため、サインアウトしました。").wait_for(timeout=30_000)
        shot(page, "console-idle-signed-out-tablet-ja")
    with engine.connect() as conn:  # the session ended on the hub too
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM office_sessions").scalar_one() == 0


def test_a_long_inbox_says_how_many_there_are_and_shows_the_rest(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        for i in range(503):  # one page more than the hub sends at once
            store.save(dataclasses.replace(concern(
                urgency="emergency" if i == 0 else "watch", follow_up_on=None,
                observed_on=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"),
                device_id=store.device_id))
        sync_once(store, hub.url, store.meta(HUB_META)["token"])  # type: ignore[index]
        store.close()
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "全503件のうち500件を表示").wait_for(timeout=60_000)
        more = page.get_by_role("button", name="続きの3件を表示", exact=True)
        page.mouse.move(640, 500)
        for _ in range(40):  # the button ends the list: scroll down to it
            if more.count():
                break
            page.mouse.wheel(0, 4000)
            page.wait_for_timeout(250)
        shot(page, "console-inbox-more-tablet-ja")
        more.click()
        seen(page, "503件（未完了が先").wait_for(timeout=30_000)
        shot(page, "console-inbox-all-shown-tablet-ja")
        assert page.get_by_role("button", name=re.compile("^続きの")).count() == 0


def test_the_open_inbox_says_when_new_concerns_arrive(tmp_path: Path) -> None:
    """A tablet syncs while the office has the inbox open: the console says how many arrived
    and how many are emergencies, and shows them when asked (rows do not move by themselves)."""
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=Settings(inbox_check=1)) as hub, \
            chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        syncer = Syncer(store, hub_client(hub.url, store.meta(HUB_META)["token"]))  # type: ignore[index]

        def push(urgency: str, categories: list[str]) -> None:
            store.save(dataclasses.replace(concern(urgency=urgency, categories=categories,
                                                   follow_up_on=None),
                                           device_id=store.device_id))
            syncer.sync_once()

        push("watch", ["isolation"])
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "1件（未完了が先").wait_for(timeout=60_000)
        push("emergency", ["abuse_suspected"])
        push("medium", ["caregiver_burden"])
        seen(page, "新しく届いた気づきが2件あります（うち緊急1件）。").wait_for(timeout=30_000)
        assert seen(page, "1件（未完了が先").is_visible()  # the list waits to be asked
        shot(page, "console-inbox-arrived-tablet-ja")
        button(page, "表示する")
        seen(page, "3件（未完了が先").wait_for(timeout=30_000)
        page.get_by_text("新しく届いた気づき").wait_for(state="detached", timeout=30_000)
        push("watch", ["health"])
        # the notice comes first (so nothing moves while the button is pressed); the refresh
        # button, not the notice's, brings the list up to date
        seen(page, "新しく届いた気づきが1件あります。").wait_for(timeout=30_000)
        button(page, "最新の状態にする")
        seen(page, "4件（未完了が先").wait_for(timeout=30_000)
        store.close()


def test_a_change_made_meanwhile_by_another_officer_is_not_undone(tmp_path: Path) -> None:
    """Sato has a concern open; Suzuki refers it from another PC. Sato's feedback, saved from
    the page as it was, is refused with a word about who changed it; the page catches up and
    keeps what Sato typed, and saving again keeps Suzuki's referral."""
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    add_officer(engine, "suzuki")
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        c = dataclasses.replace(concern(follow_up_on=None, suggested_destination="houkatsu"),
                                device_id=store.device_id)
        store.save(c)
        sync_once(store, hub.url, store.meta(HUB_META)["token"])  # type: ignore[index]
        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "孤立").wait_for(timeout=60_000)
        page.get_by_text("孤立").first.click()
        seen(page, "事務局の対応").wait_for(timeout=30_000)
        with httpx.Client(base_url=hub.url + "/api/v1/office", timeout=30) as http:
            token = http.post("/login", json={"username": "suzuki", "password": PASSWORD}
                              ).json()["token"]
            r = http.put(f"/concerns/{c.id}/office", headers={"Authorization": f"Bearer {token}"},
                         json={"status": "referred", "destination": "fukushi_sogo",
                               "referred_on": "2026-11-26", "method": "同行", "based_on": None})
            assert r.status_code == 200, r.text
        type_into(page, "職員へのフィードバック", "窓口に確認します")
        button(page, "フィードバックを保存")
        seen(page, "ほかの職員（suzuki）がこの気づきの対応を先に変更しました").wait_for(timeout=30_000)
        seen(page, "つなぎ先: 福祉総合相談窓口").wait_for(timeout=30_000)  # Suzuki's, in the history
        assert field_value(page, "職員へのフィードバック") == "窓口に確認します"
        shot(page, "console-concern-changed-meanwhile-tablet-ja")
        button(page, "フィードバックを保存")
        seen(page, "「つなぎ済み」として保存しました").wait_for(timeout=30_000)
        store.close()
    with engine.connect() as conn:
        part = json.loads(conn.exec_driver_sql("SELECT body FROM office_parts").scalar_one())
    assert (part["status"], part["destination"], part["method"], part["feedback"]) == (
        "referred", "fukushi_sogo", "同行", "窓口に確認します")


def test_the_browsers_back_goes_back_a_screen_in_the_console(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        page = open_console(browser, hub)
        sign_in(page)
        inbox_shown(page, "console-back-signin-failed")
        nav(page, "場所")
        page.wait_for_url("**/office/places", timeout=20_000)
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text("こもれび広場").first.click()
        seen(page, "場所を編集").wait_for(timeout=30_000)
        page.wait_for_url("**/office/place?id=*", timeout=20_000)
        page.go_back()
        page.wait_for_url("**/office/places", timeout=20_000)
        seen(page, "場所を追加").wait_for(timeout=20_000)
        page.go_back()  # to where the console was opened: the inbox
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=20_000)
        assert page.url.endswith(("/office/", "/office/inbox")), page.url
        shot(page, "console-back-to-inbox-tablet-ja")
