"""`ibasho-field`: open the store, start sync, and run the app (desktop window or web)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import flet as ft

from field_app.catalogue import ASSETS_DIR, LANGS, load_reference, sample_places
from field_app.store import Store, StoreCorruptError, StoreError
from field_app.store.location import default_data_dir
from field_app.ui.services import Services
from field_app.ui.shell import Shell

log = logging.getLogger("ibasho")


def open_store(data_dir: Path) -> tuple[Store, list[tuple[str, str]]]:
    """Open the store; unreadable files are kept aside and the user is told."""
    notices: list[tuple[str, str]] = []
    try:
        store = Store(data_dir)
    except StoreCorruptError as exc:
        notices.append(("store.unreadable.title", exc.text("ja") + "\n\n" + exc.text("en")))
        store = Store(data_dir)
    if store.count("place") == 0:
        store.put_reference(sample_places())  # until a hub sends the council's own
    return store, notices


def build_main(services: Services, lang: str) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        Shell(page, services, lang)

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


def attach_local_hub(store: Store, data_dir: Path, services: Services) -> object | None:
    """Start a local hub unless the device already uses another one."""
    from sync.client import HUB_META
    from sync.errors import SyncError
    from sync.http import HubClient
    from sync.hub import local

    hub = store.meta(HUB_META)
    local_dir = data_dir / "local-hub"
    if hub and not str(hub.get("url", "")).startswith("http://127.0.0.1"):
        return None  # enrolled with a real hub: leave it alone
    running = local.start(local_dir)
    usable = False
    if hub and hub.get("url") == running.url:
        try:
            with HubClient(running.url, hub["token"]) as client:
                client.ping()
            usable = True
        except SyncError:
            usable = False
    if not usable:
        services.enrol(running.url, running.code(services.author() or "試用 職員"), "local")
    print(f"Local hub: {running.url}/  (data: {local_dir})", flush=True)
    return running


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("IBASHO_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx", "flet_web.fastapi"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    data_dir = args.data_dir or default_data_dir()
    try:
        store, notices = open_store(data_dir)
    except StoreError as exc:  # e.g. another copy already has the store open
        print(f"ibasho-field: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    services = Services(store, load_reference(), notices, interval=args.sync_interval)
    local_hub = None
    try:
        if args.local_hub:
            local_hub = attach_local_hub(store, data_dir, services)
        services.start_sync()
        if args.web or not can_open_window():
            serve_web(services, args.host, args.port, args.lang)
        else:
            ft.run(build_main(services, args.lang), assets_dir=str(ASSETS_DIR))
    finally:
        services.stop()
        if local_hub is not None:
            local_hub.stop()  # type: ignore[attr-defined]
        store.close()
    return 0


def run_packaged() -> None:
    """A packaged app (Android, desktop bundle): data where Flet keeps app storage."""
    logging.basicConfig(level="WARNING")
    store, notices = open_store(default_data_dir())
    services = Services(store, load_reference(), notices)
    services.start_sync()
    try:
        ft.run(build_main(services, "ja"), assets_dir=str(ASSETS_DIR))
    finally:
        services.stop()
        store.close()


def serve_web(services: Services, host: str, port: int, lang: str) -> None:
    import uvicorn

    from field_app.ui.server import web_app

    app = web_app(build_main(services, lang), ASSETS_DIR, "Ibasho Field Notes")
    print(f"Ibasho Field Notes: http://{host}:{port}/  (data: {services.store.data_dir})",
          flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    raise SystemExit(main())
