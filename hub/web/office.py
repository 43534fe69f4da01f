"""The office's HTTP API under /api/v1/office: one router per noun, each behind the
signed-in officer (hub/web/deps.py, checked against hub/roles.py), assembled here.

Every read of person-level or sealed data and every change is audited with who and when.
Device tokens do not work here, and office sessions do not work on the device API."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hub.web import accounts as sessions
from hub.web import audit as audit_log
from hub.web import (
    concerns,
    devices,
    gallery,
    grants,
    places,
    planning,
    provisions,
    redactions,
    reports,
    visits,
)
from hub.web import reference as reference_web
from hub.web.deps import officer
from sync.protocol import API

OFFICE = f"{API}/office"

# every route of every router below passes `officer` first (roles.py)
router = APIRouter(prefix=OFFICE, tags=["office"], dependencies=[Depends(officer)])
for noun in (sessions, audit_log, concerns, places, reference_web, reports, devices, planning,
             grants, provisions, redactions, visits, gallery):
    router.include_router(noun.router)
