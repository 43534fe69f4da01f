"""An office request's unit of work: one database transaction, run only for a signed-in
office user; and the check every office request passes first — who is asking, and may their
roles call this operation (hub/roles.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool

from hub import accounts

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
