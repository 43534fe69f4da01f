"""The office's HTTP API under /api/v1/office: one router per noun, each behind the
signed-in officer (hub/web/deps.py, checked against hub/roles.py), assembled here.

Every read of person-level or sealed data and every change is audited with who and when.
Device tokens do not work here, and office sessions do not work on the device API."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hub.web import accounts as sessions
from hub.web import audit as audit_log
from hub.web import concerns, devices, provisions, redactions
from hub.web.access import Transaction
from hub.web.deps import officer
from hub.web.grants import grants_router
from hub.web.places import data_router
from hub.web.planning import planning_router
from sync.protocol import API

OFFICE = f"{API}/office"


def office_router(in_tx: Transaction) -> APIRouter:
    # every route below and in the included routers passes `officer` first (roles.py)
    router = APIRouter(prefix=OFFICE, tags=["office"], dependencies=[Depends(officer)])
    router.include_router(sessions.router)
    router.include_router(audit_log.router)
    router.include_router(concerns.router)
    router.include_router(data_router(in_tx))
    router.include_router(devices.router)
    router.include_router(planning_router(in_tx))
    router.include_router(grants_router(in_tx))
    router.include_router(provisions.router)
    router.include_router(redactions.router)
    return router
