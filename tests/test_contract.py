"""/openapi.json is the hub's contract (DESIGN §7): every operation has a typed success body,
a typed request body where it reads one, and every error status it answers with the problem
body. Outside scripts and the console's client are written against this document."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi.routing import APIRoute

from hub.db.engine import connect
from hub.web.app import create_app

ERROR = "#/components/schemas/ErrorBody"
# tus (photos' bytes): each answer is told by its headers, none has a body
HEADERS_ONLY = {"OPTIONS /api/v1/sync/photos": "204", "POST /api/v1/sync/photos": "201",
                "HEAD /api/v1/sync/photos/{sha256}": "200",
                "PATCH /api/v1/sync/photos/{sha256}": "204"}


def document_and_routes() -> tuple[dict[str, Any], list[tuple[str, set[str], Any]]]:
    """The document, and (path, methods, endpoint) of every API route the app serves, also
    where FastAPI keeps an included router as one entry (newer FastAPI)."""
    engine = connect("sqlite:///:memory:")
    try:
        app = create_app(engine)
        routes: list[tuple[str, set[str], Any]] = []
        for route in app.routes:
            if isinstance(route, APIRoute):
                routes.append((route.path_format, set(route.methods), route.endpoint))
            elif hasattr(route, "effective_route_contexts"):
                for context in route.effective_route_contexts():
                    original = context.original_route
                    routes.append((context.path_format, set(original.methods),
                                   original.endpoint))
        return app.openapi(), routes
    finally:
        engine.dispose()


def test_every_operation_has_a_typed_answer_and_its_error_statuses() -> None:
    doc, _ = document_and_routes()
    untyped, undocumented = [], []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            name = f"{method.upper()} {path}"
            answers = op["responses"]
            content = answers.get("200", {}).get("content", {})
            if name in HEADERS_ONLY:
                told = answers.get(HEADERS_ONLY[name], {})
                if "Tus-Resumable" not in told.get("headers", {}) or told.get("content"):
                    untyped.append(name)
            elif not content or not all("$ref" in (c.get("schema") or {})
                                        or (c.get("schema") or {}).get("format") == "binary"
                                        for c in content.values()):
                untyped.append(name)
            errors = {s: a for s, a in answers.items() if s != HEADERS_ONLY.get(name, "200")}
            # 422 is ours only (a photo the hub will not keep), never FastAPI's validation
            if not {"400", "503", "507"} <= set(errors):
                undocumented.append(name)
            for status, answer in errors.items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") != ERROR:
                    undocumented.append(f"{name} {status}")
            if path.startswith("/api/v1/office/") and path != "/api/v1/office/login" \
                    and not {"401", "403"} <= set(errors):
                undocumented.append(f"{name}: 401/403")
    assert untyped == [] and undocumented == []


# the writes that take no body: the path says it all
BODYLESS = {("POST", "/api/v1/office/logout"), ("POST", "/api/v1/office/devices/{device_id}/revoke"),
            ("POST", "/api/v1/sync/photos")}  # tus: the photo's length and name in headers


def test_every_write_documents_its_body_and_reads_one() -> None:
    doc, routes = document_and_routes()
    wrong, seen = [], 0
    for path, methods, endpoint in routes:
        takes_request = "request" in inspect.signature(endpoint).parameters
        for method in methods - {"HEAD"}:
            op = doc["paths"].get(path, {}).get(method.lower())
            if op is None:
                continue  # the console's own pages are not in the document
            seen += 1
            documented = "requestBody" in op
            expected = method in ("POST", "PUT", "PATCH") and (method, path) not in BODYLESS
            if documented != expected or (documented and not takes_request):
                wrong.append(f"{method} {path}")
    assert wrong == []
    # every operation looked at (a HEAD reads none)
    assert seen == sum(len(set(ops) - {"head"}) for ops in doc["paths"].values())
