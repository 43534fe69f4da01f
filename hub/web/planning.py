"""The office API for planning: staff assignments, the start-up board, and opening a place
from a start-up."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection

from hub import devices, planning
from hub.audit import audit
from hub.contract.errors import OFFICE, answers
from hub.contract.planning import (
    AssignmentBody,
    Assignments,
    AssignmentSaved,
    OpenPlaceBody,
    PlaceOpened,
    Startups,
)
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()


@router.get("/assignments", summary="Every staff member (from enrolled devices and "
                                    "assignments) with the places and areas they have",
            response_model=Assignments, responses=answers(*OFFICE))
async def listing(who: Officer, db: Db) -> dict[str, Any]:
    def work(conn: Connection) -> dict[str, Any]:
        given = planning.assignments(conn)
        staff = {d.staff_name for d in devices.list_devices(conn) if d.revoked_at is None}
        return {"staff": sorted(staff | set(given)),
                "assignments": {name: given.get(name, {"places": [], "areas": []})
                                for name in sorted(staff | set(given))}}

    return await run(db, work)


@router.put("/assignments/{staff_name}",
            summary="Set a staff member's places and areas; their devices receive it at "
                    "the next pull",
            response_model=AssignmentSaved, responses=answers(*OFFICE),
            openapi_extra=documented(AssignmentBody))
async def assign(staff_name: str, request: Request, who: Officer, db: Db) -> dict[str, Any]:
    asked = (await body(request, AssignmentBody, limit=65_536)).model_dump(exclude_unset=True)
    saved = await run(db, planning.set_assignment, staff_name, asked, who.username)
    return {"staff_name": staff_name, "assignment": saved}


@router.get("/startups", summary="Every start-up consultation, with the place it became",
            response_model=Startups, responses=answers(*OFFICE))
async def startups(who: Officer, db: Db) -> dict[str, Any]:
    def work(conn: Connection) -> list[dict[str, Any]]:
        found = planning.startups(conn)
        # the board shows notes sealed on the tablet: who read them, and how many
        audit(conn, who.username, "startups_read", detail=json.dumps({"rows": len(found)}))
        return found

    return {"startups": await run(db, work)}


@router.post("/startups/{startup_id}/place",
             summary="Open the place a start-up became (stage 開設): its fields carried "
                     "over, the link kept both ways",
             response_model=PlaceOpened, response_model_exclude_unset=True,
             # 404: no such start-up; 409: not at stage 開設, or a place was opened already
             responses=answers(*OFFICE, 404, 409),
             openapi_extra=documented(OpenPlaceBody, required=False))
async def open_place(startup_id: str, request: Request, who: Officer, db: Db
                     ) -> dict[str, Any]:
    asked = (await body(request, OpenPlaceBody, limit=16_384)).model_dump(
        exclude_unset=True) if await request.body() else {}
    return {"place": await run(db, planning.open_place, startup_id, asked, who.username)}
