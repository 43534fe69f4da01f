"""The office API for sessions: sign in, sign out, and who this session is (with the roles
each office operation needs, hub/roles.py, so the console shows only what may be called)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from hub import accounts, roles
from hub.contract.accounts import LoginRequest, Me, Session, SignedOut
from hub.contract.errors import OFFICE, answers
from hub.errors import BadRequest
from hub.web.bodies import documented
from hub.web.deps import Db, Officer
from hub.web.request_body import read_json

router = APIRouter()


@router.post("/login", summary="Sign in; returns a session token that expires",
             response_model=Session, responses=answers(400, 401, 413, 415, 429, 503, 507),
             openapi_extra=documented(LoginRequest))
async def login(request: Request, db: Db) -> Session:
    body = await read_json(request, limit=4096)
    # the words sign-in has always answered, not the model's (it only documents the shape)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) \
            or not isinstance(body.get("password"), str):
        raise BadRequest('expected {"username": "...", "password": "..."}',
                         message_ja="ユーザー名とパスワードを送ってください。")
    asked = LoginRequest.model_validate(body)
    token, expires, held = await run_in_threadpool(
        accounts.sign_in, db, asked.username[:64], asked.password[:200])
    return Session(token=token, expires_at=expires, role=held[0] if held else "",
                   roles=list(held))


@router.post("/logout", summary="End this session", response_model=SignedOut,
             responses=answers(*OFFICE))
async def logout(who: Officer, db: Db,
                 authorization: Annotated[str | None, Header()] = None) -> SignedOut:
    await run_in_threadpool(db, lambda c: accounts.sign_out(c, authorization))
    return SignedOut(ok=True)


@router.get("/me", summary="Who this session belongs to, their roles, and the roles each "
                           "office operation needs", response_model=Me,
            responses=answers(*OFFICE))
async def me(who: Officer) -> Me:
    return Me(username=who.username, role=who.role, roles=list(who.roles),
              operations={f"{method} {path}": [r for r in roles.ROLES if r in needs]
                          for (method, path), needs in roles.OPERATIONS.items()})
