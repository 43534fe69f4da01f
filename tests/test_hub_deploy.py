"""Deployment shapes: TLS with a private CA, several hub processes on one PostgreSQL,
migrations that match the code's schema, the CLI."""

from __future__ import annotations

import dataclasses
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from core.reference_data import sample_places
from field_app.store import Store
from hub.db.schema import metadata
from sync.client import HUB_META, Syncer, enrol
from sync.errors import TLSError
from tests.certs import make_ca_and_server
from tests.factories import gathering
from tests.hubs import database_url, hub_client, prepared_engine, serve_in_thread, serve_process, sync_once


def test_tls_with_a_private_ca(tmp_path: Path) -> None:
    ca, cert, key = make_ca_and_server(tmp_path)
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = prepared_engine(url)
    with serve_in_thread(engine, url, ssl_certfile=str(cert), ssl_keyfile=str(key)) as hub:
        assert hub.url.startswith("https://")
        trusted = ssl.create_default_context(cafile=str(ca))
        store = Store(tmp_path / "device")
        enrol(store, hub.url, hub.code(), "tablet", verify=trusted)
        store.save(dataclasses.replace(gathering(), device_id=store.device_id))
        token = store.meta(HUB_META)["token"]  # type: ignore[index]
        assert sync_once(store, hub.url, token, verify=trusted).accepted == 1
        with pytest.raises(TLSError) as info:  # the system CAs do not know our CA
            hub_client(hub.url, token).ping()
        assert "証明書" in info.value.message_ja
        store.close()
    engine.dispose()


def test_two_hub_processes_share_one_postgresql(tmp_path: Path) -> None:
    with database_url("postgresql", tmp_path) as url:
        prepared_engine(url).dispose()
        with serve_process(url, tmp_path) as hub1, serve_process(url, tmp_path) as hub2:
            from tests.hubs import Hub

            engine = prepared_engine(url, places=False)
            hub = Hub(hub1, engine, url)
            store = Store(tmp_path / "device")
            enrol(store, hub1, hub.code(), "tablet")  # enrolled through one ...
            token = store.meta(HUB_META)["token"]  # type: ignore[index]
            records = [dataclasses.replace(gathering(), device_id=store.device_id)
                       for _ in range(120)]
            for i, r in enumerate(records):
                store.save(r)
                if i % 2:
                    store.save(r.edited())
            for i in range(40):  # ... and syncing through both, in turn
                target = (hub1, hub2)[i % 2]
                Syncer(store, hub_client(target, token), batch_size=7).push_all(
                    __import__("sync.client").client.Report())
                if store.pending_count() == 0:
                    break
            Syncer(store, hub_client(hub2, token)).pull_all(__import__("sync.client").client.Report())
            assert store.pending_count() == 0 and store.count("place") == len(sample_places())
            with engine.connect() as conn:
                revs = dict(conn.execute(text("SELECT id, rev FROM records")).all())
            assert revs == {r.id: (2 if i % 2 else 1) for i, r in enumerate(records)}
            store.close()
            engine.dispose()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_serve_with_two_workers(tmp_path: Path, db: str) -> None:
    import threading

    import httpx

    from tests.hubs import Hub

    with database_url(db, tmp_path) as url:
        prepared_engine(url).dispose()
        with serve_process(url, tmp_path, workers=2) as hub_url:
            assert len(_children_serving(tmp_path)) == 2
            engine = prepared_engine(url, places=False)
            hub = Hub(hub_url, engine, url)
            stores = [Store(tmp_path / f"device-{n}") for n in range(4)]
            for store in stores:
                enrol(store, hub_url, hub.code(), "tablet")
                for _ in range(30):
                    store.save(dataclasses.replace(gathering(), device_id=store.device_id))
            results: list[int] = []

            def push(store: Store) -> None:
                token = store.meta(HUB_META)["token"]  # type: ignore[index]
                results.append(sync_once(store, hub_url, token).accepted)

            threads = [threading.Thread(target=push, args=(s,)) for s in stores]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert results == [30, 30, 30, 30]  # a push refused as busy would count 0
            assert hub.count("records") == 120
            assert httpx.get(f"{hub_url}/office/", timeout=30).status_code == 200
            for store in stores:
                store.close()
            engine.dispose()


def test_serve_refuses_workers_on_an_in_memory_database(tmp_path: Path) -> None:
    env = dict(os.environ, IBASHO_HUB_DATABASE_URL="sqlite:///:memory:")
    served = subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir", str(tmp_path),
                             "serve", "--workers", "2"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert served.returncode != 0 and "needs a database file" in served.stderr, served.stderr


def _children_serving(data_dir: Path) -> list[int]:
    """The worker processes of the `serve` process whose command line names `data_dir`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = Path(f"/proc/{parent}/cmdline").read_bytes().replace(b"\0", b" ")
            own = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if b"hub.cli" in command and str(data_dir).encode() in command \
                and b"spawn_main" in own:  # (not multiprocessing's resource tracker)
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_match_the_schema_in_code(tmp_path: Path, kind: str) -> None:
    with database_url(kind, tmp_path) as url:
        engine = prepared_engine(url, places=False)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        engine.dispose()
    assert diff == []


def test_cli_enrol_devices_revoke_import_backup(tmp_path: Path) -> None:
    def hub(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir",
                               str(tmp_path / "hub"), *args], capture_output=True, text=True,
                              timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})

    assert f"imported {len(sample_places())} place(s)" in hub("import-places", "--sample").stdout
    out = hub("enroll", "山田 花子", "--hours", "2", "--qr", str(tmp_path / "qr.png")).stdout
    assert "enrolment code for 山田 花子" in out
    assert (tmp_path / "qr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "no devices enrolled" in hub("devices").stdout
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x"}]', encoding="utf-8")
    failed = hub("import-places", str(bad))
    assert failed.returncode == 2 and "places[0].id" in failed.stderr
    assert hub("revoke", "no-such-device").returncode == 1
    assert hub("enroll", "x", "--hours", "0").returncode == 2
    for bad in (("export", "--fiscal-year", "99999"),
                ("recover", "--office-key", str(tmp_path / "nope.pem"), "--device-data",
                 str(tmp_path))):
        refused = hub(*bad)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr, bad
        assert refused.stderr.strip().startswith(("ibasho-hub:", "export:")), refused.stderr
    assert "backup written" in hub("backup", str(tmp_path / "copy.sqlite3")).stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT COUNT(*) FROM places").fetchone()[0] == len(sample_places())
