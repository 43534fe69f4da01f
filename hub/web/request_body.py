"""Reading a request body safely: a size limit before and after gzip, JSON in UTF-8 only."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request

from hub.errors import BadRequest, TooLarge, Unsupported
from hub.text_guard import refuse_numbers
from sync.protocol import MAX_BODY_BYTES


def _too_large(limit: int) -> TooLarge:
    if limit >= MAX_BODY_BYTES:  # a device's batch
        return TooLarge(f"request body is larger than {limit >> 20} MiB; send fewer records "
                        "per batch", message_ja="送信データが大きすぎます。件数を減らして送ってください。")
    # one form from the office: far smaller unless a field was filled with something huge
    return TooLarge(f"request body is larger than {limit >> 10} KiB; a text field is far too long",
                    message_ja=f"送信データが大きすぎます（上限 {limit >> 10} KiB）。"
                               "長すぎる入力がないか確認してください。")


def _nul_at(value: Any, path: str) -> str | None:
    """Where a NUL character is, if anywhere: PostgreSQL cannot store one in text (a 500
    there, where SQLite took it), and no field of ours has a use for it."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return where
            found = _nul_at(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_at(item, f"{path}[{i}]")
            if found:
                return found
    return None


async def read_json(request: Request, limit: int = MAX_BODY_BYTES, *,
                    records_checked_each: bool = False) -> Any:
    """The body as JSON, refused with a clear 400 when it is not. A text with a NUL
    character or an individual number (text_guard) is refused too, naming the field, except
    in a device's batch
    (`records_checked_each`): there each record is validated on its own, so that one bad
    record never refuses its neighbours."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise Unsupported(f"content-type must be application/json, got {ctype or 'none'!r}",
                          message_ja="JSON 形式で送ってください。")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", ""):
        raise Unsupported(f"content-encoding {encoding!r} is not supported (use gzip or none)",
                          message_ja="対応していない圧縮形式です。")
    inflater = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
    received = 0
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        if inflater is None:
            parts.append(chunk)
            size += len(chunk)
            continue
        try:
            # max_length caps what one chunk may inflate to: a gzip bomb stops here
            out = inflater.decompress(chunk, limit - size + 1)
        except zlib.error as exc:
            raise BadRequest("body is not valid gzip", message_ja="圧縮データが壊れています。") from exc
        size += len(out)
        if size > limit or inflater.unconsumed_tail:
            raise _too_large(limit)
        parts.append(out)
    if inflater is not None and not inflater.eof:
        raise BadRequest("gzip body is cut short", message_ja="圧縮データが途中で切れています。")
    raw = b"".join(parts)
    if not raw:
        raise BadRequest("request body is empty; expected JSON", message_ja="送信データが空です。")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON in UTF-8: {exc}",
                         message_ja="送信データが正しい JSON (UTF-8) ではありません。") from exc
    where = None if records_checked_each else _nul_at(body, "")
    if where is not None:
        field = where.replace("\x00", "\\0")
        raise BadRequest(f"{field}: text must not contain NUL characters",
                         message_ja=f"{field}: 制御文字(NUL)は使えません。",
                         problems=[{"field": field, "value": "…",
                                    "expected_en": "text without NUL characters",
                                    "expected_ja": "制御文字(NUL)を含まない文字列"}])
    if not records_checked_each:
        refuse_numbers(body)
    return body


class RefuseNulInUrl:
    """Plain ASGI: a path or query with a NUL character (%00) is answered 400 before any
    route sees it. PostgreSQL cannot compare text with a NUL in it (it was a 500 there)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").lower()
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                error = BadRequest("the address must not contain NUL characters (%00)",
                                   message_ja="アドレスに制御文字(NUL)は使えません。")
                payload = orjson.dumps(error.body())
                await send({"type": "http.response.start", "status": 400, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())]})
                await send({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send)
