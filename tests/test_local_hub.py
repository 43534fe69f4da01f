"""`make run`'s local hub lives and dies with the app: a hub left behind would keep the port
and the trial data, and the next `make run` would quietly start a second one elsewhere."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser import free_port, wait_for_port


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_the_local_hub_stops_when_the_app_is_stopped_or_killed(tmp_path: Path, sig: int
                                                                ) -> None:
    port = free_port()
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "field_app.ui.app", "--web", "--port", str(port),
             "--data-dir", str(tmp_path / "data"), "--local-hub"],
            stdout=out, stderr=subprocess.STDOUT,
            env=dict(os.environ, IBASHO_LOG_LEVEL="WARNING"))
    try:
        wait_for_port(port, app)
        found = re.search(r"Local hub: http://127\.0\.0\.1:(\d+)/", log.read_text("utf-8"))
        assert found, log.read_text("utf-8")
        hub_port = int(found.group(1))
        assert listening(hub_port)
        app.send_signal(sig)
        assert app.wait(timeout=30) == (128 + sig if sig == signal.SIGTERM else -sig)
        deadline = time.monotonic() + 30
        while listening(hub_port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(hub_port), f"the local hub on {hub_port} outlived the app"
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
