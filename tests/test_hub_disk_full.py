"""The hub's database on a real full disk (a tmpfs; on PostgreSQL a tablespace on it), on
SQLite and PostgreSQL: a push answers 507 saying the disk is full, in en and ja, with
Retry-After; the tablet keeps every record (none quarantined), says the hub's disk is full,
and sends them all once there is space again."""

from __future__ import annotations

import dataclasses
import random
import shutil
import string
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from field_app.store import Store
from sync.client import HUB_META, enrol
from sync.errors import HubDiskFullError, TransientError
from sync.protocol import PUSH_PATH
from tests.disks import fill, tmpfs
from tests.factories import concern, gathering
from tests.hubs import PG_ADMIN, database_url, prepared_engine, serve_in_thread, sync_once


@contextmanager
def database_on(disk: Path, kind: str, tmp_path: Path) -> Iterator[str]:
    """A hub database whose tables live on `disk`."""
    if kind == "sqlite":
        yield f"sqlite:///{disk / 'hub.sqlite3'}"
        return
    space = disk / "pg"
    space.mkdir()
    shutil.chown(space, "postgres", "postgres")
    name = f"ts_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE TABLESPACE {name} LOCATION '{space}'"))
    try:
        with database_url("postgresql", tmp_path) as url:
            yield f"{url}%20-cdefault_tablespace%3D{name}"  # the schema's tables go there
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP TABLESPACE {name}"))
        admin.dispose()


@contextmanager
def small_disk() -> Iterator[Path]:
    # outside pytest's root-only tmp folder: PostgreSQL's server process must reach it
    root = Path(tempfile.mkdtemp(prefix="ibasho-disk-"))
    root.chmod(0o755)
    try:
        with tmpfs(root / "disk", "16m") as disk:
            yield disk
    finally:
        shutil.rmtree(root, ignore_errors=True)


def records(store: Store, count: int) -> None:
    for i in range(count):
        # text that does not compress: it must take new pages on the hub's disk
        words = "".join(random.choices(string.ascii_letters + " ", k=1300))
        store.save(dataclasses.replace(gathering(note=f"記録{i} {words}"),
                                       device_id=store.device_id))
    observed = "ひとり暮らし " + "".join(random.choices(string.ascii_letters, k=900))
    store.save(dataclasses.replace(concern(observed=observed), device_id=store.device_id))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_full_disk_answers_507_and_the_tablet_keeps_its_records(kind: str,
                                                                  tmp_path: Path) -> None:
    with small_disk() as disk, database_on(disk, kind, tmp_path) as url:
        engine = prepared_engine(url)
        try:
            with serve_in_thread(engine, url) as hub:
                store = Store(tmp_path / "tablet")
                enrol(store, hub.url, hub.code(), "tablet")
                token = store.meta(HUB_META)["token"]  # type: ignore[index]
                records(store, 60)
                pending = store.pending_count()
                filler = fill(disk)

                with pytest.raises(HubDiskFullError) as info:
                    sync_once(store, hub.url, token)
                assert isinstance(info.value, TransientError)  # tried again, with backoff
                assert "disk is full" in info.value.message
                assert "ディスクがいっぱい" in (info.value.message_ja or "")
                assert info.value.retry_after == 120
                assert store.pending_count() == pending and store.quarantined() == []

                batch = [dict(store.pending(limit=1)[0])]  # a gathering
                answer = httpx.post(hub.url + PUSH_PATH, json={"records": batch},
                                    headers={"Authorization": f"Bearer {token}"}, timeout=30)
                assert answer.status_code == 507, answer.text
                error = answer.json()["error"]
                assert error["code"] == "disk_full" and "disk is full" in error["message"]
                assert "ディスクがいっぱい" in error["message_ja"]
                assert answer.headers["retry-after"] == "120"

                filler.unlink()
                report = sync_once(store, hub.url, token)
                assert store.quarantined() == [], store.quarantined()
                assert report.accepted == pending and store.pending_count() == 0
                assert store.quarantined() == []
                assert hub.count("records") >= pending
                store.close()
        finally:
            engine.dispose()
