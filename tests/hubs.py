"""Real hubs for tests: in-process uvicorn on 127.0.0.1, or `ibasho-hub serve` subprocesses,
on SQLite files or on PostgreSQL (a schema of its own per test in the `test` database)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from hub import devices
from hub.cli import load_sample_places
from hub.db.engine import connect
from hub.db.migrate import migrate
from hub.web.app import create_app
from tests.browser import free_port, wait_for_port

PG_ADMIN = os.environ.get("IBASHO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def ensure_postgres() -> None:
    """PostgreSQL runs on the project machines; start it if it stopped. Never skip it."""
    engine = create_engine(PG_ADMIN, poolclass=NullPool)  # nothing left open afterwards
    for attempt in range(2):
        try:
            with engine.connect():
                return
        except Exception:
            if attempt:
                raise
            clusters = os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []
            for version in clusters:
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                                "start"], check=False, timeout=60)
            time.sleep(2)


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        return
    ensure_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@dataclass
class Hub:
    url: str
    engine: Engine
    database_url: str

    def code(self, staff: str = "山田 花子", hours: int = 24) -> str:
        with self.engine.begin() as conn:
            return devices.create_code(conn, staff, hours)[0]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def prepared_engine(url: str, *, places: bool = True) -> Engine:
    engine = connect(url)
    migrate(engine)
    if places:
        load_sample_places(engine)
    return engine


@contextmanager
def serve_in_thread(engine: Engine, url: str, *, console: object = False,
                    today: Callable[[], dt.date] | None = None, **ssl: str) -> Iterator[Hub]:
    """The hub in this process; with `console` (True, or the console's Settings), as
    `ibasho-hub serve` runs it, with the office console at /office. `today` pins the
    office's day (Japan's today otherwise), for tests whose dates must not move at
    midnight."""
    port = free_port()
    app = create_app(engine, today=today)
    if console:
        from office.console import Settings, with_console

        app = with_console(app, console if isinstance(console, Settings) else Settings())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            **ssl)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"hub-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("hub did not start")
        time.sleep(0.02)
    scheme = "https" if ssl else "http"
    try:
        yield Hub(f"{scheme}://127.0.0.1:{port}", engine, url)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def serve_process(database: str, data_dir: Path, port: int | None = None, *, workers: int = 1,
                  args: tuple[str, ...] = ()) -> Iterator[str]:
    """`ibasho-hub serve` as a real process (for two hubs on one PostgreSQL, benchmarks);
    what it says goes to `data_dir`/hub-PORT.log."""
    port = port or free_port()
    env = dict(os.environ, IBASHO_HUB_DATABASE_URL=database, IBASHO_LOG_LEVEL="WARNING")
    log = open(data_dir / f"hub-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "--data-dir", str(data_dir),
                             "serve", "--port", str(port), "--workers", str(workers), *args],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def sync_once(store: Any, url: str, token: str, **client: Any) -> Any:
    """One sync pass of `store` against the hub, with a client that is closed afterwards."""
    from sync.client import Syncer
    from sync.http import HubClient

    with HubClient(url, token, **client) as http:
        return Syncer(store, http).sync_once()


OPEN_CLIENTS: list[Any] = []


def hub_client(url: str, token: str | None = None, **options: Any) -> Any:
    """A HubClient that the suite closes when the test ends (tests/conftest.py), for tests
    that keep one across several calls."""
    from sync.http import HubClient

    client = HubClient(url, token, **options)
    OPEN_CLIENTS.append(client)
    return client


@dataclass
class Field:
    """An enrolled tablet's store and its hub token."""

    store: Any
    token: str

    def sync(self, hub: Hub) -> None:
        sync_once(self.store, hub.url, self.token)
