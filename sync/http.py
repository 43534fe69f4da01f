"""The hub's HTTP API as seen from a device (httpx), with errors turned into ours."""

from __future__ import annotations

import email.utils
import gzip
import json
import ssl
import time
from typing import Any

import httpx

from sync.errors import HubDiskFullError, RefusedError, RevokedError, TLSError, TransientError
from sync.protocol import (
    ENROL_PATH,
    PING_PATH,
    PULL_PATH,
    PUSH_PATH,
    Enrolment,
    PullPage,
    RecordResult,
)

GZIP_FROM = 2048  # bytes; smaller bodies are not worth compressing
HUB_DISK_FULL = 507  # Insufficient Storage


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HubClient:
    def __init__(self, base_url: str, token: str | None = None, *,
                 verify: ssl.SSLContext | bool = True, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"User-Agent": "ibasho-field/1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, verify=verify,
                                  timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
                                  transport=transport, trust_env=False)

    @property
    def http(self) -> httpx.Client:
        """The httpx client itself (base URL, token, TLS): photos stream over it."""
        return self._http

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, *, body: Any = None,
                 headers: dict[str, str] | None = None, params: dict[str, str] | None = None
                 ) -> Any:
        content = None
        extra = dict(headers or {})
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            extra["Content-Type"] = "application/json"
            if len(content) >= GZIP_FROM:
                content = gzip.compress(content, compresslevel=5)
                extra["Content-Encoding"] = "gzip"
        try:
            response = self._http.request(method, path, content=content, headers=extra,
                                          params=params)
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate" in str(exc).lower():
                raise TLSError(f"the hub's certificate is not trusted: {exc}",
                               message_ja="ハブの証明書を確認できません。設定を事務局に確認してください。"
                               ) from exc
            raise TransientError(f"hub not reachable: {exc}") from exc
        except httpx.TransportError as exc:  # reset, timeout, protocol error, ...
            raise TransientError(f"hub not reachable: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status == HUB_DISK_FULL:  # a person must free space; keep everything, try later
            raise HubDiskFullError(retry_after=retry_after(response.headers.get("retry-after")))
        if status == 429 or status >= 500:
            raise TransientError(f"hub answered {status}",
                                 retry_after=retry_after(response.headers.get("retry-after")))
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # a response cut short by the network looks like this: try again
            raise TransientError(f"unreadable answer from the hub ({status})") from exc
        if status == 401:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise RevokedError(error.get("message", "the hub does not accept this device"),
                               message_ja=error.get("message_ja"))
        if status >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise RefusedError(error.get("message", f"refused ({status})"), status=status,
                               message_ja=error.get("message_ja"),
                               problems=error.get("problems", []))
        return data

    def ping(self) -> dict[str, Any]:
        data: dict[str, Any] = self._request("GET", PING_PATH)
        return data

    def enrol(self, code: str, device_id: str, device_name: str) -> Enrolment:
        data = self._request("POST", ENROL_PATH, body={
            "code": code, "device_id": device_id, "device_name": device_name})
        return Enrolment(token=data["token"], device_id=data["device_id"],
                         staff_name=data["staff_name"],
                         office_public_key=str(data.get("office_public_key") or ""))

    def push(self, records: list[dict[str, Any]], key: str) -> list[RecordResult]:
        data = self._request("POST", PUSH_PATH, body={"records": records},
                             headers={"Idempotency-Key": key})
        try:
            results = [RecordResult.from_json(r) for r in data["results"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError("malformed push answer from the hub") from exc
        sent = [(r.get("id"), r.get("rev")) for r in records]
        if [(r.id, r.rev) for r in results] != sent:
            raise TransientError("the hub's results do not match the batch sent")
        return results

    def pull(self, cursor: str | None) -> PullPage:
        data = self._request("GET", PULL_PATH, params={"cursor": cursor} if cursor else None)
        try:
            return PullPage.from_json(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError("malformed pull answer from the hub") from exc
