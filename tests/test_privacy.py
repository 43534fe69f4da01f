"""Sealed at rest, locked when idle, recoverable by the office, never wiped."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.keyring import WrongPin
from core.reference_data import load_reference
from field_app.ui.services import Services
from hub.concerns import set_office_part
from sync.client import HUB_META
from tests.factories import IBASHO, concern, gathering, visit_note
from tests.hubs import Hub, sync_once

SECRETS = ["認知症の疑いがあり一人暮らし", "Kさん", "bruise-marks-on-arms-7731", "ひとり親で孤立している",
           "下書きの秘密メモ", "包括の担当者が来週自宅を訪問"]


def enrolled(data: Path, hub: Hub) -> Services:
    """An unlocked device enrolled with the hub, its background sync stopped."""
    services = Services.at(data, load_reference())
    services.create_pin("2468")
    services.enrol(hub.url, hub.code(), "tablet")
    if services.worker is not None:
        services.worker.stop()
        services.worker = None
    return services


def everything_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_nothing_sensitive_is_written_in_plaintext(tmp_path: Path, hub: Hub) -> None:
    data = tmp_path / "device"
    services = enrolled(data, hub)
    store = services.store
    assert store is not None
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    own = {"device_id": store.device_id}
    noticed = dataclasses.replace(concern(observed=SECRETS[0], subject_alias=SECRETS[1]), **own)
    store.save(noticed)
    store.save(dataclasses.replace(visit_note(observations=SECRETS[2]), **own))
    rejected = dataclasses.replace(gathering(note=SECRETS[3]), **own).edited(
        place_id="00000000-0000-4000-8000-000000000009")
    store.save(rejected)  # the hub refuses it: its reasons are kept on the device
    store.put_draft({**concern().to_dict(), "observed": SECRETS[4], "categories": []}).result()
    sync_once(store, hub.url, token)
    assert store.quarantined() and store.pending_count() == 0
    with hub.engine.begin() as conn:  # the office's answer, pulled at the next sync
        set_office_part(conn, noticed.id, {"status": "watching", "feedback": SECRETS[5]}, "事務局")
    sync_once(store, hub.url, token)
    assert store.load("concern", noticed.id).office.feedback == SECRETS[5]  # type: ignore[union-attr]
    store._storage.compact()
    store.save(dataclasses.replace(gathering(note=SECRETS[3] + "2"), **own))  # in the journal too
    services.lock()
    on_disk = everything_under(data)
    for secret in [*SECRETS, token]:
        for form in (secret.encode(), secret.encode("unicode_escape"),
                     secret.encode("utf-16-le")):
            assert form not in on_disk, secret
    assert b"sealed:v1:" in on_disk
    services.unlock("2468")  # and everything is still there
    assert services.store is not None and services.store.meta(HUB_META)["token"] == token  # type: ignore[index]
    services.stop()


def test_a_lost_pin_is_recovered_with_the_office_key_and_unsent_records_still_sync(
        tmp_path: Path, hub: Hub) -> None:
    from hub import office_key

    private = tmp_path / "office-private.pem"
    public = office_key.generate(private, None)
    with hub.engine.begin() as conn:
        office_key.store_public(conn, public, "test")
    data = tmp_path / "device"
    services = enrolled(data, hub)
    store = services.store
    assert store is not None and services.keyring.office_key_id is not None
    record = dataclasses.replace(concern(place_id=IBASHO.id), device_id=store.device_id)
    store.save(record)
    services.lock()
    with pytest.raises(WrongPin):
        services.unlock("9999")  # forgotten
    run = subprocess.run([sys.executable, "-m", "hub.cli", "recover", "--office-key",
                          str(private), "--device-data", str(data)], input="13579\n",
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    services.unlock("13579")
    store = services.store
    assert store is not None and store.pending_count() == 1
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    # the background worker may have pushed it already (then nothing is left to send), or
    # be pushing it now (then it is a duplicate): either way it is on the hub afterwards
    report = sync_once(store, hub.url, token)
    assert report.accepted + report.duplicate <= 1 and hub.count("records") == 1
    services.stop()


def test_the_app_locks_after_idle_time_and_forgets_the_key(tmp_path: Path) -> None:
    services = Services.at(tmp_path, load_reference(), lock_after=0.6)
    services.create_pin("2468")
    assert not services.locked
    services.watch_idle()
    deadline = time.monotonic() + 10
    while not services.locked and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.locked and services.store is None and services._key == b""
    services.unlock("2468")
    assert not services.locked
    services.stop()


def test_revocation_keeps_the_data_and_says_so(tmp_path: Path, hub: Hub) -> None:
    from hub import devices
    from sync.errors import RevokedError

    services = enrolled(tmp_path, hub)
    store = services.store
    assert store is not None
    store.save(dataclasses.replace(gathering(), device_id=store.device_id))
    with hub.engine.begin() as conn:
        devices.revoke(conn, store.device_id)
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    with pytest.raises(RevokedError) as info:
        sync_once(store, hub.url, token)
    assert "記録は端末に残っています" in info.value.message_ja
    assert store.pending_count() == 1
    services.stop()
