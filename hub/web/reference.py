"""The office API for the reference data: referral destinations and program settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection

from core.domain.overrides import editable
from hub.contract.errors import OFFICE, answers
from hub.contract.reference import ReferenceBody, ReferenceDoc
from hub.reference import reference, save_reference
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()


@router.get("/reference", summary="Referral destinations and program settings as in force",
            response_model=ReferenceDoc, responses=answers(*OFFICE))
async def get_reference(who: Officer, db: Db) -> dict[str, Any]:
    return await run(db, lambda conn: editable(reference(conn)))


@router.put("/reference", summary="Change destinations (add, edit, retire) and program "
                                  "settings; devices receive them at their next pull",
            response_model=ReferenceDoc, responses=answers(*OFFICE),
            openapi_extra=documented(ReferenceBody))
async def put_reference(request: Request, who: Officer, db: Db) -> dict[str, Any]:
    asked = (await body(request, ReferenceBody, limit=262_144)).model_dump(exclude_unset=True)

    def work(conn: Connection) -> dict[str, Any]:
        save_reference(conn, asked, who.username)
        return editable(reference(conn))

    return await run(db, work)
