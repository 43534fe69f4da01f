"""The hub's HTTP API for devices: enrolment, push, pull, ping. OpenAPI at /openapi.json."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from core.domain import clock
from core.security_headers import FixedHeaders
from hub import accounts, devices, hub_settings, office_key, rate_limits
from hub.changes import pull
from hub.db.transaction import Database
from hub.errors import (
    BadRequest,
    HubError,
    TooLarge,
    request_problem,
)
from hub.ingest import answer_json, check_batch, stored_response, write_checked
from hub.reference import reference
from hub.web import bodies
from hub.web.deps import HubState
from hub.web.office import office_router
from hub.web.request_body import RefuseNulInUrl, read_json
from sync.protocol import (
    ENROL_PATH,
    MAX_BATCH_RECORDS,
    MAX_IDEMPOTENCY_KEY,
    PING_PATH,
    PROTOCOL_VERSION,
    PULL_PATH,
    PUSH_PATH,
    STATUSES,
)

log = logging.getLogger("ibasho.hub")
T = TypeVar("T")
KEY_RE = re.compile(rf"^[A-Za-z0-9._:-]{{1,{MAX_IDEMPOTENCY_KEY}}}$")
DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
           ("Cache-Control", "no-store"),
           ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")]

RECORD_SCHEMA = {"type": "object", "additionalProperties": True,
                 "required": ["id", "kind", "rev", "device_id"]}
PUSH_BODY = {"content": {"application/json": {"schema": {
    "type": "object", "required": ["records"], "additionalProperties": False,
    "properties": {"records": {"type": "array", "maxItems": MAX_BATCH_RECORDS,
                               "items": RECORD_SCHEMA}}}}}, "required": True}
RESULT_SCHEMA = {"type": "object", "required": ["id", "rev", "status"], "properties": {
    "id": {"type": "string"}, "rev": {"type": "integer"}, "status": {"enum": list(STATUSES)},
    "hub_rev": {"type": "integer"}, "problems": {"type": "array", "items": {"type": "object"}}}}
PUSH_ANSWER = {"description": "One result per record, in the order sent", "content": {
    "application/json": {"schema": {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": RESULT_SCHEMA}}}}}}
ENROL_BODY = {"content": {"application/json": {"schema": {
    "type": "object", "required": ["code", "device_id"], "additionalProperties": False,
    "properties": {"code": {"type": "string", "maxLength": 40},
                   "device_id": {"type": "string", "maxLength": 64},
                   "device_name": {"type": "string", "maxLength": 100}}}}}, "required": True}


def create_app(engine: Engine, *, today: Callable[[], dt.date] | None = None,
               owns_engine: bool = False) -> FastAPI:
    """The hub's app on `engine`. With `owns_engine` (a served hub) the app's lifespan
    disposes the engine's connections when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_engine:
                engine.dispose()

    app = FastAPI(title="Ibasho hub", version=str(PROTOCOL_VERSION), docs_url=None,
                  redoc_url=None, lifespan=lifespan)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(FixedHeaders, headers=HEADERS)
    # One push at a time per process; the rest queue (HTTP is still read meanwhile).
    # Checking is Python under one GIL: a second push checking beside the first only takes
    # the GIL from it, and from the one writing, which SQLite's lock (or PostgreSQL's row
    # locks and a connection) is then held the longer for. Measured by the ingest
    # benchmark: 1 at a time beat 2 and 4 on both databases. Cores are used by processes
    # (`serve --workers N`), not threads.
    database = Database(engine)
    app.state.hub = HubState(database, today or clock.today, CapacityLimiter(1))
    in_tx, local_today, pushes = database, app.state.hub.today, app.state.hub.pushes
    one_writer_db = database.one_writer

    @app.exception_handler(HubError)
    async def hub_error(request: Request, exc: HubError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [request_problem(e) for e in exc.errors()]
        return await hub_error(request, BadRequest("invalid request", problems=problems,
                                                   message_ja="リクエストが不正です。"))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        err = HubError(str(exc.detail))
        err.status, err.code = exc.status_code, f"http_{exc.status_code}"
        return JSONResponse(err.body(), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": {"code": "internal", "message": "internal error",
                                       "message_ja": "サーバー内部のエラーです。"}}, status_code=500)

    app.include_router(office_router(in_tx))
    bodies.install(app)

    @app.get(PING_PATH, summary="Is the hub there (and, with a token, is this device enrolled)?")
    async def ping(authorization: str | None = Header(None)) -> dict[str, Any]:
        if authorization:
            device = await run_in_threadpool(
                in_tx, lambda conn: devices.authenticate(conn, authorization))
            return {"ok": True, "protocol": PROTOCOL_VERSION, "device_id": device.id,
                    "staff_name": device.staff_name}
        return {"ok": True, "protocol": PROTOCOL_VERSION}

    @app.post(ENROL_PATH, summary="Exchange a one-time enrolment code for a device token",
              openapi_extra={"requestBody": ENROL_BODY})
    async def enrol(request: Request) -> dict[str, Any]:
        body = await read_json(request, limit=4096)
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object", message_ja="JSONオブジェクトで送ってください。")
        code, device_id = body.get("code"), body.get("device_id")
        name = body.get("device_name", "")
        problems = []
        if not isinstance(code, str) or not 1 <= len(code) <= 40:
            problems.append({"field": "code", "value": str(code)[:40],
                             "expected_en": "the enrolment code (text)", "expected_ja": "登録コード"})
        if not isinstance(device_id, str) or not DEVICE_ID_RE.match(device_id):
            problems.append({"field": "device_id", "value": str(device_id)[:40],
                             "expected_en": "8-64 letters, digits or -", "expected_ja": "端末ID"})
        if not isinstance(name, str) or len(name) > 100:
            problems.append({"field": "device_name", "value": str(name)[:40],
                             "expected_en": "text up to 100 characters", "expected_ja": "100文字以内"})
        if problems:
            raise BadRequest("invalid enrolment request", problems=problems,
                             message_ja="登録の内容が正しくありません。")
        client = request.client.host if request.client else "?"
        # counted and committed before the code is looked at: failed attempts count too,
        # and parallel ones see each other
        wait = await run_in_threadpool(in_tx, lambda conn: rate_limits.take(
            conn, f"enrol:{client}", accounts.ENROL_LIMIT))
        if wait:
            raise rate_limits.refusal(wait)
        def work(conn: Any) -> tuple[str, str, str]:
            token, staff = devices.enrol(conn, str(code), str(device_id), str(name))
            return token, staff, office_key.public(conn)

        token, staff, public_key = await run_in_threadpool(in_tx, work)
        return {"token": token, "device_id": device_id, "staff_name": staff,
                "office_public_key": public_key}

    @app.post(PUSH_PATH, summary="Push a batch of records; one result per record",
              openapi_extra={"requestBody": PUSH_BODY, "responses": {"200": PUSH_ANSWER}},
              response_model=None)
    async def push(request: Request, authorization: str | None = Header(None),
                   idempotency_key: str | None = Header(None)) -> Response:
        if idempotency_key is not None and not KEY_RE.match(idempotency_key):
            raise BadRequest(f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} characters of "
                             "A-Z a-z 0-9 . _ : -", message_ja="Idempotency-Key が不正です。")
        body = await read_json(request, records_checked_each=True)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise BadRequest('body must be {"records": [...]}',
                             message_ja='{"records": [...]} の形で送ってください。')
        extra = set(body) - {"records"}
        if extra:
            raise BadRequest(f"unknown field(s) in the batch: {', '.join(sorted(map(str, extra)))}")
        batch = body["records"]
        if len(batch) > MAX_BATCH_RECORDS:
            raise TooLarge(f"at most {MAX_BATCH_RECORDS} records per batch, got {len(batch)}",
                           message_ja=f"1回に送れるのは{MAX_BATCH_RECORDS}件までです。")
        today = local_today()

        def prepare(conn: Any) -> tuple[devices.Device, list[dict[str, Any]] | None, Any]:
            device = devices.authenticate(conn, authorization)
            earlier = stored_response(conn, device.id, idempotency_key) \
                if idempotency_key is not None else None
            return device, earlier, reference(conn)

        def in_one(conn: Any) -> list[dict[str, Any]]:
            device, earlier, ref = prepare(conn)
            if earlier is not None:
                return earlier
            return write_checked(conn, device, check_batch(batch, device, ref, today),
                                 idempotency_key)

        def in_two() -> list[dict[str, Any]]:
            device, earlier, ref = in_tx(prepare, read_only=True)
            if earlier is not None:
                return earlier
            checked = check_batch(batch, device, ref, today)  # outside any transaction

            def write(conn: Any) -> list[dict[str, Any]]:
                # the token and the key again: a device revoked, or the same batch taken,
                # while this one was checked
                again = devices.authenticate(conn, authorization)
                if idempotency_key is not None:
                    taken = stored_response(conn, again.id, idempotency_key)
                    if taken is not None:
                        return taken
                return write_checked(conn, again, checked, idempotency_key)

            return in_tx(write)

        # PostgreSQL's writers do not block each other, so a push checks inside its one
        # transaction (one round of BEGIN, token and key fewer); SQLite's single writer must
        # not wait while Python checks a hundred records, so there checking comes between two.
        work = in_two if one_writer_db else (lambda: in_tx(in_one))
        results = await anyio.to_thread.run_sync(work, limiter=pushes)
        # written here, not walked by FastAPI's encoder: the results are plain JSON already
        return Response(answer_json({"results": results}), media_type="application/json")

    @app.get(PULL_PATH, summary="Changes for this device since the cursor")
    async def pull_changes(authorization: str | None = Header(None),
                           cursor: str | None = Query(None, max_length=100)) -> dict[str, Any]:
        def work(conn: Any) -> dict[str, Any]:
            device = devices.authenticate(conn, authorization)
            page = pull(conn, device.id, device.staff_name, cursor)
            devices.touch_pull(conn, device.id)
            retention = json.loads(hub_settings.get(conn, "retention") or "{}")
            return {"changes": [c.to_json() for c in page.changes], "cursor": page.cursor,
                    "more": page.more, "settings": {"retention": retention},
                    "history": page.history, "reset": page.reset}

        return await run_in_threadpool(in_tx, work)

    return app
