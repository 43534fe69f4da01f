"""A restore from backup that loses nothing, with `ibasho-hub backup` and `ibasho-hub
restore` as the office runs them and the hub served on 127.0.0.1, on SQLite and PostgreSQL.

The restored hub hands out change numbers again from where its backup stopped, and lacks
the records a tablet pushed after it. Its history gets a new name: a tablet's cursor of the
old name starts a full pull (an office change after the restore reaches it), and the tablet
offers again everything it holds (the hub keeps what it lacks)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import flet as ft
import pytest
from sqlalchemy import select, text

from core.domain.record import Record
from field_app.store import Store
from field_app.ui.services import Services
from field_app.ui.shell import Shell
from hub import devices, history, hub_settings
from hub.db import schema
from hub.db.engine import connect
from hub.feed import pull
from hub.places import save_place
from sync.client import HUB_META, Report, Syncer, enrol, restored
from sync.errors import RevokedError
from sync.http import HubClient
from sync.protocol import decode_cursor, encode_cursor
from tests import factories
from tests.factories import IBASHO, SALON
from tests.hubs import database_url, prepared_engine, serve_process
from tests.test_navigation import opened, shown, unlocked


def hub_cli(database: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, IBASHO_HUB_DATABASE_URL=database, IBASHO_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir", str(data_dir),
                           *args], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done


def sync(store: Store) -> Report:
    hub = store.meta(HUB_META)
    assert hub is not None
    with HubClient(hub["url"], hub["token"]) as client:
        return Syncer(store, client).sync_once()


def code(database: str, staff: str = "山田 花子") -> str:
    engine = connect(database)
    try:
        with engine.begin() as conn:
            return devices.create_code(conn, staff, 2)[0]
    finally:
        engine.dispose()


def rename(database: str, place_id: str, name: str) -> None:
    """The office renames a place (as the console's place screen saves it)."""
    engine = connect(database)
    try:
        with engine.begin() as conn:
            save_place(conn, {"id": place_id, "name": name}, "sato")
    finally:
        engine.dispose()


def hub_ids(database: str) -> set[str]:
    engine = connect(database)
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(schema.records.c.id)).scalars())
    finally:
        engine.dispose()


def save_new(store: Store, n: int) -> list[Record]:
    made = [factories.gathering(date=f"2026-06-{10 + i:02d}") for i in range(n)]
    made = [dataclasses.replace(r, device_id=store.device_id) for r in made]
    for r in made:
        store.save(r)
    return made


def sync_screen_text(services: Services) -> list[str]:
    """What the sync screen shows, in Japanese, on a real Flet session."""
    async def read() -> list[str]:
        _, page = await opened(1280)
        shell = Shell(page, services, "ja")
        shell.router.go("sync")
        texts = [str(c.value) for c in shown(page) if isinstance(c, ft.Text) and c.value]
        page.on_disconnect(None)  # type: ignore[misc]  # the window closes before the store
        return texts

    return asyncio.run(read())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_restore_from_backup_loses_nothing_a_tablet_holds(tmp_path: Path, kind: str) -> None:
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    with database_url(kind, tmp_path) as database:
        prepared_engine(database).dispose()
        with unlocked(tmp_path / "tablet") as services:
            store = services.store
            assert store is not None
            with serve_process(database, hub_dir) as url:
                enrol(store, url, code(database), "tablet")
                before = save_new(store, 3)
                assert sync(store).accepted == 3
                hub_cli(database, hub_dir, "backup", str(tmp_path / "hub.backup"))
                after = save_new(store, 2)  # on the hub, but not in the backup
                assert sync(store).accepted == 2
                rename(database, IBASHO.id, "復元前に変えた名前")
                sync(store)
                assert store.get("place", IBASHO.id)["name"] == "復元前に変えた名前"  # type: ignore[index]
                # a device enrolled after the backup: the restored hub will not know it
                late = Store(tmp_path / "late")
                enrol(late, url, code(database, "鈴木 一郎"), "late tablet")
                late_records = save_new(late, 1)
                sync(late)
            done = hub_cli(database, hub_dir, "restore", str(tmp_path / "hub.backup"))
            assert "docs/restore.md" in done.stdout
            assert hub_ids(database) == {r.id for r in before}  # the backup lacks the later two
            assert list(hub_dir.glob("before-restore-*")), "the replaced database is kept"
            with serve_process(database, hub_dir) as url:
                for s in (store, late):  # the hub's address did not change
                    s.set_meta(HUB_META, {**(s.meta(HUB_META) or {}), "url": url})
                rename(database, SALON.id, "復元後に変えた名前")
                report = sync(store)
                assert report.offered_again == 5 and report.accepted == 2 \
                    and report.duplicate == 3
                assert hub_ids(database) >= {r.id for r in before + after}
                assert store.get("place", SALON.id)["name"] == "復元後に変えた名前"  # type: ignore[index]
                # the rename made before the restore is gone from the hub, and from the tablet
                assert store.get("place", IBASHO.id)["name"] == IBASHO.name  # type: ignore[index]
                assert store.pending_count() == 0
                assert sync(store).offered_again == 0  # once per restore, not every pass
                assert restored(store)["offered_again"] == 5

                # the late device is unknown: it is told to enrol again, and then offers
                # everything it holds
                with pytest.raises(RevokedError):
                    sync(late)
                enrol(late, url, code(database, "鈴木 一郎"), "late tablet")
                again = sync(late)
                assert (again.offered_again, again.accepted) == (1, 1)
                assert {r.id for r in late_records} <= hub_ids(database)
                late.close()
            shown_text = sync_screen_text(services)
        assert any("バックアップから復元されていました" in t and "5件" in t for t in shown_text)
        engine = connect(database)
        try:
            with engine.connect() as conn:
                actions = list(conn.execute(text(
                    "SELECT action FROM audit WHERE action = 'history_renewed'")).scalars())
            assert actions == ["history_renewed"]
        finally:
            engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_cursor_of_another_history_is_a_full_pull(tmp_path: Path, kind: str) -> None:
    """Old cursors (before histories had names) and cursors from before a restore both
    start from the beginning, and the answer says so."""
    with database_url(kind, tmp_path) as database:
        engine = prepared_engine(database)
        try:
            with engine.begin() as conn:
                device = "device-restore-1"
                first = pull(conn, device, "山田 花子", None)
                named = history.identity(conn)
                assert first.changes and not first.reset and first.history == named
                assert decode_cursor(first.cursor) == (named, decode_cursor(first.cursor)[1])
                same = pull(conn, device, "山田 花子", first.cursor)
                assert (same.changes, same.reset) == ((), False)
                old = "djE6" + "OTk5"  # base64 of "v1:999": a cursor of an older hub
                assert decode_cursor(old) == ("", 999)
                assert pull(conn, device, "山田 花子", old).reset
                history.renew(conn, "cli", "test")
                after = pull(conn, device, "山田 花子", first.cursor)
                assert after.reset and len(after.changes) == len(first.changes)
                assert after.history != named == decode_cursor(first.cursor)[0]
                assert hub_settings.get(conn, history.KEY) == after.history
            for bad in ("v2::5", "v2:XYZ:5", "v3:5"):
                cursor = base64.urlsafe_b64encode(bad.encode()).decode()
                with pytest.raises(ValueError):
                    decode_cursor(cursor)
            assert decode_cursor(encode_cursor(7, "ab12")) == ("ab12", 7)
        finally:
            engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_restored_hub_gets_back_what_the_tablet_keeps_in_its_yearly_archives(
        tmp_path: Path, kind: str) -> None:
    """Gatherings synced long ago live in the tablet's yearly archive files, not in its
    store: a restored hub that lacks them gets them back from there, once."""
    import datetime as dt

    from core.domain.retention import Policy
    from tests.hubs import serve_in_thread

    with database_url(kind, tmp_path) as database:
        engine = prepared_engine(database)
        with serve_in_thread(engine, database) as hub:
            store = Store(tmp_path / "tablet")
            try:
                enrol(store, hub.url, hub.code(), "tablet")
                old = [dataclasses.replace(factories.gathering(date=day), device_id=store.device_id)
                       for day in ("2023-05-10", "2024-06-11", "2024-07-12")]
                for r in old:
                    store.save(r)
                recent = save_new(store, 1)
                assert sync(store).accepted == 4
                assert store.apply_retention(dt.date(2026, 6, 30), Policy()) == (0, 3)
                assert store.archived_years() == [2023, 2024]
                assert store.get("gathering", old[0].id) is None  # only in the archive now

                # what a restore from an early backup leaves: none of the records, and a
                # history of another name
                with engine.begin() as conn:
                    conn.execute(schema.records.delete())
                    history.renew(conn, "cli", "test")
                report = sync(store)
                assert (report.offered_again, report.archive_offered) == (1, 3)
                assert report.accepted == 4 and report.archive_refused == 0
                assert hub_ids(database) == {r.id for r in old + recent}
                assert restored(store)["offered_again"] == 4
                again = sync(store)
                assert (again.offered_again, again.archive_offered, again.sent) == (0, 0, 0)
            finally:
                store.close()
        engine.dispose()
