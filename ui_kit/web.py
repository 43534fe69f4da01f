"""Serve the Flet web app from our own ASGI app, so we decide what the page may load.

Flet's web client asks a CDN for a Rive runtime at start even with no_cdn=True
(DESIGN §9). A Content-Security-Policy that allows only our own origin makes
the browser refuse any request to a third party, so nothing leaves the device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import flet as ft
import flet_web.fastapi as flet_fastapi
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.security_headers import FixedHeaders

CSP = "; ".join([
    "default-src 'self'",
    # Flutter's bootstrap is an inline script and CanvasKit is WebAssembly
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]


def web_app(main: Callable[[ft.Page], Any], assets_dir: Path, name: str,
            on_startup: Sequence[Callable[[], Any]] = ()) -> FastAPI:
    """`on_startup` runs as the server starts, before it listens."""
    app: FastAPI = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None,
                                         on_startup=list(on_startup))
    app.add_middleware(FixedHeaders, headers=HEADERS)
    app.mount("/", flet_fastapi.app(main, assets_dir=str(assets_dir), no_cdn=True,
                                     app_name=name, app_short_name=name))
    return app


def mounted(outer: FastAPI, path: str, main: Callable[[ft.Page], Any], assets_dir: Path,
            name: str) -> None:
    """Serve a Flet app under `path` of an app that has other routes (the hub), with the
    same headers as a standalone one. `outer` must be Flet's FastAPI: its lifespan runs
    the Flet sessions, and a mounted app's lifespan would never run."""
    flet_app = flet_fastapi.app(main, assets_dir=str(assets_dir), no_cdn=True, app_name=name,
                                app_short_name=name)

    async def to_app(request: Request) -> Response:
        return RedirectResponse(f"{path}/")

    outer.add_route(path, to_app)
    outer.mount(path, FixedHeaders(flet_app, headers=HEADERS))
