"""Photos' bytes from devices: tus 1.0.0, core and creation (https://tus.io), under
/api/v1/sync/photos, content-addressed by SHA-256 and behind the device's bearer token.

- OPTIONS: what this server speaks (Tus-Version, Tus-Extension, Tus-Max-Size).
- POST with Upload-Length and Upload-Metadata (`sha256`, `filetype`, optionally `photo`,
  the photo record's id): 201 with the Location of the upload — a new one, or the one
  these bytes already have (a resend, another device) — and its Upload-Offset (equal to
  the length once the photo is whole and checked). Only bytes a photo record pushed by
  this device declares are taken (409 otherwise).
- HEAD /{sha256}: 200 with Upload-Offset and Upload-Length; complete (and checked) when they
  are equal: a resend stops there. 404 for an upload this device did not create.
- PATCH /{sha256} with Upload-Offset and application/offset+octet-stream: 204 with the new
  Upload-Offset. The body is read as a stream and kept in pieces as it comes (memory stays
  bounded); what came before a broken connection is kept, and the device resumes from
  there. 409 when Upload-Offset is not where the upload is; 413 above MAX_PHOTO_PATCH.
  The PATCH that completes the photo answers its checks (hub/photo_check.py): a refused
  photo is a 4xx problem (415, 422, 460) and nothing of it is kept.

Every answer says Tus-Resumable: 1.0.0; a request without it (but OPTIONS) is 412."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from core.domain.photo import CONTENT_TYPES, MAX_BYTES
from hub import devices, photos
from hub.contract.errors import EVERY, answers
from hub.db.transaction import Database
from hub.errors import BadRequest, HubError, NotFound, PreconditionFailed, TooLarge, Unsupported
from hub.photos import Upload
from hub.web.deps import Db
from sync.protocol import (
    MAX_PHOTO_PATCH,
    PHOTOS_PATH,
    TUS_CHUNK,
    TUS_VERSION,
    parse_tus_metadata,
)

SHA256 = re.compile(r"[0-9a-f]{64}")
TUS = {"Tus-Resumable": TUS_VERSION}


def _headers(**described: str) -> dict[str, Any]:
    """Response headers for the document: every answer here is told by its headers."""
    return {name.replace("_", "-"): {"description": text, "schema": {"type": "string"}}
            for name, text in {"Tus_Resumable": "1.0.0", **described}.items()}


OFFSETS = _headers(Upload_Offset="bytes the hub holds", Upload_Length="the photo's size")


class TusRoute(APIRoute):
    """Every answer of these routes says Tus-Resumable, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tus(request: Request) -> Response:
            try:
                response = await handler(request)
            except HubError as exc:
                exc.headers = {**exc.headers, **TUS}
                raise
            response.headers.update(TUS)
            return response

        return tus


router = APIRouter(tags=["device"], route_class=TusRoute)
Authorization = Annotated[str | None, Header()]
TusResumable = Annotated[str | None, Header(description="1.0.0")]


def _speaks_tus(value: str | None) -> None:
    if value != TUS_VERSION:
        raise PreconditionFailed(f"Tus-Resumable must be {TUS_VERSION} (got {value!r})",
                                 message_ja="tus のバージョン（Tus-Resumable: 1.0.0）を指定してください。",
                                 problems=[_problem("Tus-Resumable", value, TUS_VERSION)],
                                 headers={"Tus-Version": TUS_VERSION})


def _problem(field: str, value: object, expected: str) -> dict[str, str]:
    return {"field": field, "value": str(value)[:64], "expected_en": expected,
            "expected_ja": expected}


def _number(name: str, value: str | None, high: int, *, low: int = 0) -> int:
    if value is None or not value.isdigit() or len(value) > 12 \
            or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}",
                         message_ja=f"{name} は {low} から {high} までの整数です。",
                         problems=[_problem(name, value, f"{low}..{high}")])
    return int(value)


def _address(sha256: str) -> str:
    if not SHA256.fullmatch(sha256):
        raise NotFound("no such upload: the address is a photo's SHA-256 (64 lower-case hex "
                       "digits)", message_ja="そのデータは見つかりません。")
    return sha256


def _offsets(upload: Upload, status: int = 200) -> Response:
    return Response(status_code=status, headers={
        "Upload-Offset": str(upload.received), "Upload-Length": str(upload.length),
        "Cache-Control": "no-store"})


@router.options(PHOTOS_PATH, summary="What this tus server speaks", status_code=204,
                response_class=Response, responses={204: {
                    "description": "tus capabilities", "headers": _headers(
                        Tus_Version="1.0.0", Tus_Extension="creation",
                        Tus_Max_Size="the largest photo, in bytes")}, **answers(*EVERY)})
async def capabilities() -> Response:
    return Response(status_code=204, headers={
        "Tus-Version": TUS_VERSION, "Tus-Extension": "creation",
        "Tus-Max-Size": str(MAX_BYTES)})


@router.post(PHOTOS_PATH, summary="Create (or join) the upload of a photo's bytes",
             status_code=201, response_class=Response,
             responses={201: {"description": "The upload of these bytes (new, or the one "
                                             "they have already)",
                              "headers": _headers(Location="the upload's address",
                                                  Upload_Offset="bytes the hub holds")},
                        **answers(*EVERY, 401, 409, 412, 415, 422, 460)})
async def create(db: Db, authorization: Authorization = None,
                 tus_resumable: TusResumable = None,
                 upload_length: Annotated[str | None, Header()] = None,
                 upload_metadata: Annotated[str | None, Header()] = None) -> Response:
    _speaks_tus(tus_resumable)
    if upload_length is not None and upload_length.isdigit() and int(upload_length) > MAX_BYTES:
        raise TooLarge(f"a photo is at most {MAX_BYTES} bytes (Tus-Max-Size)",
                       message_ja=f"写真は{MAX_BYTES >> 20}MiBまでです。",
                       problems=[_problem("Upload-Length", upload_length, f"1..{MAX_BYTES}")])
    length = _number("Upload-Length", upload_length, MAX_BYTES, low=1)
    try:
        meta = parse_tus_metadata(upload_metadata or "")
    except ValueError:
        raise BadRequest("Upload-Metadata must be tus pairs: key base64(value), comma-separated",
                         message_ja="Upload-Metadata の形式が正しくありません。",
                         problems=[_problem("Upload-Metadata", upload_metadata,
                                            "sha256 <base64>,filetype <base64>")]) from None
    sha = meta.get("sha256", "")
    if not SHA256.fullmatch(sha):
        raise BadRequest("Upload-Metadata sha256: the photo's SHA-256, 64 lower-case hex digits",
                         message_ja="写真の SHA-256（16進数64桁・小文字）を指定してください。",
                         problems=[_problem("sha256", sha, "64 lower-case hex digits")])
    if meta.get("filetype", "image/jpeg") not in CONTENT_TYPES:
        raise Unsupported(f"filetype {meta.get('filetype')!r}: the hub takes JPEG photos only",
                          message_ja="JPEG の写真のみ受け付けます。",
                          problems=[_problem("filetype", meta.get("filetype"), "image/jpeg")])

    def work(conn: Connection) -> Upload:
        device = devices.authenticate(conn, authorization)
        photo_id = photos.declared(conn, device, sha, length, meta.get("photo", ""))
        return photos.create(conn, device, sha, length, photo_id)

    upload = await run_in_threadpool(db, work)
    if upload.received == upload.length and not upload.complete:
        upload = await _finish(db, upload)  # all there, not yet checked: check it now
    return Response(status_code=201, headers={"Location": f"{PHOTOS_PATH}/{upload.location}",
                                              "Upload-Offset": str(upload.received)})


@router.head(PHOTOS_PATH + "/{sha256}", summary="How much of a photo's bytes the hub holds",
             response_class=Response,
             responses={200: {"description": "Complete, and checked, when Upload-Offset "
                                             "equals Upload-Length",
                              "headers": {**OFFSETS, **_headers(Cache_Control="no-store")}},
                        **answers(*EVERY, 401, 404, 412)})
async def offset(sha256: str, db: Db, authorization: Authorization = None,
                 tus_resumable: TusResumable = None) -> Response:
    _speaks_tus(tus_resumable)
    sha = _address(sha256)
    upload = await run_in_threadpool(db, lambda conn: photos.claimed(
        conn, devices.authenticate(conn, authorization), sha), read_only=True)
    if upload.received == upload.length and not upload.complete:
        # all arrived, not yet checked (the hub stopped before it could): check now; a
        # refused photo is gone, so its sender starts again and is told why by its PATCH
        try:
            upload = await _finish(db, upload)
        except HubError:
            raise NotFound("no such upload", message_ja="そのデータは見つかりません。") from None
    return _offsets(upload)


@router.patch(PHOTOS_PATH + "/{sha256}", summary="Send a photo's bytes from an offset",
              status_code=204, response_class=Response,
              responses={204: {"description": "Kept; the upload is now at Upload-Offset",
                               "headers": _headers(Upload_Offset="bytes the hub holds")},
                         **answers(*EVERY, 401, 404, 409, 412, 415, 422, 460)},
              openapi_extra={"requestBody": {"required": True, "content": {TUS_CHUNK: {
                  "schema": {"type": "string", "format": "binary"}}}}})
async def receive(sha256: str, request: Request, db: Db, authorization: Authorization = None,
                  tus_resumable: TusResumable = None,
                  upload_offset: Annotated[str | None, Header()] = None) -> Response:
    _speaks_tus(tus_resumable)
    sha = _address(sha256)
    # read here, not declared: they describe the body, which the request body documents
    content_type = request.headers.get("content-type")
    content_length = request.headers.get("content-length")
    if (content_type or "").split(";")[0].strip().lower() != TUS_CHUNK:
        raise Unsupported(f"Content-Type must be {TUS_CHUNK}",
                          message_ja=f"Content-Type は {TUS_CHUNK} です。",
                          problems=[_problem("Content-Type", content_type, TUS_CHUNK)])
    at = _number("Upload-Offset", upload_offset, MAX_BYTES)
    if content_length is not None and content_length.isdigit() \
            and int(content_length) > MAX_PHOTO_PATCH:
        raise _too_large(content_length)
    upload = await run_in_threadpool(db, lambda conn: photos.claimed(
        conn, devices.authenticate(conn, authorization), sha), read_only=True)
    if at != upload.received:
        raise photos.offset_mismatch(at, upload.received)
    if content_length is not None and content_length.isdigit() \
            and at + int(content_length) > upload.length:
        raise _beyond(upload)
    at = await _stream(db, request, upload, at)
    now = Upload(upload.sha256, upload.length, at, upload.complete)
    if at == upload.length and not upload.complete:
        now = await _finish(db, now)
    return Response(status_code=204, headers={"Upload-Offset": str(now.received)})


async def _stream(db: Database, request: Request, upload: Upload, at: int) -> int:
    """Keep the body as it arrives, PIECE bytes at a time; on a broken connection keep what
    came (the resume). The new offset."""
    held = bytearray()
    count = 0

    async def keep(data: bytes) -> None:
        nonlocal at
        at = await run_in_threadpool(db, lambda conn: photos.append(conn, upload.sha256, at,
                                                                   data))

    try:
        async for part in request.stream():
            count += len(part)
            if count > MAX_PHOTO_PATCH:
                raise _too_large(str(count))
            if at + len(held) + len(part) > upload.length:
                raise _beyond(upload)
            held += part
            while len(held) >= photos.PIECE:
                await keep(bytes(held[:photos.PIECE]))
                del held[:photos.PIECE]
    except ClientDisconnect:
        pass  # what came is kept below: the device resumes from there
    if held:
        await keep(bytes(held))
    return at


async def _finish(db: Database, upload: Upload) -> Upload:
    """Check the whole photo (reading only), then keep it or delete every byte of it."""
    found = await run_in_threadpool(db, lambda conn: photos.examine(conn, upload),
                                    read_only=True)
    done = await run_in_threadpool(db, lambda conn: photos.settle(conn, upload, found))
    if isinstance(found, HubError):
        raise found
    return done


def _too_large(value: str) -> TooLarge:
    return TooLarge(f"at most {MAX_PHOTO_PATCH} bytes per PATCH; send the rest in the next",
                    message_ja=f"1回の送信は{MAX_PHOTO_PATCH >> 10}KiBまでです。",
                    problems=[_problem("Content-Length", value, f"0..{MAX_PHOTO_PATCH}")])


def _beyond(upload: Upload) -> BadRequest:
    return BadRequest(f"more bytes than Upload-Length ({upload.length})",
                      message_ja="宣言した長さを超えるデータです。",
                      problems=[_problem("Upload-Offset", upload.received,
                                         f"at most {upload.length} bytes in all")])
