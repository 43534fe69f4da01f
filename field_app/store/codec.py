"""JSON for the data files: orjson when importable (desktop, hub), stdlib json otherwise
(orjson has no Android wheel). Both produce UTF-8 bytes and read the other's output."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised on Android builds
    orjson = None  # type: ignore[assignment]

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def loads(data: bytes | str) -> Any:
        return json.loads(data)

else:

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    def loads(data: bytes | str) -> Any:
        return orjson.loads(data)


BACKEND = "orjson" if orjson is not None else "json"
