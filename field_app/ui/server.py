"""Serve the Flet web app from our own ASGI app, so we decide what the page may load.

Flet's web client asks a CDN for a Rive runtime at start even with no_cdn=True
(DESIGN §9). A Content-Security-Policy that allows only our own origin makes
the browser refuse any request to a third party, so nothing leaves the device.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import flet as ft
import flet_web.fastapi as flet_fastapi
from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

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
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Plain ASGI middleware (not BaseHTTPMiddleware: it must not touch websockets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def web_app(main: Callable[[ft.Page], Any], assets_dir: Path, name: str) -> FastAPI:
    app = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.mount("/", flet_fastapi.app(main, assets_dir=str(assets_dir), no_cdn=True,
                                     app_name=name, app_short_name=name))
    return app
