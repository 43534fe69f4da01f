"""Request bodies with a typed contract, read the hub's way.

The hub reads every office body itself (web/request_body.read_json: a size limit, NUL
characters and individual numbers refused, gzip) rather than letting FastAPI parse a body
parameter: FastAPI parses a body before it solves the dependencies, so a malformed body
would be answered 400 before the signed-in officer is checked (401 must come first), and
the guard must see every text. So an operation declares its body model here
(`openapi_extra=documented(Model)`) for /openapi.json, and its handler calls
`await body(request, Model)`: a body that does not fit the model is a 400 naming each field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError

from hub.errors import BadRequest, request_problem
from hub.web.request_body import read_json
from sync.protocol import MAX_BODY_BYTES

M = TypeVar("M", bound=BaseModel)
# the models that request bodies refer to: their schemas join /openapi.json's components
DOCUMENTED: dict[str, type[BaseModel]] = {}
REF = "#/components/schemas/{model}"


def documented(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """An operation's `openapi_extra` for a JSON body of `model`."""
    DOCUMENTED[model.__name__] = model
    return {"requestBody": {"required": required, "content": {"application/json": {
        "schema": {"$ref": REF.format(model=model.__name__)}}}}}


def parse(model: type[M], raw: Any) -> M:
    """`raw` (parsed JSON) as `model`, or a 400 naming every field that does not fit."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [request_problem(dict(e)) for e in exc.errors(include_url=False)]
        raise BadRequest("the request body is not valid", problems=problems,
                         message_ja="送られた内容が正しくありません。") from None


async def body(request: Request, model: type[M], limit: int = MAX_BODY_BYTES) -> M:
    """The request's JSON body, read and guarded as every office body is, as `model`."""
    return parse(model, await read_json(request, limit=limit))


def install(app: FastAPI) -> None:
    """Make /openapi.json carry the schemas that documented bodies refer to."""
    made: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = made()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, model in sorted(DOCUMENTED.items()):
            schema = model.model_json_schema(ref_template=REF)
            for inner, defined in schema.pop("$defs", {}).items():
                schemas.setdefault(inner, defined)
            schemas.setdefault(name, schema)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
