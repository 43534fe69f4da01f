"""Least privilege: every office operation declares its roles in one table (hub/roles.py),
and every operation is walked as every role, on SQLite and PostgreSQL (the `hub` fixture):
an allowed role gets past the check, any other role gets 403 before anything is read or
written, and nobody without a session gets past 401 — whatever else is wrong with the
request."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio import CapacityLimiter
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine, text

from core.domain import clock
from hub import accounts, roles
from hub.db import schema
from hub.db.transaction import Database
from hub.errors import BadRequest, HubError
from hub.web.app import create_app
from hub.web.deps import HubState, officer
from tests.factories import IBASHO
from tests.hubs import Hub

OFFICE = "/api/v1/office"
PASSWORD = "correct horse battery"
NOBODY = "00000000-0000-4000-8000-000000000000"
# a plausible value for each path parameter: enough to reach the operation's own checks
PATH_VALUES = {"place_id": IBASHO.id, "fiscal_year": "2026", "step": "application",
               "concern_id": NOBODY, "device_id": NOBODY, "startup_id": NOBODY,
               "staff_name": "山田 花子", "photo_id": NOBODY, "record_id": NOBODY}
QUERY = {"fiscal_year": "2026", "format": "csv"}
BODY = {"POST /enrolment-codes": {"staff_name": "山田 花子"},
        "POST /disclosure/export": {"concern_ids": [NOBODY]},
        "PUT /concerns/{concern_id}/office": {"status": "triaged"},
        "PUT /places/{place_id}/members/{fiscal_year}": {"counts": {}},
        "PUT /grants/{place_id}/{fiscal_year}/{step}": {"requested_yen": 1},
        "PUT /places/{place_id}/report-photos/{fiscal_year}": {"photos": []}}


def routes(found: Iterable[Any]) -> Iterator[tuple[str, set[str]]]:
    """(path template, methods) of every API route, also where FastAPI keeps an included
    router as one entry (newer FastAPI: `effective_route_contexts`)."""
    for route in found:
        if isinstance(route, APIRoute):
            yield route.path, set(route.methods)
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                yield context.path_format, set(context.original_route.methods)


def office_operations(engine: Engine) -> list[tuple[str, str]]:
    """(method, path under /api/v1/office) of every office route the app has."""
    app = create_app(engine)
    found = sorted((method, path[len(OFFICE):]) for path, methods in routes(app.routes)
                   if path.startswith(OFFICE + "/") for method in methods)
    # the walk missed nothing the published contract lists
    assert {(m.upper(), p[len(OFFICE):]) for p, ops in app.openapi()["paths"].items()
            if p.startswith(OFFICE + "/") for m in ops} <= set(found)
    return found


def filled(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)


def rows(engine: Engine) -> dict[str, int]:
    """How many rows each table holds: a refused request leaves every count as it was."""
    with engine.connect() as conn:
        return {name: int(conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one())
                for name in schema.metadata.tables}


def session(hub: Hub, name: str, held: str) -> dict[str, str]:
    with hub.engine.begin() as conn:
        accounts.add_user(conn, name, PASSWORD, held, "test")
    r = httpx.post(hub.url + OFFICE + "/login", json={"username": name, "password": PASSWORD},
                   timeout=30)
    assert r.status_code == 200 and r.json()["roles"] == held.split(","), r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def call(http: httpx.Client, method: str, path: str, headers: dict[str, str]
         ) -> httpx.Response:
    body: dict[str, Any] | None = BODY.get(f"{method} {path}", {}) if method != "GET" else None
    return http.request(method, filled(path), params=QUERY, json=body, headers=headers)


def test_every_office_route_declares_its_roles_and_the_table_names_only_routes(hub: Hub
                                                                               ) -> None:
    found = set(office_operations(hub.engine))
    assert found - set(roles.OPERATIONS) == set(), "routes with no roles declared"
    assert set(roles.OPERATIONS) - found == set(), "roles declared for no route"
    assert all(needs <= set(roles.ROLES) for needs in roles.OPERATIONS.values())


def test_every_operation_as_every_role(hub: Hub) -> None:
    operations = [op for op in office_operations(hub.engine) if op != ("POST", "/login")]
    assert len(operations) >= 32
    sessions = {role: session(hub, f"only_{role}", role) for role in roles.ROLES}
    with httpx.Client(base_url=hub.url + OFFICE, timeout=60) as http:
        # first every refusal: nothing may be read, written or audited by any of them
        before = rows(hub.engine)
        refused = 0
        for method, path in operations:
            for role, headers in sessions.items():
                if role not in roles.OPERATIONS[(method, path)]:
                    r = call(http, method, path, headers)
                    assert r.status_code == 403, (role, method, path, r.text)
                    error = r.json()["error"]
                    assert error["code"] == "forbidden" and error["message_ja"]
                    needs = roles.OPERATIONS[(method, path)]
                    assert all(n in error["message"] and n in error["message_ja"]
                               for n in needs), error
                    refused += 1
        assert rows(hub.engine) == before
        assert refused > 60
        # then the allowed roles: past the check to the operation's own answer (a 400, 404
        # or 409 of a plausible request is the operation speaking); logout last
        for method, path in sorted(operations, key=lambda op: op == ("POST", "/logout")):
            for role, headers in sessions.items():
                if role in roles.OPERATIONS[(method, path)]:
                    r = call(http, method, path, headers)
                    assert r.status_code not in (401, 403) and r.status_code < 500, (
                        role, method, path, r.text)


def test_without_a_session_every_operation_is_401_before_its_input_is_looked_at(hub: Hub
                                                                               ) -> None:
    with httpx.Client(base_url=hub.url + OFFICE, timeout=30) as http:
        r = http.get("/places/x/members/notayear")
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "unauthorized"
        assert http.put("/places/x/members/notayear", content=b"not json").status_code == 401
        assert http.put("/grants/x/1800/nostep", json={}).status_code == 401
        assert http.get("/compliance", params={"fiscal_year": "soon"}).status_code == 401
        assert http.get("/reports", params={"format": "doc"}).status_code == 401
        for method, path in office_operations(hub.engine):
            if (method, path) != ("POST", "/login"):
                broken = re.sub(r"\{\w+\}", "not-a-thing", path)
                r = http.request(method, broken, params={"fiscal_year": "x"}, content=b"{")
                assert r.status_code == 401, (method, path, r.text)


def test_an_operation_missing_from_the_table_is_refused_to_every_role(hub: Hub) -> None:
    """Fail closed: a route added with the office check but not declared answers 403 even
    to an account holding every role (and 401 to nobody)."""
    headers = session(hub, "everything", ",".join(roles.ROLES))

    app = FastAPI()
    app.state.hub = HubState(Database(hub.engine), clock.today, CapacityLimiter(1))
    app.add_api_route(OFFICE + "/undeclared", lambda: {"leaked": True},
                      dependencies=[Depends(officer)])
    app.add_exception_handler(HubError, lambda request, exc: JSONResponse(
        exc.body(), status_code=exc.status))  # type: ignore[arg-type, attr-defined]

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://hub") as client:
            return (await client.get(OFFICE + "/undeclared"),
                    await client.get(OFFICE + "/undeclared", headers=headers))

    nobody, everything = asyncio.run(ask())
    assert nobody.status_code == 401
    assert everything.status_code == 403 and "leaked" not in everything.text
    assert "no roles declared" in everything.json()["error"]["message"]


def test_roles_are_named_and_checked(hub: Hub) -> None:
    assert roles.parse("grants, supervisor") == ("supervisor", "grants")
    assert roles.parse("office") == ("supervisor", "grants")  # the role before the split
    for bad in ("clerk", "", "grants,root"):
        with pytest.raises(BadRequest) as info:
            roles.parse(bad)
        [problem] = info.value.problems
        assert problem["field"] == "role" and "viewer" in problem["expected_en"]
    with hub.engine.begin() as conn, pytest.raises(BadRequest, match="invalid office account"):
        accounts.add_user(conn, "clerk", PASSWORD, "clerk", "test")
    headers = session(hub, "kato", "supervisor,grants")
    me = httpx.get(hub.url + OFFICE + "/me", headers=headers, timeout=30).json()
    assert me["roles"] == ["supervisor", "grants"] and me["role"] == "supervisor"
    assert me["operations"]["GET /concerns"] == ["supervisor"]
    # roles changed while signed in count from the next request on
    with hub.engine.begin() as conn:
        assert accounts.set_roles(conn, "kato", "grants", "test")
    r = httpx.get(hub.url + OFFICE + "/concerns", headers=headers, timeout=30)
    assert r.status_code == 403 and "supervisor" in r.json()["error"]["message_ja"]


def test_users_add_with_roles_on_the_command_line(tmp_path: Path, hub: Hub) -> None:
    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub.cli", "users", *args],
            input=stdin, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                 "IBASHO_HUB_DATABASE_URL": hub.database_url})

    added = cli("add", "suzuki", "--role", "supervisor,grants", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    wrong = cli("add", "tanaka", "--role", "supervisor,clerk", stdin=PASSWORD + "\n")
    assert wrong.returncode != 0 and "clerk" in wrong.stderr and "viewer" in wrong.stderr
    assert cli("roles", "suzuki", "--role", "viewer").returncode == 0
    listed = cli("list").stdout
    assert "suzuki  viewer  active" in listed and "tanaka" not in listed


def test_the_migration_gives_office_accounts_supervisor_and_grants(hub_db: str) -> None:
    """Nothing changes for today's `office` accounts; an admin stays an admin (and alone
    reads no concern). Downgraded, each goes back to what it was."""
    from alembic import command

    from hub.db.engine import connect
    from hub.db.migrate import _config, migrate

    engine = connect(hub_db)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0011")
    with engine.begin() as conn:
        for name, role in (("sato", "office"), ("root", "admin")):
            conn.execute(text("INSERT INTO office_users (username, password_hash, role, "
                              "created_at) VALUES (:u, 'x', :r, '2026-11-01 09:00:00+00:00')"),
                         {"u": name, "r": role})
    migrate(engine)
    with engine.begin() as conn:
        assert accounts.list_users(conn) == [("root", "admin", True),
                                             ("sato", "supervisor,grants", True)]
        accounts.add_user(conn, "mori", PASSWORD, "viewer", "test")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    with engine.connect() as conn:
        assert {r.username: (r.role, r.disabled_at is None) for r in conn.execute(text(
            "SELECT username, role, disabled_at FROM office_users"))} == {
            "root": ("admin", True), "sato": ("office", True), "mori": ("office", False)}
    engine.dispose()
