"""ASGI middleware that adds fixed response headers (security policy) to every HTTP answer,
and removes the ones we must not send.

Plain ASGI rather than Starlette's BaseHTTPMiddleware: it must leave websockets (the
Flet page's channel) alone and must not buffer streaming responses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# Flet's web app answers every request with `Access-Control-Allow-Origin: *`, which lets
# any site's script read what our pages and files say. Nothing of ours is meant to be read
# from another origin.
DROPPED = ("access-control-allow-origin",)


class FixedHeaders:
    def __init__(self, app: ASGIApp, headers: Sequence[tuple[str, str]],
                 drop: Sequence[str] = DROPPED) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        self.drop = {name.lower().encode("latin-1") for name in drop}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(name, value) for name, value in message.get("headers", [])
                        if name.lower() not in self.drop]
                present = {name.lower() for name, _ in kept}
                message["headers"] = kept + [h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
