"""The office API for the 第三者提供記録 (listed with filters, exported as XLSX or CSV) and
for disclosure requests (find every record about one person, export what is held, as XLSX
or PDF). Exports,
searches and disclosures are audited."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from core.domain.problem import Problem, shown
from hub import concerns as inbox
from hub import disclosure, provisions
from hub.audit import audit
from hub.contract.errors import OFFICE, answers
from hub.contract.provisions import (
    CSV,
    PDF,
    XLSX,
    DisclosureRequest,
    DisclosureSearch,
    ProvisionList,
    files,
)
from hub.documents import export
from hub.documents.annual_report import council_name
from hub.documents.filenames import content_disposition
from hub.errors import BadRequest
from hub.reference import reference
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, Today, run

router = APIRouter()
MEDIA = {"xlsx": XLSX, "csv": CSV, "pdf": PDF}


def _day(name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} is not a date", message_ja="日付が読めません。",
                         problems=[Problem(name, shown(text), "a date, YYYY-MM-DD",
                                           "日付（YYYY-MM-DD）").as_dict()]) from None


def _attachment(name: str, fmt: str, data: bytes) -> Response:
    return Response(data, media_type=MEDIA[fmt], headers={
        "Content-Disposition": content_disposition(name)})


def _filters(since: str, until: str, recipient: str, basis: str, place_id: str,
             concern_id: str) -> provisions.Filters:
    return provisions.Filters(_day("since", since), _day("until", until), recipient, basis,
                              place_id, concern_id)


@router.get("/provisions", summary="The 第三者提供記録, newest first, with filters",
            response_model=ProvisionList, responses=answers(*OFFICE))
async def listing(who: Officer, db: Db,
                  since: str = Query("", max_length=10), until: str = Query("", max_length=10),
                  recipient: str = Query("", max_length=64),
                  basis: str = Query("", max_length=40),
                  place_id: str = Query("", max_length=36),
                  concern_id: str = Query("", max_length=36)) -> ProvisionList:
    f = _filters(since, until, recipient, basis, place_id, concern_id)

    def work(conn: Connection) -> ProvisionList:
        found = provisions.listing(conn, f)
        # recipients, items and legal bases are about people: who looked, at how many
        audit(conn, who.username, "provisions_listed", concern_id, json.dumps({
            "rows": len(found), "since": since, "until": until, "recipient": recipient,
            "basis": basis, "place_id": place_id, "concern_id": concern_id}))
        return ProvisionList.model_validate({"provisions": found, "total": len(found),
                                             "limit": provisions.MAX_ROWS})

    return await run(db, work)


@router.get("/provisions/export", response_class=Response,
            summary="The 第三者提供記録 as XLSX or CSV (UTF-8 with BOM; audited)",
            responses={**files(XLSX, CSV, what="The 第三者提供記録 as a file (attachment)"),
                       **answers(*OFFICE)})
async def export_file(who: Officer, db: Db,
                      format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                      since: str = Query("", max_length=10),
                      until: str = Query("", max_length=10),
                      recipient: str = Query("", max_length=64),
                      basis: str = Query("", max_length=40),
                      place_id: str = Query("", max_length=36)) -> Response:
    f = _filters(since, until, recipient, basis, place_id, "")

    def work(conn: Connection) -> bytes:
        rows = provisions.rows(provisions.listing(conn, f), reference(conn),
                               inbox.place_names(conn))
        audit(conn, who.username, "provisions_exported", "", json.dumps(
            {"format": format, "rows": len(rows) - 1, "since": since, "until": until,
             "recipient": recipient, "basis": basis, "place_id": place_id}))
        if format == "csv":
            return export.csv_bytes(rows)
        return export.xlsx_bytes({"第三者提供記録": rows}, council=council_name(conn),
                                 formats={"第三者提供記録": provisions.FORMATS})

    return _attachment(f"teikyo-kiroku.{format}", format, await run(db, work))


@router.get("/disclosure", summary="Find every concern about one person: from one of "
                                   "their concerns, or by place and descriptor (audited)",
            response_model=DisclosureSearch, responses=answers(*OFFICE, 404))
async def search(who: Officer, db: Db,
                 concern_id: str = Query("", max_length=36),
                 place_id: str = Query("", max_length=36),
                 age_band: str = Query("", max_length=40),
                 gender: str = Query("", max_length=40),
                 alias: str = Query("", max_length=40)) -> DisclosureSearch:
    who_is = disclosure.Subject(place_id, age_band, gender, alias)

    def work(conn: Connection) -> DisclosureSearch:
        found = disclosure.search(conn, who.username, concern_id=concern_id, subject=who_is)
        return DisclosureSearch.model_validate({"concerns": found, "total": len(found)})

    return await run(db, work)


@router.post("/disclosure/export", response_class=Response,
             summary="Everything held about the chosen concerns, provisions included, "
                     "for the person who asked: XLSX or PDF (audited)",
             responses={**files(XLSX, PDF, what="Everything held about the concerns, with "
                                                "a cover saying what is included and what "
                                                "was provided to whom (attachment)"),
                        **answers(*OFFICE, 404)},
             openapi_extra=documented(DisclosureRequest))
async def disclose(request: Request, who: Officer, db: Db, today: Today,
                   format: str = Query("xlsx", pattern="^(xlsx|pdf)$")) -> Response:
    ids = (await body(request, DisclosureRequest, limit=32_768)).concern_ids
    if not isinstance(ids, list):
        raise BadRequest('expected {"concern_ids": [...]}',
                         message_ja="開示する気づきの記録を選んでください。",
                         problems=[Problem("concern_ids", shown(ids), "a list of concern ids",
                                           "気づきの記録のID一覧").as_dict()])

    def work(conn: Connection) -> bytes:
        return disclosure.export(conn, reference(conn), ids, who.username, format)

    return _attachment(f"kaiji-{today.isoformat()}.{format}", format, await run(db, work))
