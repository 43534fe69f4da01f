"""The office API for activity photos: a place's gallery for a year, a record's photos, a
photo's picture and its thumbnail, and the photos chosen for the place's 実績報告書.
Photos show people: every listing and every picture read is audited."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from hub import gallery, photos
from hub.audit import audit
from hub.contract.errors import OFFICE, answers
from hub.contract.photos import Gallery, PhotoList, ReportPhotosBody
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
IN_PATH = Path(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
JPEG = {200: {"description": "The JPEG", "content": {"image/jpeg": {
    "schema": {"type": "string", "format": "binary"}}}}, **answers(*OFFICE, 404)}


@router.get("/places/{place_id}/photos",
            summary="A place's activity photos of a fiscal year, with their records and the "
                    "ones chosen for its 実績報告書 (audited)",
            response_model=Gallery, responses=answers(*OFFICE, 404))
async def place_photos(place_id: str, who: Officer, db: Db, fiscal_year: int = YEAR
                       ) -> dict[str, Any]:
    def work(conn: Connection) -> dict[str, Any]:
        found = gallery.place_photos(conn, place_id, fiscal_year)
        if found["photos"]:
            audit(conn, who.username, "photos_listed", place_id, json.dumps(
                {"fiscal_year": fiscal_year, "rows": len(found["photos"])}))
        return found

    return await run(db, work)


@router.put("/places/{place_id}/report-photos/{fiscal_year}",
            summary="Choose the photos a place's 実績報告書 shows, in order (only photos "
                    "marked 報告書に使用可; audited)",
            response_model=Gallery, responses=answers(*OFFICE, 404),
            openapi_extra=documented(ReportPhotosBody))
async def choose(place_id: str, request: Request, who: Officer, db: Db,
                 fiscal_year: int = IN_PATH) -> dict[str, Any]:
    asked = await body(request, ReportPhotosBody, limit=16_384)

    def work(conn: Connection) -> dict[str, Any]:
        found = gallery.choose(conn, place_id, fiscal_year, asked.photos, who.username)
        audit(conn, who.username, "report_photos_chosen", place_id, json.dumps(
            {"fiscal_year": fiscal_year, "photos": asked.photos}))
        return found

    return await run(db, work)


@router.get("/records/{record_id}/photos",
            summary="The photos of one gathering, visit note or start-up (audited)",
            response_model=PhotoList, responses=answers(*OFFICE))
async def record_photos(record_id: str, who: Officer, db: Db) -> dict[str, Any]:
    def work(conn: Connection) -> list[dict[str, Any]]:
        found = gallery.record_photos(conn, record_id)
        if found:
            audit(conn, who.username, "photos_listed", record_id[:36],
                  json.dumps({"rows": len(found)}))
        return found

    return {"photos": await run(db, work)}


@router.get("/photos/{photo_id}", summary="A photo's picture, as kept (JPEG; audited)",
            response_class=Response, responses=JPEG)
async def picture(photo_id: str, who: Officer, db: Db) -> Response:
    def work(conn: Connection) -> bytes:
        _, upload = gallery.photo(conn, photo_id)
        audit(conn, who.username, "photo_read", photo_id[:36], json.dumps({"size": "full"}))
        return b"".join(photos.pieces(conn, upload.sha256))

    return Response(await run(db, work), media_type="image/jpeg",
                    headers={"Cache-Control": "no-store"})


@router.get("/photos/{photo_id}/thumbnail",
            summary=f"A photo made small on the hub (long side {gallery.THUMBNAIL} px; JPEG; "
                    "audited)",
            response_class=Response, responses=JPEG)
async def thumbnail(photo_id: str, who: Officer, db: Db) -> Response:
    def work(conn: Connection) -> bytes:
        _, upload = gallery.photo(conn, photo_id)
        audit(conn, who.username, "photo_read", photo_id[:36],
              json.dumps({"size": "thumbnail"}))
        return gallery.thumbnail(conn, upload.sha256)

    return Response(await run(db, work), media_type="image/jpeg",
                    headers={"Cache-Control": "no-store"})
