"""Sending photos' bytes to the hub: a tus 1.0.0 client (core and creation) over the
device's httpx client (sync/http.py: the same base URL, token and TLS settings).

A photo goes after its record has been accepted, addressed by its SHA-256: POST creates the
upload (or joins the one these bytes have, and says how much the hub holds: a photo it
holds whole needs nothing more, so a resend is a no-op), PATCH sends it in chunks read from
the sealed file a piece at a time (a photo is never held whole). A broken connection loses
only what was in flight: the hub keeps what arrived, and the next try asks (HEAD) how much
it holds and resumes from there.

Why not a library: tuspy speaks requests or aiohttp, and the tablet's client is httpx and
must stream from a sealed file; the protocol's core is four requests."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from sync.errors import HubDiskFullError, RefusedError, RevokedError, TransientError
from sync.http import HUB_DISK_FULL, retry_after
from sync.protocol import (
    MAX_PHOTO_PATCH,
    PHOTOS_PATH,
    TUS_CHUNK,
    TUS_VERSION,
    tus_metadata,
)

log = logging.getLogger(__name__)
# bytes a PATCH carries: as many as the hub takes, since a drop loses only what was in flight
# (the hub keeps the rest) while each PATCH costs a round trip
CHUNK = MAX_PHOTO_PATCH
READ = 64 << 10  # bytes read from the photo at a time while a PATCH streams


class PhotoSource(Protocol):
    """One kept photo's sealed bytes, read in pieces (field_app/store/photos.py)."""

    sha256: str
    size: int

    def read(self, offset: int, length: int) -> bytes: ...


class PhotoStore(Protocol):
    """What the sync needs of the tablet's store for photos (field_app/store)."""

    def photos_to_send(self, limit: int = 50, *, at_office: bool = False
                       ) -> Sequence[PhotoSource]: ...

    def photo_sent(self, sha256: str) -> None: ...


class PhotoRefused(RefusedError):
    """The hub will not keep this photo (its checks failed): sending it again cannot help."""


@dataclass
class Uploader:
    """Sends one photo at a time; `send` returns when the hub holds all of it, checked.
    Transient failures (a dropped link, 5xx, 429) are retried from the hub's offset, with
    backoff; `attempts` failures in a row without a byte gained give up (TransientError:
    the next sync pass goes on)."""

    http: httpx.Client
    chunk: int = CHUNK
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    on_bytes: Callable[[int, int], None] | None = None  # (sent, size) of the photo
    requests: int = field(default=0, init=False)  # for tests and the benchmark

    def send(self, source: PhotoSource, photo_id: str = "") -> None:
        failures = 0
        best = -1
        offset: int | None = None  # where the hub is, when its last answer said
        created = False
        while True:
            try:
                if offset is None:
                    # first create (or join) the upload, which says where it is; after a
                    # failure ask where it is (and create it if it is gone)
                    offset = self._create(source, photo_id) if not created else \
                        self._where(source, photo_id)
                    created = True
                if offset > best:
                    best, failures = offset, 0
                while offset < source.size:  # the PATCH that completes it answers the checks
                    offset = self._patch(source, offset)
                    best, failures = max(best, offset), 0
                return
            except _Again as again:
                # where a 409 said the upload is; but whole is only trusted once checked,
                # which HEAD (or POST) says
                offset = again.offset if again.offset != source.size else None
                failures += 1
                if failures >= self.attempts:
                    raise TransientError(f"photo {source.sha256[:12]}…: {again.why}",
                                         retry_after=again.retry_after) from None
                # a link that dropped is tried again at once (what it carried is kept);
                # again and again, or a hub that asks for time, backs off
                if again.offset is None and (failures > 1 or again.retry_after):
                    delay = random.uniform(0, min(self.max_delay,
                                                  self.base_delay * 2 ** (failures - 1)))
                    self.sleep(max(delay, again.retry_after or 0.0))

    # the requests -------------------------------------------------------------------------

    def _request(self, method: str, path: str, headers: dict[str, str],
                 content: Iterator[bytes] | None = None) -> httpx.Response:
        self.requests += 1
        try:
            response = self.http.request(method, path, content=content,
                                         headers={"Tus-Resumable": TUS_VERSION, **headers})
        except httpx.TransportError as exc:  # dropped, reset, timed out: go on from the hub's offset
            raise _Again(f"{type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status == HUB_DISK_FULL:
            raise HubDiskFullError(retry_after=retry_after(response.headers.get("retry-after")))
        if status == 429 or status >= 500:
            raise _Again(f"hub answered {status}",
                         retry_after(response.headers.get("retry-after")))
        if status == 401:
            error = _error(response)
            raise RevokedError(error.get("message", "the hub does not accept this device"),
                               message_ja=error.get("message_ja"))
        return response

    def _where(self, source: PhotoSource, photo_id: str) -> int:
        """How much the hub holds; creates the upload if it has none."""
        head = self._request("HEAD", f"{PHOTOS_PATH}/{source.sha256}", {})
        if head.status_code == 200:
            return _offset(head)
        if head.status_code != 404:
            raise _refused(head, source)
        return self._create(source, photo_id)

    def _create(self, source: PhotoSource, photo_id: str) -> int:
        """Create the upload, or join the one these bytes have (the hub answers where it
        is: a photo it holds whole, checked, is not sent again)."""
        meta = {"sha256": source.sha256, "filetype": "image/jpeg"}
        if photo_id:
            meta["photo"] = photo_id
        made = self._request("POST", PHOTOS_PATH, {"Upload-Length": str(source.size),
                                                   "Upload-Metadata": tus_metadata(meta)})
        if made.status_code != 201:
            raise _refused(made, source)
        return _offset(made)  # another device's bytes may be there already

    def _patch(self, source: PhotoSource, offset: int) -> int:
        length = min(self.chunk, MAX_PHOTO_PATCH, source.size - offset)
        answer = self._request(
            "PATCH", f"{PHOTOS_PATH}/{source.sha256}",
            {"Upload-Offset": str(offset), "Content-Type": TUS_CHUNK,
             "Content-Length": str(length)},
            _pieces(source, offset, length))
        if answer.status_code == 204:
            moved = _offset(answer)
            if self.on_bytes:
                self.on_bytes(moved, source.size)
            return moved
        if answer.status_code == 409 and answer.headers.get("upload-offset", "").isdigit():
            # moved on by another request (one the link cut, still arriving): go on from there
            raise _Again(f"hub answered 409 at offset {offset}",
                         offset=int(answer.headers["upload-offset"]))
        if answer.status_code in (404, 409):  # gone, or unknown: ask again
            raise _Again(f"hub answered {answer.status_code} at offset {offset}")
        raise _refused(answer, source)


class _Again(Exception):
    """Try again: why, how long the hub asked to wait, and where it is if it said."""

    def __init__(self, why: str, retry_after: float | None = None, *,
                 offset: int | None = None) -> None:
        super().__init__(why)
        self.why, self.retry_after, self.offset = why, retry_after, offset


def _pieces(source: PhotoSource, offset: int, length: int) -> Iterator[bytes]:
    end = offset + length
    while offset < end:
        piece = source.read(offset, min(READ, end - offset))
        if not piece:
            raise OSError(f"the photo {source.sha256[:12]}… ended at {offset} of {end}")
        offset += len(piece)
        yield piece


def _offset(response: httpx.Response) -> int:
    value = response.headers.get("upload-offset", "")
    if not value.isdigit():
        raise _Again("the hub's answer has no Upload-Offset")
    return int(value)


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _refused(response: httpx.Response, source: PhotoSource) -> RefusedError:
    error = _error(response)
    kind = PhotoRefused if response.status_code in (413, 415, 422, 460) else RefusedError
    return kind(error.get("message") or f"the hub refused photo {source.sha256[:12]}… "
                                         f"({response.status_code})",
                status=response.status_code, message_ja=error.get("message_ja"),
                problems=list(error.get("problems") or []))


@dataclass
class PhotoReport:
    sent: int = 0
    refused: int = 0


def send_photos(store: PhotoStore, http: httpx.Client, *, at_office: bool = False,
                refused: set[str] | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                limit: int = 50, uploader: Uploader | None = None) -> PhotoReport:
    """Send every photo the store has for this pass; each one the hub holds whole is told to
    the store (`photo_sent`). A photo the hub refuses is left on the tablet, named in the
    log, and not tried again by this worker (`refused`)."""
    report = PhotoReport()
    skip = refused if refused is not None else set()
    up = uploader or Uploader(http)
    total = 0
    for _ in range(10_000):  # a bound, not a limit anyone should reach
        batch = [p for p in store.photos_to_send(limit, at_office=at_office)
                 if p.sha256 not in skip]
        if not batch:
            break
        total = max(total, report.sent + len(batch))
        if on_progress:
            on_progress(report.sent, total)
        for source in batch:
            try:
                up.send(source, str(getattr(source, "photo_id", "") or ""))
            except RefusedError as exc:
                if exc.status in (401, 403):
                    raise
                skip.add(source.sha256)
                report.refused += 1
                log.warning("photo %s… refused by the hub (%s): %s", source.sha256[:12],
                            exc.status, exc.message)
                continue
            store.photo_sent(source.sha256)
            report.sent += 1
            if on_progress:
                on_progress(report.sent, total)
    return report
