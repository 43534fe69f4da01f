"""The FastAPI dependencies every route is built from (Starlette/FastAPI style: no closures
handed a transaction by hand):

- `Db`: the hub's database, whose call runs one transaction (hub/db/transaction.py);
- `Officer`: the signed-in office user, whose roles may call this operation (hub/roles.py).
  It is also the office router's own dependency, so FastAPI solves it before it validates a
  path, a query or a body: a request without a session gets 401 whatever else is wrong with
  it, and a role that may not call the operation gets 403 before anything is read or written;
- `Today`: today's date in Japan (core/domain/clock.py), or the date `create_app` was given.

`run(db, fn, *args)` runs `fn(conn, *args)` in one transaction on a worker thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter
from fastapi import Depends, Header, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from hub import accounts, roles
from hub.db.transaction import Database

T = TypeVar("T")


@dataclass
class HubState:
    """What one app holds for its requests (app.state.hub)."""

    database: Database
    today: Callable[[], dt.date]
    # One push at a time per process; the rest queue (HTTP is still read meanwhile).
    # Checking is Python under one GIL: a second push checking beside the first only takes
    # the GIL from it, and from the one writing, which SQLite's lock (or PostgreSQL's row
    # locks and a connection) is then held the longer for. Measured by the ingest
    # benchmark: 1 at a time beat 2 and 4 on both databases. Cores are used by processes
    # (`serve --workers N`), not threads.
    pushes: CapacityLimiter


def state(request: Request) -> HubState:
    found: HubState = request.app.state.hub
    return found


def database(request: Request) -> Database:
    return state(request).database


def today(request: Request) -> dt.date:
    return state(request).today()


async def officer(request: Request, authorization: str | None = Header(None)
                  ) -> accounts.OfficeUser:
    """The signed-in office user, checked against the roles of the operation FastAPI
    matched (its method and path template under the office prefix)."""
    cached: accounts.OfficeUser | None = getattr(request.state, "officer", None)
    if cached is not None:
        return cached
    route = request.scope.get("route")
    path = str(getattr(route, "path", ""))
    prefix = roles.PREFIX
    key = path[len(prefix):] if path.startswith(prefix) else path
    needed = roles.needed(request.method, key)
    if needed == roles.PUBLIC:
        who = accounts.OfficeUser("", ())
    else:
        who = await run_in_threadpool(database(request), lambda conn: accounts.officer(
            conn, authorization), read_only=True)
        roles.check(request.method, key, who.roles)
    request.state.officer = who
    return who


Db = Annotated[Database, Depends(database)]
Officer = Annotated[accounts.OfficeUser, Depends(officer)]
Today = Annotated[dt.date, Depends(today)]


async def run(db: Database, fn: Callable[..., T], *args: Any) -> T:
    """`fn(conn, *args)` in one transaction, on a worker thread."""
    def work(conn: Connection) -> T:
        return fn(conn, *args)

    return await run_in_threadpool(db, work)
