"""The office API for places, grant compliance and the yearly reports."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from core.domain import clock
from core.domain.fiscal import fiscal_year_of
from core.domain.overrides import editable
from hub import accounts, grants, planning
from hub.audit import audit
from hub.documents import annual_report, export, report_files, reports, survey
from hub.documents.filenames import content_disposition
from hub.errors import BadRequest, NotFound
from hub.places import save_place
from hub.reference import reference, save_reference
from hub.web.access import Transaction, as_officer
from hub.web.request_body import read_json

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf",
         "csv": "text/csv; charset=utf-8"}
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")


def _today() -> dt.date:
    return clock.today()


def _period(p: Any) -> dict[str, Any]:
    return {"start": p.span.start.isoformat(), "end": p.span.end.isoformat(), "state": p.state,
            "qualifying": len(p.qualifying)}


def _condition(c: Any) -> dict[str, Any]:
    return {"key": c.key, "ja": c.label.ja, "en": c.label.en, "kind": c.kind, "state": c.state,
            "periods": [_period(p) for p in c.periods], "value": c.value,
            "minimum": c.minimum, "needed": c.needed,
            "by": c.by.isoformat() if c.by else None}


def data_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    @router.get("/places", summary="Every place, in kana order")
    async def places(authorization: str | None = Header(None)) -> dict[str, Any]:
        found = await as_officer(in_tx, authorization, lambda conn, who: reports.places(conn))
        return {"places": sorted(found, key=lambda p: p.get("kana") or p["name"]),
                "fiscal_year": fiscal_year_of(_today())}

    async def _save(request: Request, authorization: str | None, place_id: str | None
                    ) -> dict[str, Any]:
        body = await read_json(request, limit=16_384)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
        if place_id is not None:
            body["id"] = place_id[:36]
        elif "id" in body:
            raise BadRequest("a new place gets its id from the hub; PUT /places/{id} edits one",
                             message_ja="新しい場所にIDは指定できません。")
        return {"place": await as_officer(
            in_tx, authorization, lambda conn, who: save_place(conn, body, who.username))}

    @router.post("/places", summary="Add a place (devices receive it at their next pull)")
    async def add_place(request: Request, authorization: str | None = Header(None)
                        ) -> dict[str, Any]:
        return await _save(request, authorization, None)

    @router.put("/places/{place_id}", summary="Edit a place; send `rev` to refuse lost updates")
    async def edit_place(place_id: str, request: Request,
                         authorization: str | None = Header(None)) -> dict[str, Any]:
        return await _save(request, authorization, place_id)

    @router.get("/reference", summary="Referral destinations and program settings as in force")
    async def get_reference(authorization: str | None = Header(None)) -> dict[str, Any]:
        return await as_officer(in_tx, authorization,
                                lambda conn, who: editable(reference(conn)))

    @router.put("/reference", summary="Change destinations (add, edit, retire) and program "
                                      "settings; devices receive them at their next pull")
    async def put_reference(request: Request, authorization: str | None = Header(None)
                            ) -> dict[str, Any]:
        body = await read_json(request, limit=262_144)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")

        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            save_reference(conn, body, who.username)
            return editable(reference(conn))

        return await as_officer(in_tx, authorization, work)

    @router.get("/compliance", summary="Grant compliance of every place for a fiscal year")
    async def compliance(authorization: str | None = Header(None), fiscal_year: int = YEAR
                         ) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> list[dict[str, Any]]:
            built = reports.build(conn, reference(conn), fiscal_year, _today())
            out = []
            for r in built:
                c = r.compliance
                out.append({
                    "place_id": r.place_id, "name": r.name, "program": r.program,
                    "gatherings": r.gatherings, "participants": r.participants,
                    "assessed": r.assessed, "met": r.periods_met, "missed": r.periods_missed,
                    "qualifying": sum(len(p.qualifying) for p in c.periods) if c else 0,
                    "periods": [_period(p) for p in c.periods] if c else [],
                    "state": c.state if c and c.assessed else "",
                    "conditions": [_condition(x) for x in c.conditions] if c else [],
                    "warnings": [{"code": w.code, "ja": w.ja, "en": w.en}
                                 for w in c.warnings] if c else []})
            return out

        return {"fiscal_year": fiscal_year,
                "places": await as_officer(in_tx, authorization, work)}

    @router.get("/places/{place_id}/attendance",
                summary="A place's attendance by category, month by month, for a fiscal year")
    async def attendance(place_id: str, authorization: str | None = Header(None),
                         fiscal_year: int = YEAR) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> dict[str, Any]:
            if not any(p["id"] == place_id for p in reports.places(conn)):
                raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
            months = reports.attendance(conn, place_id, fiscal_year)
            return {m: dict(c) for m, c in months.items()}

        return {"fiscal_year": fiscal_year, "place_id": place_id,
                "months": await as_officer(in_tx, authorization, work)}

    @router.get("/reports", summary="The activity report and monthly summary as XLSX or CSV",
                response_class=Response)
    async def report(authorization: str | None = Header(None), fiscal_year: int = YEAR,
                     format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                     table: str = Query("activity",
                                        pattern="^(activity|monthly|startups|summary|survey)$",
                                        description="which CSV (an XLSX holds both)"),
                     place_id: str = Query("", max_length=36)) -> Response:
        def work(conn: Any, who: accounts.OfficeUser) -> tuple[str, bytes]:
            ref = reference(conn)
            built = reports.build(conn, ref, fiscal_year, _today())
            place_name = ""
            if place_id:
                built = [r for r in built if r.place_id == place_id]
                if not built:
                    raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
                place_name = built[0].name
            files = export.documents(built, ref, fiscal_year, format, place_name,
                                     planning.startup_report(conn, fiscal_year),
                                     grants.listing(conn, fiscal_year),
                                     survey.survey(conn, ref, fiscal_year))
            names = list(files)
            which = ("activity", "monthly", "startups", "summary", "survey").index(table)
            if format == "xlsx" or which >= len(names):
                which = 0
            name = names[which]
            audit(conn, who.username, "report_exported", str(fiscal_year),
                  json.dumps({"format": format, "table": table, "place_id": place_id}))
            return name, files[name]

        name, data = await as_officer(in_tx, authorization, work)
        return Response(data, media_type=MEDIA[format], headers={
            "Content-Disposition": content_disposition(name)})

    @router.get("/places/{place_id}/members/{fiscal_year}",
                summary="A registration program's registered members for a year (counts)")
    async def get_members(place_id: str, fiscal_year: int = Path(..., ge=2000, le=2100),
                          authorization: str | None = Header(None)) -> dict[str, Any]:
        return await as_officer(in_tx, authorization, lambda conn, who: survey.members(
            conn, place_id, fiscal_year))

    @router.put("/places/{place_id}/members/{fiscal_year}",
                summary="Record registered members by age band and sex (from the roster, "
                        "never names; audited)")
    async def put_members(place_id: str, request: Request,
                          fiscal_year: int = Path(..., ge=2000, le=2100),
                          authorization: str | None = Header(None)) -> dict[str, Any]:
        body = await read_json(request, limit=16_384)
        return await as_officer(in_tx, authorization, lambda conn, who: survey.set_members(
            conn, place_id, fiscal_year, body, who.username))

    @router.get("/places/{place_id}/annual-report",
                summary="A place's 実績報告書 for a fiscal year, as PDF or XLSX (audited)",
                response_class=Response)
    async def annual(place_id: str, authorization: str | None = Header(None),
                     fiscal_year: int = YEAR,
                     format: str = Query("pdf", pattern="^(pdf|xlsx)$")) -> Response:
        def work(conn: Any, who: accounts.OfficeUser) -> tuple[str, bytes]:
            ref = reference(conn)
            year = annual_report.load(conn, ref, place_id, fiscal_year, _today())
            data = report_files.pdf(year, ref) if format == "pdf" else report_files.xlsx(
                year, ref)
            audit(conn, who.username, "place_report_exported", place_id,
                  json.dumps({"fiscal_year": fiscal_year, "format": format}))
            return report_files.file_name(year, format), data

        name, data = await as_officer(in_tx, authorization, work)
        return Response(data, media_type=MEDIA[format], headers={
            "Content-Disposition": content_disposition(name)})

    return router
