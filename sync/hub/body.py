"""Reading a request body safely: a size limit before and after gzip, JSON in UTF-8 only."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request

from sync.hub.errors import BadRequest, TooLarge, Unsupported
from sync.protocol import MAX_BODY_BYTES


def _too_large(limit: int) -> TooLarge:
    if limit >= MAX_BODY_BYTES:  # a device's batch
        return TooLarge(f"request body is larger than {limit >> 20} MiB; send fewer records "
                        "per batch", message_ja="送信データが大きすぎます。件数を減らして送ってください。")
    # one form from the office: far smaller unless a field was filled with something huge
    return TooLarge(f"request body is larger than {limit >> 10} KiB; a text field is far too long",
                    message_ja=f"送信データが大きすぎます（上限 {limit >> 10} KiB）。"
                               "長すぎる入力がないか確認してください。")


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
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
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON in UTF-8: {exc}",
                         message_ja="送信データが正しい JSON (UTF-8) ではありません。") from exc
