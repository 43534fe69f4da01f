"""How every failure is answered: one problem body (hub/errors.HubError.body, described by
hub/contract/errors.ErrorBody), whether the hub raised it, FastAPI refused a path or query,
Starlette found no route, or something crashed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from hub.errors import BadRequest, HubError, request_problem

log = logging.getLogger("ibasho.hub")


async def hub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [request_problem(e) for e in exc.errors()]
    return await hub_error(request, BadRequest("invalid request", problems=problems,
                                               message_ja="リクエストが不正です。"))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    err = HubError(str(exc.detail))
    err.status, err.code = exc.status_code, f"http_{exc.status_code}"
    return JSONResponse(err.body(), status_code=exc.status_code)


async def crash(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": {"code": "internal", "message": "internal error",
                                   "message_ja": "サーバー内部のエラーです。"}}, status_code=500)


def install(app: FastAPI) -> None:
    """The handlers, and a document without FastAPI's 422: a request it refuses is answered
    400 with the problem body (`invalid`), which each operation declares itself."""
    app.add_exception_handler(HubError, hub_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)

    made: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = made()
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
