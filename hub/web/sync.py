"""The device API (DESIGN §6): ping, enrolment, push, pull. Devices authenticate with their
bearer token (hub/devices.py); office sessions do not work here.

The wire format is sync.protocol's, which the tablet carries; its models are
hub/contract/sync.py. A push answers bytes it writes itself (its results are plain JSON
already): the fast path a hundred records take, so it is documented, not serialised by
FastAPI."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from hub import accounts, devices, hub_settings, office_key, rate_limits
from hub.contract.errors import answers
from hub.contract.sync import Enrolment, EnrolRequest, Ping, PullAnswer, PushAnswer, PushBatch
from hub.db.transaction import Database
from hub.errors import BadRequest, TooLarge
from hub.feed import pull
from hub.ingest import answer_json, check_batch, stored_response, write_checked
from hub.reference import reference
from hub.web.bodies import documented
from hub.web.deps import Db, Today, state
from hub.web.request_body import read_json
from sync.protocol import (
    ENROL_PATH,
    MAX_BATCH_RECORDS,
    MAX_IDEMPOTENCY_KEY,
    PING_PATH,
    PROTOCOL_VERSION,
    PULL_PATH,
    PUSH_PATH,
)

KEY_RE = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_IDEMPOTENCY_KEY}}}")
DEVICE_ID_RE = re.compile(r"[A-Za-z0-9-]{8,64}")
ENROL_LIMIT = 4096

router = APIRouter(tags=["device"])
Authorization = Annotated[str | None, Header()]


@router.get(PING_PATH, summary="Is the hub there (and, with a token, is this device enrolled)?",
            response_model=Ping, response_model_exclude_none=True,
            responses=answers(400, 401, 503, 507))
async def ping(db: Db, authorization: Authorization = None) -> Ping:
    if authorization:
        device = await run_in_threadpool(
            db, lambda conn: devices.authenticate(conn, authorization))
        return Ping(ok=True, protocol=PROTOCOL_VERSION, device_id=device.id,
                    staff_name=device.staff_name)
    return Ping(ok=True, protocol=PROTOCOL_VERSION)


def _wrong(field: str, value: Any, en: str, ja: str) -> dict[str, str]:
    # the value as the device sent it (a personal number was refused by read_json before)
    return {"field": field, "value": str(value)[:40], "expected_en": en, "expected_ja": ja}


def _enrol_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """What is wrong with an enrolment request (EnrolRequest's shape), in the words devices
    in the field already show."""
    code, device_id = body.get("code"), body.get("device_id")
    name = body.get("device_name", "")
    problems = []
    if not isinstance(code, str) or not 1 <= len(code) <= 40:
        problems.append(_wrong("code", code, "the enrolment code (text)", "登録コード"))
    if not isinstance(device_id, str) or not DEVICE_ID_RE.fullmatch(device_id):
        problems.append(_wrong("device_id", device_id, "8-64 letters, digits or -", "端末ID"))
    if not isinstance(name, str) or len(name) > 100:
        problems.append(_wrong("device_name", name, "text up to 100 characters", "100文字以内"))
    return problems


@router.post(ENROL_PATH, summary="Exchange a one-time enrolment code for a device token",
             response_model=Enrolment,
             responses=answers(400, 401, 409, 410, 413, 415, 429, 503, 507),
             openapi_extra=documented(EnrolRequest))
async def enrol(request: Request, db: Db) -> Enrolment:
    body = await read_json(request, limit=ENROL_LIMIT)
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object", message_ja="JSONオブジェクトで送ってください。")
    problems = _enrol_problems(body)
    if problems:
        raise BadRequest("invalid enrolment request", problems=problems,
                         message_ja="登録の内容が正しくありません。")
    # the checks above, not the model's: its pattern reads `$` as Rust's regex does, and a
    # device id is checked as devices in the field have always been checked
    code, device_id = str(body["code"]), str(body["device_id"])
    name = str(body.get("device_name", ""))
    client = request.client.host if request.client else "?"
    # counted and committed before the code is looked at: failed attempts count too,
    # and parallel ones see each other
    wait = await run_in_threadpool(db, lambda conn: rate_limits.take(
        conn, f"enrol:{client}", accounts.ENROL_LIMIT))
    if wait:
        raise rate_limits.refusal(wait)

    def work(conn: Connection) -> Enrolment:
        token, staff = devices.enrol(conn, code, device_id, name)
        return Enrolment(token=token, device_id=device_id, staff_name=staff,
                         office_public_key=office_key.public(conn))

    return await run_in_threadpool(db, work)


@router.post(PUSH_PATH, summary="Push a batch of records; one result per record",
             response_class=Response,
             responses={200: {"model": PushAnswer,
                              "description": "One result per record, in the order sent"},
                        **answers(400, 401, 413, 415, 503, 507)},
             openapi_extra=documented(PushBatch))
async def push(request: Request, db: Db, today: Today, authorization: Authorization = None,
               idempotency_key: Annotated[str | None, Header(
                   description="one per batch: a batch sent again under its key gets the "
                               "first answer again")] = None) -> Response:
    if idempotency_key is not None and not KEY_RE.fullmatch(idempotency_key):
        raise BadRequest(f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} characters of "
                         "A-Z a-z 0-9 . _ : -", message_ja="Idempotency-Key が不正です。")
    # not validated against PushBatch: each record is checked on its own by the domain, so
    # that one bad record never refuses its neighbours
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
    results = await anyio.to_thread.run_sync(
        _pushing(db, batch, authorization, idempotency_key, today),
        limiter=state(request).pushes)
    # written here, not walked by FastAPI's encoder: the results are plain JSON already
    return Response(answer_json({"results": results}), media_type="application/json")


def _pushing(db: Database, batch: list[Any], authorization: str | None, key: str | None,
             today: dt.date) -> Callable[[], list[dict[str, Any]]]:
    """The push's work, for a worker thread: PostgreSQL's writers do not block each other,
    so a push checks inside its one transaction (one round of BEGIN, token and key fewer);
    SQLite's single writer must not wait while Python checks a hundred records, so there
    checking comes between two."""

    def prepare(conn: Connection) -> tuple[devices.Device, list[dict[str, Any]] | None, Any]:
        device = devices.authenticate(conn, authorization)
        earlier = stored_response(conn, device.id, key) if key is not None else None
        return device, earlier, reference(conn)

    def in_one(conn: Connection) -> list[dict[str, Any]]:
        device, earlier, ref = prepare(conn)
        if earlier is not None:
            return earlier
        return write_checked(conn, device, check_batch(batch, device, ref, today), key)

    def in_two() -> list[dict[str, Any]]:
        device, earlier, ref = db(prepare, read_only=True)
        if earlier is not None:
            return earlier
        checked = check_batch(batch, device, ref, today)  # outside any transaction

        def write(conn: Connection) -> list[dict[str, Any]]:
            # the token and the key again: a device revoked, or the same batch taken,
            # while this one was checked
            again = devices.authenticate(conn, authorization)
            if key is not None:
                taken = stored_response(conn, again.id, key)
                if taken is not None:
                    return taken
            return write_checked(conn, again, checked, key)

        found: list[dict[str, Any]] = db(write)
        return found

    return in_two if db.one_writer else (lambda: db(in_one))


@router.get(PULL_PATH, summary="Changes for this device since the cursor",
            response_model=PullAnswer, responses=answers(400, 401, 503, 507))
async def pull_changes(db: Db, authorization: Authorization = None,
                       cursor: Annotated[str | None, Query(max_length=100)] = None
                       ) -> dict[str, Any]:
    def work(conn: Connection) -> dict[str, Any]:
        device = devices.authenticate(conn, authorization)
        page = pull(conn, device.id, device.staff_name, cursor)
        devices.touch_pull(conn, device.id)
        retention = json.loads(hub_settings.get(conn, "retention") or "{}")
        return {"changes": [c.to_json() for c in page.changes], "cursor": page.cursor,
                "more": page.more, "settings": {"retention": retention},
                "history": page.history, "reset": page.reset}

    return await run_in_threadpool(db, work)
