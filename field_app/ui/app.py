"""`ibasho-field`: open the store, start sync, and run the app (desktop window or web)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import flet as ft

from core.config import Config
from core.domain.errors import IbashoError
from core.location import default_data_dir
from core.reference_data import ASSETS_DIR, LANGS, load_reference
from field_app.ui import warm
from field_app.ui.services import Services

log = logging.getLogger("ibasho")


def build_main(services: Services, lang: str) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        warm.ready()  # the screens were loaded while the browser started the client
        from field_app.ui.shell import Shell

        Shell(page, services, lang)
        warm.after_lock_screen()  # what home needs, loaded while the PIN is typed

    return main


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
    data_dir = args.data_dir or default_data_dir()
    try:
        services = Services.at(data_dir, load_reference(), interval=args.sync_interval,
                               lock_after=args.lock_after)
    except IbashoError as exc:  # an unreadable keys.json
        print(f"ibasho-field: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    local_hub = None
    try:
        if args.local_hub:
            from hub import local

            local_hub = local.start(data_dir / "local-hub")
            services.on_unlock = local_hub_enrolment(local_hub)
            print(f"Local hub: {local_hub.url}/  (data: {data_dir / 'local-hub'})", flush=True)
            print(f"Office console: {local_hub.url}/office/  (user {local.OFFICE_USER}, "
                  f"password {local_hub.office_password}; also in {local_hub.password_file})",
                  flush=True)
        services.watch_idle()
        if args.web or not can_open_window():
            serve_web(services, args.host, args.port, args.lang)
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
    services = Services.at(default_data_dir(), load_reference())
    services.watch_idle()
    warm.warm_up()
    try:
        ft.run(build_main(services, "ja"), assets_dir=str(ASSETS_DIR))
    finally:
        services.stop()


def serve_web(services: Services, host: str, port: int, lang: str) -> None:
    import uvicorn

    from ui_kit.web import web_app

    # the screens load while the browser fetches and starts the client
    app = web_app(build_main(services, lang), ASSETS_DIR, "Ibasho Field Notes",
                  on_startup=[warm.warm_up])
    print(f"Ibasho Field Notes: http://{host}:{port}/  (data: {services.data_dir})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    raise SystemExit(main())
