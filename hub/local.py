"""A hub on 127.0.0.1 for trying the app (`make run`): SQLite under the app's data
directory, the sample places loaded, a fresh enrolment code for this device, and an
office account for the console holding every role, so that a demo reaches every screen (its
password kept in a file only this user can read)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub import accounts, devices, roles
from hub.cli import load_sample_places
from hub.db.engine import connect
from hub.db.migrate import migrate

PORT = 8551
OFFICE_USER = "office"


@dataclass
class LocalHub:
    url: str
    process: subprocess.Popen[bytes]
    database_url: str
    office_password: str = ""
    password_file: Path | None = None

    def code(self, staff: str) -> str:
        engine = connect(self.database_url)
        try:
            with engine.begin() as conn:
                return devices.create_code(conn, staff, 1, actor="local-dev")[0]
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _die_with_parent() -> Callable[[], None] | None:
    """For the child, before exec: on Linux, have the kernel send SIGTERM when the app that
    started this hub dies, even by SIGKILL, so that no orphan keeps the port and the data.
    Elsewhere the app's own clean shutdown stops it. Everything is looked up here, in the
    parent: between fork and exec the child must not import or allocate."""
    if sys.platform != "linux":
        return None
    import ctypes
    import signal

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent, pr_set_pdeathsig, sigterm = os.getpid(), 1, int(signal.SIGTERM)

    def in_child() -> None:
        prctl(pr_set_pdeathsig, sigterm)
        if os.getppid() != parent:  # the app died before the line above took effect
            os._exit(1)

    return in_child


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def start(data_dir: Path, port: int = PORT) -> LocalHub:
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data_dir / 'hub.sqlite3'}"
    engine = connect(database_url)
    migrate(engine)
    with engine.connect() as conn:
        empty = conn.exec_driver_sql("SELECT COUNT(*) FROM places").scalar_one() == 0
    if empty:
        load_sample_places(engine)
    password_file = data_dir / "office-password.txt"
    password = _office_account(engine, password_file)
    engine.dispose()
    if not _port_free(port):
        port = 0  # something else has 8551: take any free port
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    log = open(data_dir / "hub.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "--data-dir", str(data_dir), "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent(),
        env=dict(os.environ, IBASHO_HUB_DATABASE_URL=database_url))
    deadline = time.monotonic() + 60
    while _port_free(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the local hub did not start; see {data_dir / 'hub.log'}")
        time.sleep(0.1)
    return LocalHub(f"http://127.0.0.1:{port}", process, database_url, password, password_file)


def _office_account(engine: object, password_file: Path) -> str:
    """The trial hub's office account: made once, its password kept beside the database."""
    if password_file.exists():
        with engine.begin() as conn:  # type: ignore[attr-defined]
            # made before roles were split (admin alone), or given fewer since
            held = {n: r for n, r, _ in accounts.list_users(conn)}.get(OFFICE_USER)
            if held is not None and held != ",".join(roles.ROLES):
                accounts.set_roles(conn, OFFICE_USER, roles.ROLES, "local-dev")
        return password_file.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        if OFFICE_USER not in {name for name, _, _ in accounts.list_users(conn)}:
            accounts.add_user(conn, OFFICE_USER, password, roles.ROLES, "local-dev")
        else:  # the file was deleted: nothing else knows the password, so set a new one
            accounts.set_password(conn, OFFICE_USER, password, "local-dev")
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return password
