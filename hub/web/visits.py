"""The office API for the staff's visits, consultations and meetings: visit notes listed
(without their sealed text, or with it for the roles allowed), passed follow-ups, a place's
history and the year's counts. Every read that lists notes is audited with its filters and
counts; a read of their sealed text also names each note shown."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.engine import Connection

from hub import visits
from hub.audit import audit
from hub.contract.errors import OFFICE, answers
from hub.contract.visits import FollowUps, PlaceHistory, VisitCounts, VisitNotes, Visits
from hub.reference import reference
from hub.web.deps import Db, Officer, Today, run

router = APIRouter()
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")


def _filters(place_id: str, staff: str, visit_type: str, fiscal_year: int | None,
             since: str, until: str) -> visits.Filters:
    return visits.Filters(place_id, staff, visit_type, fiscal_year, since, until)


# the listing's query, shared by both reads of it
PLACE = Query("", max_length=36)
STAFF = Query("", max_length=100, description="the staff member whose tablet sent the note")
TYPE = Query("", max_length=40, description="a key of visit_types")
IN_YEAR = Query(None, ge=2000, le=2100, description="only this fiscal year (April to March)")
SINCE = Query("", max_length=40, description="first day (YYYY-MM-DD), included")
UNTIL = Query("", max_length=40, description="last day (YYYY-MM-DD), included")
LIMIT = Query(visits.MAX_ROWS, ge=1, le=visits.MAX_ROWS)
OFFSET = Query(0, ge=0, le=10_000_000)


def _listed(conn: Connection, filters: visits.Filters, offset: int, limit: int, *,
            with_text: bool) -> dict[str, Any]:
    return visits.page(visits.listing(conn, reference(conn), filters, with_text=with_text),
                       offset, limit)


@router.get("/visits", summary="Visit notes (visits, consultations, meetings) by place, "
                               "staff member, type and days, newest first; no sealed text "
                               "(audited)",
            response_model=Visits, responses=answers(*OFFICE))
async def listing(who: Officer, db: Db, place_id: str = PLACE, staff: str = STAFF,
                  visit_type: str = TYPE, fiscal_year: int | None = IN_YEAR,
                  since: str = SINCE, until: str = UNTIL, limit: int = LIMIT,
                  offset: int = OFFSET) -> Visits:
    filters = _filters(place_id, staff, visit_type, fiscal_year, since, until)

    def work(conn: Connection) -> Visits:
        found = _listed(conn, filters, offset, limit, with_text=False)
        if found["visits"]:
            audit(conn, who.username, "visits_listed", detail=json.dumps({
                "filters": filters.shown(), "offset": offset, "rows": len(found["visits"]),
                "total": found["total"]}))
        return Visits.model_validate(found)

    return await run(db, work)


@router.get("/visits/notes", summary="The same notes with their observations and decisions "
                                     "(sealed on the tablet; audited, naming each note)",
            response_model=VisitNotes, responses=answers(*OFFICE))
async def notes(who: Officer, db: Db, place_id: str = PLACE, staff: str = STAFF,
                visit_type: str = TYPE, fiscal_year: int | None = IN_YEAR,
                since: str = SINCE, until: str = UNTIL, limit: int = LIMIT,
                offset: int = OFFSET) -> VisitNotes:
    filters = _filters(place_id, staff, visit_type, fiscal_year, since, until)

    def work(conn: Connection) -> VisitNotes:
        found = _listed(conn, filters, offset, limit, with_text=True)
        if found["visits"]:
            # the ids, never the text: who read which note can be answered later
            audit(conn, who.username, "visit_notes_read", detail=json.dumps({
                "filters": filters.shown(), "offset": offset, "rows": len(found["visits"]),
                "total": found["total"], "notes": [v["id"] for v in found["visits"]]}))
        return VisitNotes.model_validate(found)

    return await run(db, work)


@router.get("/visits/follow-ups",
            summary="Follow-up dates that have passed with nobody back since, oldest first "
                    "(no sealed text; audited)",
            response_model=FollowUps, responses=answers(*OFFICE))
async def follow_ups(who: Officer, db: Db, today: Today, place_id: str = PLACE,
                     staff: str = STAFF) -> FollowUps:
    def work(conn: Connection) -> FollowUps:
        found = visits.passed_follow_ups(conn, today, place_id=place_id, staff=staff)
        if found:
            audit(conn, who.username, "follow_ups_listed", detail=json.dumps({
                "filters": {k: v for k, v in (("place_id", place_id), ("staff", staff)) if v},
                "rows": len(found)}))
        return FollowUps.model_validate({"today": today.isoformat(), "follow_ups": found})

    return await run(db, work)


@router.get("/visits/counts",
            summary="Per place, the year's staff visits, consultations, meetings and other "
                    "contacts (counts only)",
            response_model=VisitCounts, responses=answers(*OFFICE))
async def counts(who: Officer, db: Db, fiscal_year: int = YEAR) -> VisitCounts:
    found = await run(db, visits.counts, fiscal_year)
    return VisitCounts.model_validate({"fiscal_year": fiscal_year, "places": found})


@router.get("/places/{place_id}/history",
            summary="A place's year by date: gatherings (counts) and visit notes (no sealed "
                    "text); audited",
            response_model=PlaceHistory, responses=answers(*OFFICE, 404))
async def place_history(place_id: str, who: Officer, db: Db, fiscal_year: int = YEAR
                        ) -> PlaceHistory:
    def work(conn: Connection) -> PlaceHistory:
        events = visits.place_history(conn, place_id[:36], fiscal_year)
        if events:
            audit(conn, who.username, "place_history_read", place_id[:36], json.dumps({
                "fiscal_year": fiscal_year, "events": len(events),
                "visits": sum(e["kind"] == "visit_note" for e in events)}))
        return PlaceHistory.model_validate({"place_id": place_id[:36],
                                            "fiscal_year": fiscal_year, "events": events})

    return await run(db, work)
