"""Activity photos in the console, end to end in headless Chromium: photos a tablet sent
with a gathering shown on the place's gallery with their record (thumbnails made on the
hub), one marked 報告書に使用可 chosen for the 実績報告書 and found on the PDF's photo
page; a 記録のみ photo cannot be chosen."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from field_app.store import Store
from sync.client import HUB_META, enrol
from sync.photos import Uploader
from tests.browser import chromium, nav, seen, shot, type_into
from tests.conftest import ARTIFACTS
from tests.factories import gathering
from tests.hubs import Field, hub_client, serve_in_thread
from tests.photofiles import Source, declare, jpeg
from tests.test_console import PASSWORD, add_officer, open_console, sign_in
from tests.test_field_app import hub_with
from tests.test_place_report import pdf_text
from tests.test_reports import KOMOREBI

pytestmark = pytest.mark.browser


def test_photos_shown_with_their_gathering_and_chosen_for_the_report(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        store = Store(tmp_path / "tablet")
        enrol(store, hub.url, hub.code("山田 花子"), "tablet")
        field = Field(store, store.meta(HUB_META)["token"])  # type: ignore[index]
        g = dataclasses.replace(gathering(place_id=KOMOREBI.id, date="2026-06-10"),
                                device_id=store.device_id)
        shown = [jpeg(640, 480, seed=60, quality=80), jpeg(480, 640, seed=61, quality=80)]
        declare(field, hub, shown[0], parent=g, caption="夏祭りの準備", use="report")
        declare(field, hub, shown[1], parent=g, caption="お茶の時間", use="record_only",
                taken_on="2026-06-11")
        up = Uploader(hub_client(hub.url, field.token).http)
        for data in shown:
            up.send(Source(data))

        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)
        nav(page, "場所")
        type_into(page, "名前・ふりがな・地域・グループで探す", "こもれび")
        page.get_by_text(KOMOREBI.name).first.click()
        page.get_by_role("button", name="写真", exact=True).first.click()
        seen(page, "夏祭りの準備").wait_for(timeout=30_000)
        seen(page, "集い 2026年6月10日(水)").wait_for(timeout=30_000)
        seen(page, "記録のみ").wait_for(timeout=30_000)
        # only the photo marked for the report has a box to choose it
        boxes = page.get_by_role("checkbox", name="報告書に載せる")
        assert boxes.count() == 1
        boxes.first.click()
        seen(page, "報告書に載せる写真: 1 / 6枚").wait_for(timeout=30_000)
        page.get_by_role("button", name="報告書の写真を保存", exact=True).first.click()
        seen(page, "実績報告書に載せる写真を保存しました（1枚）").wait_for(timeout=30_000)
        shot(page, "console-photos-tablet-ja")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM report_photos").scalar() == 1
        store.close()

        office = hub_client(hub.url)  # the report downloaded as the console would
        login = office.http.post("/api/v1/office/login",
                                 json={"username": "sato", "password": PASSWORD})
        token = login.json()["token"]
        got = office.http.get(f"/api/v1/office/places/{KOMOREBI.id}/annual-report",
                              params={"fiscal_year": 2026, "format": "pdf"},
                              headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200, got.text
        path = tmp_path / "report.pdf"
        path.write_bytes(got.content)
        assert "夏祭りの準備" in "".join(pdf_text(path).split())
        assert "お茶の時間" not in pdf_text(path)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-l", "9", str(path),
                        str(ARTIFACTS / "console-photos-report")], check=True, timeout=120)
