"""Attaching a photo in the real field app (headless Chromium): 写真を追加 in a gathering's
form opens the browser's own file chooser (Flet's PickFiles, within the tap), the picked
file's bytes go to the app, and the form shows its thumbnail with 記録のみ chosen; the
store holds the photo sealed, small and without its GPS position."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from field_app.store import Store
from field_app.store.imaging import metadata_markers
from tests.browser import (
    TABLET,
    button,
    chromium,
    nav,
    open_app,
    running_app,
    seen,
    shot,
    unlocked_store,
)
from tests.factories import IBASHO, gathering
from tests.test_photos_store import MAGIC, every_byte, picture

pytestmark = pytest.mark.browser


def test_a_photo_attached_in_the_gathering_form_shows_and_is_kept_sealed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data) as store:  # a gathering of today, recorded before the PIN was set
        from core.domain import clock

        owner = gathering(device_id=store.device_id, place_id=IBASHO.id,
                          date=clock.today().isoformat())
        store.save(owner)
    photo = tmp_path / "IMG_2041.JPG"
    photo.write_bytes(picture(4000, 3000))
    with running_app(data) as url, chromium() as browser:
        page = open_app(browser, url + f"gathering?id={owner.id}", TABLET)
        seen(page, "写真を追加").wait_for(timeout=60_000)
        with page.expect_file_chooser() as chooser:
            button(page, "写真を追加")
        assert chooser.value.is_multiple()
        chooser.value.set_files(str(photo))
        seen(page, "写真（撮影日 2026年5月1日").wait_for(timeout=60_000)  # the thumbnail
        seen(page, "記録のみ").wait_for(timeout=20_000)
        page.mouse.wheel(0, 2000)
        shot(page, "photo-attached-gathering")
        nav(page, "同期")
        seen(page, "送信待ちの写真 1枚").wait_for(timeout=20_000)
        seen(page, "写真（開催記録）").wait_for(timeout=20_000)
        shot(page, "photo-sync-screen")
        nav(page, "設定")
        seen(page, "この端末の写真").wait_for(timeout=20_000)
        shot(page, "photo-settings")
    with unlocked_store(data) as store:
        [record] = store.all("photo")
        assert record["record_id"] == owner.id and record["use"] == "record_only"
        entry = store.photos.entry(record["sha256"])
        kept = store.photos.source(record["sha256"], entry["size"], record["id"])
        jpeg = kept.read(0, kept.size)
    img = Image.open(io.BytesIO(jpeg))
    assert max(img.size) <= 2048 and not img.getexif() and metadata_markers(jpeg) == []
    on_disk = every_byte(data)
    for magic in MAGIC:
        assert magic not in on_disk
