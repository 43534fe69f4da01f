"""An office request's unit of work: one database transaction, run only for a signed-in
office user (and, where it says so, only for an admin)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool

from sync.hub import accounts
from sync.hub.errors import Forbidden

T = TypeVar("T")


class Transaction(Protocol):
    """Runs `fn` in one database transaction (see api.create_app)."""

    def __call__(self, fn: Callable[[Any], T]) -> T: ...


def as_officer(in_tx: Transaction, authorization: str | None,
               fn: Callable[[Any, accounts.OfficeUser], T], *, admin: bool = False) -> Awaitable[T]:
    """Run `fn(conn, officer)` in one transaction, only for a valid office session."""
    def work(conn: Any) -> T:
        who = accounts.officer(conn, authorization)
        if admin and who.role != "admin":
            raise Forbidden("this is for admins", message_ja="管理者のみ利用できます。")
        return fn(conn, who)

    return run_in_threadpool(in_tx, work)
