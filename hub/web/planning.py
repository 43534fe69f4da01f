"""The office API for planning: staff assignments, the start-up board, and opening a place
from a start-up."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Header, Request

from hub import accounts, devices, planning
from hub.audit import audit
from hub.errors import BadRequest
from hub.web.access import Transaction, as_officer
from hub.web.request_body import read_json


def planning_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    @router.get("/assignments", summary="Every staff member (from enrolled devices and "
                                        "assignments) with the places and areas they have")
    async def listing(authorization: str | None = Header(None)) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            given = planning.assignments(conn)
            staff = {d.staff_name for d in devices.list_devices(conn) if d.revoked_at is None}
            return {"staff": sorted(staff | set(given)),
                    "assignments": {name: given.get(name, {"places": [], "areas": []})
                                    for name in sorted(staff | set(given))}}

        return await as_officer(in_tx, authorization, work)

    @router.put("/assignments/{staff_name}",
                summary="Set a staff member's places and areas; their devices receive it at "
                        "the next pull")
    async def assign(staff_name: str, request: Request,
                     authorization: str | None = Header(None)) -> dict[str, Any]:
        body = await read_json(request, limit=65_536)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
        saved = await as_officer(in_tx, authorization, lambda conn, who: planning.set_assignment(
            conn, staff_name, body, who.username))
        return {"staff_name": staff_name, "assignment": saved}

    @router.get("/startups", summary="Every start-up consultation, with the place it became")
    async def startups(authorization: str | None = Header(None)) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> list[dict[str, Any]]:
            found = planning.startups(conn)
            # the board shows notes sealed on the tablet: who read them, and how many
            audit(conn, who.username, "startups_read", detail=json.dumps({"rows": len(found)}))
            return found

        return {"startups": await as_officer(in_tx, authorization, work)}

    @router.post("/startups/{startup_id}/place",
                 summary="Open the place a start-up became (stage 開設): its fields carried "
                         "over, the link kept both ways")
    async def open_place(startup_id: str, request: Request,
                         authorization: str | None = Header(None)) -> dict[str, Any]:
        body = await read_json(request, limit=16_384) if await request.body() else {}
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
        place = await as_officer(in_tx, authorization, lambda conn, who: planning.open_place(
            conn, startup_id, body, who.username))
        return {"place": place}

    return router
