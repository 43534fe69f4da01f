"""The office API for grants: every place's grant for a year, one grant with its history,
and recording each step (audited; a change made meanwhile is refused, not undone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Header, Path, Query, Request

from core.domain import clock
from core.domain.grant import STEPS
from hub import grants
from hub.errors import BadRequest
from hub.web.access import Transaction, as_officer
from hub.web.request_body import read_json

YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
STEP = Path(..., pattern="^(" + "|".join(STEPS) + ")$",
            description="application | decision | payments | report | settlement")


def _today() -> dt.date:
    return clock.today()


def grants_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    @router.get("/grants", summary="Every place's grant for a fiscal year, with its status")
    async def listing(authorization: str | None = Header(None), fiscal_year: int = YEAR
                      ) -> dict[str, Any]:
        return {"fiscal_year": fiscal_year, "grants": await as_officer(
            in_tx, authorization, lambda conn, who: grants.listing(conn, fiscal_year))}

    @router.get("/grants/{place_id}/{fiscal_year}",
                summary="One place's grant for a year: each step, figures, history")
    async def one(place_id: str, fiscal_year: int = Path(..., ge=2000, le=2100),
                  authorization: str | None = Header(None)) -> dict[str, Any]:
        return await as_officer(in_tx, authorization,
                                lambda conn, who: grants.one(conn, place_id, fiscal_year))

    @router.put("/grants/{place_id}/{fiscal_year}/{step}",
                summary="Record a step (send `based_on`: the rev your page showed)")
    async def record(place_id: str, request: Request, step: str = STEP,
                     fiscal_year: int = Path(..., ge=2000, le=2100),
                     authorization: str | None = Header(None)) -> dict[str, Any]:
        body = await read_json(request, limit=131_072)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
        based_on = body.pop("based_on", None)
        if based_on is not None and (isinstance(based_on, bool) or not isinstance(based_on, int)):
            raise BadRequest("based_on must be the grant's rev (a whole number)",
                             message_ja="based_on には助成の版番号（整数）を指定してください。")
        return await as_officer(in_tx, authorization, lambda conn, who: grants.record(
            conn, place_id, fiscal_year, step, body, who.username, based_on=based_on,
            today=_today()))

    return router
