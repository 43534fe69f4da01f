"""`ibasho-field`: open the store and run the app (desktop window or web)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import flet as ft

from field_app.catalogue import ASSETS_DIR, LANGS, load_reference, sample_places
from field_app.store import Store, StoreCorruptError, StoreError
from field_app.store.location import default_data_dir
from field_app.ui import theme
from field_app.ui.context import AppContext
from field_app.ui.i18n import Translator
from field_app.ui.views.places import PlacesModel, PlacesView

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
        store.put_reference(sample_places())
    return store, notices


def build_main(ctx: AppContext):
    def main(page: ft.Page) -> None:
        t = Translator(ctx.t.lang)  # each browser session has its own language
        session = AppContext(ctx.store, ctx.reference, t, ctx.notices)
        places = PlacesModel(session)
        theme.apply(page)
        page.padding = 16

        def show() -> None:
            page.title = t("app.title")
            page.controls = [PlacesView(places, on_change_lang=switch)]
            page.update()

        def switch() -> None:
            t.lang = "en" if t.lang == "ja" else "ja"
            show()

        show()
        for title, message in ctx.notices:
            page.show_dialog(ft.AlertDialog(
                modal=True, title=ft.Text(t(title)), content=ft.Text(message),
                actions=[ft.TextButton(t("store.unreadable.ok"),
                                       on_click=lambda e: page.pop_dialog())]))

    return main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="ibasho-field", description="Ibasho Field Notes")
    p.add_argument("--web", action="store_true", help="serve in the browser instead of a window")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (web mode)")
    p.add_argument("--port", type=int, default=8550, help="port to serve on (web mode)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where records are kept (default: FLET_APP_STORAGE_DATA or per-user dir)")
    p.add_argument("--lang", choices=LANGS, default="ja", help="language at start")
    return p.parse_args(argv)


def can_open_window() -> bool:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        import flet_desktop  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("IBASHO_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir = args.data_dir or default_data_dir()
    try:
        store, notices = open_store(data_dir)
    except StoreError as exc:  # e.g. another copy already has the store open
        print(f"ibasho-field: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    ctx = AppContext(store, load_reference(), Translator(args.lang), notices)
    try:
        if args.web or not can_open_window():
            serve_web(ctx, args.host, args.port)
        else:
            ft.run(build_main(ctx), assets_dir=str(ASSETS_DIR))
    finally:
        store.close()
    return 0


def serve_web(ctx: AppContext, host: str, port: int) -> None:
    import uvicorn

    from field_app.ui.server import web_app

    app = web_app(build_main(ctx), ASSETS_DIR, ctx.t("app.title"))
    print(f"Ibasho Field Notes: http://{host}:{port}/  (data: {ctx.store.data_dir})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    raise SystemExit(main())
