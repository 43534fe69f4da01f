"""`ibasho-field`: open the store, start sync, and run the app (desktop window or web)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import flet as ft

from core.config import Config
from core.domain.errors import IbashoError
from core.keyring import Keyring
from core.location import ASSETS_DIR, LANGS, default_data_dir
from field_app.ui import warm

if TYPE_CHECKING:
    from field_app.ui.services import Services

log = logging.getLogger("ibasho")


class Later:
    """The app's services, made when the first window asks for them. What they are made
    of (the store, sealing, sync, the reference data: 0.13 s of imports) then loads on
    the warm-up's thread after the server listens, while the browser fetches and starts
    the client, instead of before: the lock screen and home came 0.05-0.1 s sooner
    (benchmarks.startup at 50k: home 2.37-2.41 s -> 2.31 s, medians of 3 and 5 runs)."""

    def __init__(self, make: Callable[[], Services]) -> None:
        self._make = make
        self._made: Services | None = None
        self._lock = threading.Lock()

    def get(self) -> Services:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def stop(self) -> None:
        with self._lock:
            if self._made is not None:
                self._made.stop()


def build_main(services: Later, lang: str) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        warm.ready()  # the screens were loaded while the browser started the client
        from field_app.ui.shell import Shell

        Shell(page, services.get(), lang)
        warm.after_lock_screen()  # what home needs, loaded while the PIN is typed

    return main


def made(data_dir: Path, keyring: Keyring, interval: float = 60.0,
         lock_after: float = 300.0) -> Services:
    from core.reference_data import load_reference
    from field_app.ui.services import Services

    services = Services(data_dir, load_reference(), keyring, interval=interval,
                        lock_after=lock_after)
    services.watch_idle()
    return services


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ibasho-field", description="Ibasho Field Notes")
    p.add_argument("--web", action="store_true", help="serve in the browser instead of a window")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (web mode)")
    p.add_argument("--port", type=int, default=8550, help="port to serve on (web mode)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where records are kept (default: FLET_APP_STORAGE_DATA or per-user dir)")
    p.add_argument("--lang", choices=LANGS, default="ja", help="language at start")
    p.add_argument("--local-hub", action="store_true",
                   help="if no hub is configured, run one on 127.0.0.1 and enrol to it (to try sync)")
    p.add_argument("--sync-interval", type=float, default=60.0, help="seconds between syncs")
    p.add_argument("--lock-after", type=float, default=300.0,
                   help="seconds without use before the app locks (default 5 minutes)")
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return parser().parse_args(argv)


def can_open_window() -> bool:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        import flet_desktop  # noqa: F401
    except ImportError:
        return False
    return True


def local_hub_enrolment(running: object) -> Callable[[Services], None]:
    """After unlock: enrol to the local hub unless the device already uses a hub."""
    from sync.client import HUB_META
    from sync.errors import SyncError
    from sync.http import HubClient

    def enrol_if_needed(services: Services) -> None:
        assert services.store is not None
        hub = services.store.meta(HUB_META) or {}
        url = running.url  # type: ignore[attr-defined]
        if hub and hub.get("url") != url:
            return  # enrolled with a real hub: leave it alone
        if hub:
            try:
                with HubClient(url, hub["token"]) as client:
                    client.ping()
                return
            except SyncError:
                pass
        code = running.code(services.author() or "試用 職員")  # type: ignore[attr-defined]
        services.enrol(url, code, "local")

    return enrol_if_needed


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (a service manager, a closed session) must run the `finally` below like Ctrl+C
    # does: it closes the store and stops the local hub. The default handler would end the
    # process on the spot, and uvicorn re-raises the signal after its own shutdown.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    logging.basicConfig(level=Config.from_env().log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx", "flet_web.fastapi"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    data_dir = Path(args.data_dir or default_data_dir())
    try:
        keyring = Keyring.at(data_dir)  # said here, before anything serves
    except IbashoError as exc:  # an unreadable keys.json
        print(f"ibasho-field: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    local_hub = None
    services = Later(lambda: made(data_dir, keyring, interval=args.sync_interval,
                                  lock_after=args.lock_after))
    try:
        if args.local_hub:
            from hub import local

            local_hub = local.start(data_dir / "local-hub")
            services.get().on_unlock = local_hub_enrolment(local_hub)
            print(f"Local hub: {local_hub.url}/  (data: {data_dir / 'local-hub'})", flush=True)
            print(f"Office console: {local_hub.url}/office/  (user {local.OFFICE_USER}, "
                  f"password {local_hub.office_password}; also in {local_hub.password_file})",
                  flush=True)
        if args.web or not can_open_window():
            serve_web(services, data_dir, args.host, args.port, args.lang)
        else:
            warm.warm_up()
            ft.run(build_main(services, args.lang), assets_dir=str(ASSETS_DIR))
    finally:
        services.stop()
        if local_hub is not None:
            local_hub.stop()
    return 0


def run_packaged() -> None:
    """A packaged app (Android, desktop bundle): data where Flet keeps app storage."""
    logging.basicConfig(level="WARNING")
    data_dir = default_data_dir()
    keyring = Keyring.at(data_dir)
    services = Later(lambda: made(data_dir, keyring))
    warm.warm_up()
    try:
        ft.run(build_main(services, "ja"), assets_dir=str(ASSETS_DIR))
    finally:
        services.stop()


def serve_web(services: Later, data_dir: Path, host: str, port: int, lang: str) -> None:
    import uvicorn

    from ui_kit.web import web_app

    # the screens load while the browser fetches and starts the client
    app = web_app(build_main(services, lang), ASSETS_DIR, "Ibasho Field Notes",
                  on_startup=[warm.warm_up])
    print(f"Ibasho Field Notes: http://{host}:{port}/  (data: {data_dir})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    raise SystemExit(main())
