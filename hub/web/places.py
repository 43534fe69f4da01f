"""The office API for places: the list, adding and editing one, a place's attendance and
its registered members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.engine import Connection

from core.domain.fiscal import fiscal_year_of
from hub import accounts
from hub.contract.errors import OFFICE, answers
from hub.contract.places import (
    Attendance,
    Members,
    MembersBody,
    PlaceBody,
    PlaceList,
    PlaceSaved,
)
from hub.documents import reports, survey
from hub.errors import BadRequest, NotFound
from hub.places import save_place
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, Today, run

router = APIRouter()
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
IN_PATH = Path(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")


@router.get("/places", summary="Every place, in kana order", response_model=PlaceList,
            response_model_exclude_unset=True, responses=answers(*OFFICE))
async def places(who: Officer, db: Db, today: Today) -> dict[str, Any]:
    found = await run(db, reports.places)
    return {"places": sorted(found, key=lambda p: p.get("kana") or p["name"]),
            "fiscal_year": fiscal_year_of(today)}


async def _save(request: Request, who: accounts.OfficeUser, db: Db, place_id: str | None
                ) -> dict[str, Any]:
    data = (await body(request, PlaceBody, limit=16_384)).model_dump(exclude_unset=True)
    if place_id is not None:
        data["id"] = place_id[:36]
    elif "id" in data:
        raise BadRequest("a new place gets its id from the hub; PUT /places/{id} edits one",
                         message_ja="新しい場所にIDは指定できません。")
    return {"place": await run(db, save_place, data, who.username)}


@router.post("/places", summary="Add a place (devices receive it at their next pull)",
             response_model=PlaceSaved, response_model_exclude_unset=True,
             # 409: a place was opened from the start-up it names already
             responses=answers(*OFFICE, 409), openapi_extra=documented(PlaceBody))
async def add_place(request: Request, who: Officer, db: Db) -> dict[str, Any]:
    return await _save(request, who, db, None)


@router.put("/places/{place_id}", summary="Edit a place; send `rev` to refuse lost updates",
            response_model=PlaceSaved, response_model_exclude_unset=True,
            responses=answers(*OFFICE, 404, 409), openapi_extra=documented(PlaceBody))
async def edit_place(place_id: str, request: Request, who: Officer, db: Db) -> dict[str, Any]:
    return await _save(request, who, db, place_id)


@router.get("/places/{place_id}/attendance",
            summary="A place's attendance by category, month by month, for a fiscal year",
            response_model=Attendance, responses=answers(*OFFICE, 404))
async def attendance(place_id: str, who: Officer, db: Db, fiscal_year: int = YEAR
                     ) -> Attendance:
    def work(conn: Connection) -> dict[str, dict[str, int]]:
        if not any(p["id"] == place_id for p in reports.places(conn)):
            raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
        months = reports.attendance(conn, place_id, fiscal_year)
        return {m: dict(c) for m, c in months.items()}

    return Attendance(fiscal_year=fiscal_year, place_id=place_id, months=await run(db, work))


@router.get("/places/{place_id}/members/{fiscal_year}",
            summary="A registration program's registered members for a year (counts)",
            response_model=Members, responses=answers(*OFFICE))
async def get_members(place_id: str, who: Officer, db: Db, fiscal_year: int = IN_PATH
                      ) -> dict[str, Any]:
    return await run(db, survey.members, place_id, fiscal_year)


@router.put("/places/{place_id}/members/{fiscal_year}",
            summary="Record registered members by age band and sex (from the roster, "
                    "never names; audited)",
            response_model=Members, responses=answers(*OFFICE, 404),
            openapi_extra=documented(MembersBody))
async def put_members(place_id: str, request: Request, who: Officer, db: Db,
                      fiscal_year: int = IN_PATH) -> dict[str, Any]:
    asked = (await body(request, MembersBody, limit=16_384)).model_dump(exclude_unset=True)
    return await run(db, survey.set_members, place_id, fiscal_year, asked, who.username)


