from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.store import Store

os.environ.setdefault("IBASHO_SCRYPT_LOG2N", "14")  # fast PINs in tests; the app calibrates

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    from tests.hubs import database_url

    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def hub(hub_db: str) -> Iterator[object]:
    from tests.hubs import prepared_engine, serve_in_thread

    engine = prepared_engine(hub_db)
    with serve_in_thread(engine, hub_db) as running:
        yield running
    engine.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test shows what the browser and the app processes said: a browser test that
    times out otherwise says only what it waited for."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    browser = sys.modules.get("tests.browser")
    if browser is not None and browser.BROWSER_ERRORS:
        report.sections.append(("browser errors", "\n".join(browser.BROWSER_ERRORS[-40:])))
    tmp = item.funcargs.get("tmp_path") if hasattr(item, "funcargs") else None
    for log in sorted(Path(tmp).glob("app-*.log")) if tmp else []:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        report.sections.append((f"app log {log.name}", "\n".join(tail)))


@pytest.fixture(autouse=True)
def _fresh_browser_errors() -> None:
    browser = sys.modules.get("tests.browser")
    if browser is not None:
        browser.BROWSER_ERRORS.clear()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs, to fill up."""
    from tests.disks import tmpfs

    with tmpfs(tmp_path / "small", "1m") as mount:
        yield mount


@pytest.fixture(autouse=True)
def _close_hub_clients() -> Iterator[None]:
    yield
    hubs = sys.modules.get("tests.hubs")
    while hubs is not None and hubs.OPEN_CLIENTS:
        hubs.OPEN_CLIENTS.pop().close()


@pytest.fixture
def field(tmp_path: Path, hub: object) -> Iterator[object]:
    """A tablet of 山田 花子 enrolled to `hub`."""
    from sync.client import HUB_META, enrol
    from tests.hubs import Field

    s = Store(tmp_path / "tablet")
    enrol(s, hub.url, hub.code("山田 花子"), "tablet")  # type: ignore[attr-defined]
    yield Field(s, s.meta(HUB_META)["token"])  # type: ignore[index]
    s.close()


@pytest.fixture
def office(hub: object) -> Iterator[object]:
    """An httpx client signed in to the office API of `hub`, as an account holding the roles
    of every screen (admin, supervisor, grants): the role checks are tests/test_roles.py's."""
    import httpx

    from tests.test_hub_office import login, with_user

    with_user(hub, role="admin,supervisor,grants")  # type: ignore[arg-type]
    with httpx.Client(base_url=hub.url, timeout=30) as http:  # type: ignore[attr-defined]
        token = login(http).json()["token"]
    with httpx.Client(base_url=hub.url + "/api/v1/office", timeout=30,  # type: ignore[attr-defined]
                      headers={"Authorization": f"Bearer {token}"}) as http:
        yield http


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many taps and typings the browser helpers had to give twice in this run (see
    tests/browser.py, SecondTries): ideally none, and each one with its reason."""
    browser = sys.modules.get("tests.browser")
    if browser is None:
        return
    tries = browser.SECOND_TRIES
    terminalreporter.write_sep("-", tries.summary())
    for why in tries.why:
        terminalreporter.write_line(f"  {why}")
