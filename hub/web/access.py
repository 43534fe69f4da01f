"""An office request's unit of work: one database transaction, run only for a signed-in
office user; and the check every office request passes first — who is asking, and may their
roles call this operation (hub/roles.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from fastapi import Header, Request
from starlette.concurrency import run_in_threadpool

from hub import accounts, roles

T = TypeVar("T")


class Transaction(Protocol):
    """Runs `fn` in one database transaction (see api.create_app)."""

    def __call__(self, fn: Callable[[Any], T], *, read_only: bool = False) -> T: ...


def as_officer(in_tx: Transaction, authorization: str | None,
               fn: Callable[[Any, accounts.OfficeUser], T]) -> Awaitable[T]:
    """Run `fn(conn, officer)` in one transaction, only for a valid office session (the
    roles were checked before, by `allowed`, from the one table in roles.py)."""
    def work(conn: Any) -> T:
        return fn(conn, accounts.officer(conn, authorization))

    return run_in_threadpool(in_tx, work)


def allowed(in_tx: Transaction, prefix: str
            ) -> Callable[..., Coroutine[Any, Any, None]]:
    """The office router's dependency. FastAPI solves it before it validates the path, the
    query or a body, so a request without a session gets 401 whatever else is wrong with it,
    and a role that may not call the operation gets 403 before anything is read or written.
    The operation is the route FastAPI matched: its method and path template."""
    async def check(request: Request, authorization: str | None = Header(None)) -> None:
        route = request.scope.get("route")
        path = str(getattr(route, "path", ""))
        key = path[len(prefix):] if path.startswith(prefix) else path
        needed = roles.needed(request.method, key)
        if needed == roles.PUBLIC:
            return
        who = await run_in_threadpool(
            in_tx, lambda conn: accounts.officer(conn, authorization), read_only=True)
        roles.check(request.method, key, who.roles)

    return check
