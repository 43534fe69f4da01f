"""The office API for the 第三者提供記録 (listed with filters, exported as XLSX or CSV) and
for disclosure requests (find every record about one person, export what is held). Exports,
searches and disclosures are audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from core.domain import clock
from hub import accounts, disclosure, provisions
from hub import concerns as inbox
from hub.audit import audit
from hub.documents import export
from hub.documents.filenames import content_disposition
from hub.errors import BadRequest
from hub.reference import reference
from hub.web.access import Transaction, as_officer
from hub.web.places import MEDIA
from hub.web.request_body import read_json


def _day(name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} is not a date", message_ja=f"{name} の日付が読めません。",
                         problems=[{"field": name, "value": text[:20],
                                    "expected_en": "a date, YYYY-MM-DD",
                                    "expected_ja": "日付（YYYY-MM-DD）"}]) from None


def _attachment(name: str, fmt: str, data: bytes) -> Response:
    return Response(data, media_type=MEDIA[fmt], headers={
        "Content-Disposition": content_disposition(name)})


def provisions_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    def filters(since: str, until: str, recipient: str, basis: str, place_id: str,
                concern_id: str) -> provisions.Filters:
        return provisions.Filters(_day("since", since), _day("until", until), recipient, basis,
                                  place_id, concern_id)

    @router.get("/provisions", summary="The 第三者提供記録, newest first, with filters")
    async def listing(authorization: str | None = Header(None),
                      since: str = Query("", max_length=10), until: str = Query("", max_length=10),
                      recipient: str = Query("", max_length=64),
                      basis: str = Query("", max_length=40),
                      place_id: str = Query("", max_length=36),
                      concern_id: str = Query("", max_length=36)) -> dict[str, Any]:
        f = filters(since, until, recipient, basis, place_id, concern_id)

        def work(conn: Any, who: accounts.OfficeUser) -> list[dict[str, Any]]:
            found = provisions.listing(conn, f)
            # recipients, items and legal bases are about people: who looked, at how many
            audit(conn, who.username, "provisions_listed", concern_id, json.dumps({
                "rows": len(found), "since": since, "until": until, "recipient": recipient,
                "basis": basis, "place_id": place_id, "concern_id": concern_id}))
            return found

        found = await as_officer(in_tx, authorization, work)
        return {"provisions": found, "total": len(found), "limit": provisions.MAX_ROWS}

    @router.get("/provisions/export", response_class=Response,
                summary="The 第三者提供記録 as XLSX or CSV (UTF-8 with BOM; audited)")
    async def export_file(authorization: str | None = Header(None),
                          format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                          since: str = Query("", max_length=10),
                          until: str = Query("", max_length=10),
                          recipient: str = Query("", max_length=64),
                          basis: str = Query("", max_length=40),
                          place_id: str = Query("", max_length=36)) -> Response:
        f = filters(since, until, recipient, basis, place_id, "")

        def work(conn: Any, who: accounts.OfficeUser) -> bytes:
            rows = provisions.rows(provisions.listing(conn, f), reference(conn),
                                   inbox.place_names(conn))
            audit(conn, who.username, "provisions_exported", "", json.dumps(
                {"format": format, "rows": len(rows) - 1, "since": since, "until": until,
                 "recipient": recipient, "basis": basis, "place_id": place_id}))
            return export.xlsx_bytes({"第三者提供記録": rows}) if format == "xlsx" \
                else export.csv_bytes(rows)

        data = await as_officer(in_tx, authorization, work)
        return _attachment(f"teikyo-kiroku.{format}", format, data)

    @router.get("/disclosure", summary="Find every concern about one person: from one of "
                                       "their concerns, or by place and descriptor (audited)")
    async def search(authorization: str | None = Header(None),
                     concern_id: str = Query("", max_length=36),
                     place_id: str = Query("", max_length=36),
                     age_band: str = Query("", max_length=40),
                     gender: str = Query("", max_length=40),
                     alias: str = Query("", max_length=40)) -> dict[str, Any]:
        who_is = disclosure.Subject(place_id, age_band, gender, alias)
        found = await as_officer(in_tx, authorization, lambda conn, who: disclosure.search(
            conn, who.username, concern_id=concern_id, subject=who_is))
        return {"concerns": found, "total": len(found)}

    @router.post("/disclosure/export", response_class=Response,
                 summary="Everything held about the chosen concerns, provisions included, "
                         "as XLSX (audited)")
    async def disclose(request: Request, authorization: str | None = Header(None)) -> Response:
        body = await read_json(request, limit=32_768)
        ids = body.get("concern_ids") if isinstance(body, dict) else None
        if not isinstance(ids, list):
            raise BadRequest('expected {"concern_ids": [...]}',
                             message_ja="開示する気づきの記録を選んでください。",
                             problems=[{"field": "concern_ids", "value": str(ids)[:40],
                                        "expected_en": "a list of concern ids",
                                        "expected_ja": "気づきの記録のID一覧"}])
        data = await as_officer(in_tx, authorization, lambda conn, who: disclosure.export(
            conn, reference(conn), ids, who.username))
        stamp = clock.today().isoformat()
        return _attachment(f"kaiji-{stamp}.xlsx", "xlsx", data)

    return router
