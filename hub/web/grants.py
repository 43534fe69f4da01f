"""The office API for grants: every place's grant for a year, one grant with its history,
and recording each step (audited; a change made meanwhile is refused, not undone)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request

from core.domain.grant import STEPS
from hub import grants
from hub.contract.errors import OFFICE, answers
from hub.contract.grants import Grant, GrantList, StepBody
from hub.errors import BadRequest
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, Today, run

router = APIRouter()
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
IN_PATH = Path(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
STEP = Path(..., pattern="^(" + "|".join(STEPS) + ")$",
            description="application | decision | payments | report | settlement")


@router.get("/grants", summary="Every place's grant for a fiscal year, with its status",
            response_model=GrantList, responses=answers(*OFFICE))
async def listing(who: Officer, db: Db, fiscal_year: int = YEAR) -> dict[str, Any]:
    return {"fiscal_year": fiscal_year, "grants": await run(db, grants.listing, fiscal_year)}


@router.get("/grants/{place_id}/{fiscal_year}",
            summary="One place's grant for a year: each step, figures, history",
            response_model=Grant, responses=answers(*OFFICE, 404))
async def one(place_id: str, who: Officer, db: Db, fiscal_year: int = IN_PATH
              ) -> dict[str, Any]:
    return await run(db, grants.one, place_id, fiscal_year)


@router.put("/grants/{place_id}/{fiscal_year}/{step}",
            summary="Record a step (send `based_on`: the rev your page showed)",
            response_model=Grant, responses=answers(*OFFICE, 404, 409),
            openapi_extra=documented(StepBody))
async def record(place_id: str, request: Request, who: Officer, db: Db, today: Today,
                 step: str = STEP, fiscal_year: int = IN_PATH) -> dict[str, Any]:
    data = (await body(request, StepBody, limit=131_072)).model_dump(exclude_unset=True)
    based_on = data.pop("based_on", None)
    if based_on is not None and (isinstance(based_on, bool) or not isinstance(based_on, int)):
        raise BadRequest("based_on must be the grant's rev (a whole number)",
                         message_ja="based_on には助成の版番号（整数）を指定してください。")

    def work(conn: Any) -> dict[str, Any]:
        return grants.record(conn, place_id, fiscal_year, step, data, who.username,
                             based_on=based_on, today=today)

    return await run(db, work)
