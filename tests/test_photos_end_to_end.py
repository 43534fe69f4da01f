"""A photo from the field to the council's 実績報告書, through every real part: attached in the
field app (headless Chromium, the browser's own file chooser) and marked 報告書に使用可 with a
caption; sent by the app's own sync (its record, then its bytes over tus) to a real hub on
127.0.0.1; seen in the console's gallery, chosen for the report; found on the PDF's photo
page, with its GPS position gone from the bytes the hub holds."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from field_app.store import Store
from field_app.store.imaging import metadata_markers
from sync.client import enrol
from tests.browser import (
    TABLET,
    button,
    chromium,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    type_into,
)
from tests.conftest import ARTIFACTS
from tests.factories import IBASHO, gathering
from tests.hubs import hub_client, serve_in_thread
from tests.test_console import PASSWORD, add_officer, open_console, sign_in
from tests.test_field_app import hub_with
from tests.test_photos_store import picture
from tests.test_place_report import pdf_text

pytestmark = pytest.mark.browser
CAPTION = "夏祭りの準備"


def held(engine, timeout: float = 120) -> bytes:  # type: ignore[no-untyped-def]
    """The bytes of the one photo the hub holds whole, once the app's sync has sent them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT sha256 FROM photo_blobs WHERE complete")).first()
            if row is not None:
                chunks = conn.execute(text(
                    "SELECT bytes FROM photo_chunks WHERE sha256 = :s ORDER BY start"),
                    {"s": row.sha256}).scalars()
                return b"".join(bytes(c) for c in chunks)
        time.sleep(0.5)
    raise AssertionError("the app's sync did not bring the photo to the hub")


def test_a_photo_taken_in_the_field_reaches_the_report(tmp_path: Path) -> None:
    engine, url = hub_with(tmp_path)
    add_officer(engine)
    data = tmp_path / "data"
    photo = tmp_path / "IMG_2041.JPG"
    photo.write_bytes(picture(4000, 3000))  # with a GPS position in its EXIF
    with serve_in_thread(engine, url, console=True) as hub, chromium() as browser:
        with Store(data) as store:  # enrolled, with a gathering of today, before the PIN
            enrol(store, hub.url, hub.code("山田 花子"), "tablet")
            owner = gathering(device_id=store.device_id, place_id=IBASHO.id,
                              date=clock.today().isoformat())
            store.save(owner)
        with running_app(data) as app:
            page = open_app(browser, app + f"gathering?id={owner.id}", TABLET)
            seen(page, "写真を追加").wait_for(timeout=60_000)
            with page.expect_file_chooser() as chooser:
                button(page, "写真を追加")
            chooser.value.set_files(str(photo))
            seen(page, "記録のみ").wait_for(timeout=60_000)
            page.mouse.wheel(0, 2000)  # the photo's card, at the foot of the form
            page.get_by_role("radio", name="報告書に使用可").first.click()
            # the caption's field is the next stop; the thumbnail's node lies over its box
            page.keyboard.press("Tab")
            page.wait_for_function("() => document.activeElement?.tagName === 'TEXTAREA'",
                                   timeout=20_000)
            page.keyboard.type(CAPTION)
            assert page.evaluate("() => document.activeElement.value") == CAPTION
            shot(page, "photo-e2e-field")
            nav(page, "同期")  # leaving the form pushes it
            button(page, "今すぐ同期")
            kept = held(engine)
        assert Image.open(io.BytesIO(kept)).size[0] <= 2048
        assert metadata_markers(kept) == []  # no EXIF, so no GPS position, at the office

        page = open_console(browser, hub)
        sign_in(page)
        seen(page, "気づき・困りごと 受信箱").wait_for(timeout=60_000)
        nav(page, "場所")
        type_into(page, "名前・ふりがな・地域・グループで探す", "ひだまり")
        page.get_by_text(IBASHO.name).first.click()
        page.get_by_role("button", name="写真", exact=True).first.click()
        seen(page, CAPTION).wait_for(timeout=30_000)
        page.get_by_role("checkbox", name="報告書に載せる").first.click()
        page.get_by_role("button", name="報告書の写真を保存", exact=True).first.click()
        seen(page, "載せる写真を保存しました（1枚）").wait_for(timeout=30_000)
        shot(page, "photo-e2e-console")

        office = hub_client(hub.url)  # the report downloaded as the console would
        token = office.http.post("/api/v1/office/login", json={
            "username": "sato", "password": PASSWORD}).json()["token"]
        year = fiscal_year_of(clock.today())
        got = office.http.get(f"/api/v1/office/places/{IBASHO.id}/annual-report",
                              params={"fiscal_year": year, "format": "pdf"},
                              headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200, got.text
    report = tmp_path / "report.pdf"
    report.write_bytes(got.content)
    assert CAPTION in "".join(pdf_text(report).split())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(report),
                    str(ARTIFACTS / "photo-e2e-report")], check=True, timeout=120)
