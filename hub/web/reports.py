"""The office API for what is reported: grant compliance of every place, the year's
reports (XLSX or CSV) and a place's 実績報告書 (PDF or XLSX)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from hub import gallery, grants, planning
from hub.audit import audit
from hub.contract.errors import OFFICE, answers
from hub.contract.reports import Compliance
from hub.documents import annual_report, export, report_files, reports, survey
from hub.documents.filenames import content_disposition
from hub.errors import NotFound
from hub.reference import reference
from hub.web.deps import Db, Officer, Today, run

router = APIRouter()
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf",
         "csv": "text/csv; charset=utf-8"}
YEAR = Query(..., ge=2000, le=2100, description="fiscal year (April to March), e.g. 2026")
TABLES = ("activity", "monthly", "startups", "summary", "survey")


def _file(description: str, *formats: str) -> dict[int | str, dict[str, Any]]:
    """A file answer's `responses=`: its media types, and the errors (a place not found)."""
    return {200: {"description": description,
                  "content": {MEDIA[f]: {"schema": {"type": "string", "format": "binary"}}
                              for f in formats}},
            **answers(*OFFICE, 404)}


def _period(p: Any) -> dict[str, Any]:
    return {"start": p.span.start.isoformat(), "end": p.span.end.isoformat(), "state": p.state,
            "qualifying": len(p.qualifying), "required": p.required}


def _condition(c: Any) -> dict[str, Any]:
    return {"key": c.key, "ja": c.label.ja, "en": c.label.en, "kind": c.kind, "state": c.state,
            "periods": [_period(p) for p in c.periods], "value": c.value,
            "minimum": c.minimum, "needed": c.needed,
            "by": c.by.isoformat() if c.by else None}


@router.get("/compliance", summary="Grant compliance of every place for a fiscal year",
            response_model=Compliance, responses=answers(*OFFICE))
async def compliance(who: Officer, db: Db, today: Today, fiscal_year: int = YEAR
                     ) -> dict[str, Any]:
    def work(conn: Connection) -> list[dict[str, Any]]:
        built = reports.build(conn, reference(conn), fiscal_year, today)
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
                "opened_on": r.opened_on, "closed_on": r.closed_on,
                "conditions": [_condition(x) for x in c.conditions] if c else [],
                "warnings": [{"code": w.code, "ja": w.ja, "en": w.en}
                             for w in c.warnings] if c else []})
        return out

    return {"fiscal_year": fiscal_year, "places": await run(db, work)}


@router.get("/reports", summary="The activity report and monthly summary as XLSX or CSV",
            response_class=Response,
            responses=_file("The XLSX (every table), or the one CSV table asked for",
                            "xlsx", "csv"))
async def report(who: Officer, db: Db, today: Today, fiscal_year: int = YEAR,
                 format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                 table: str = Query("activity", pattern="^(" + "|".join(TABLES) + ")$",
                                    description="which CSV (an XLSX holds both)"),
                 place_id: str = Query("", max_length=36)) -> Response:
    def work(conn: Connection) -> tuple[str, bytes]:
        ref = reference(conn)
        built = reports.build(conn, ref, fiscal_year, today)
        place_name = ""
        if place_id:
            built = [r for r in built if r.place_id == place_id]
            if not built:
                raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
            place_name = built[0].name
        files = export.documents(built, ref, fiscal_year, format, place_name,
                                 planning.startup_report(conn, fiscal_year),
                                 grants.listing(conn, fiscal_year),
                                 survey.survey(conn, ref, fiscal_year),
                                 council=annual_report.council_name(conn))
        names = list(files)
        which = TABLES.index(table)
        if format == "xlsx" or which >= len(names):
            which = 0
        name = names[which]
        audit(conn, who.username, "report_exported", str(fiscal_year),
              json.dumps({"format": format, "table": table, "place_id": place_id}))
        return name, files[name]

    name, data = await run(db, work)
    return Response(data, media_type=MEDIA[format], headers={
        "Content-Disposition": content_disposition(name)})


@router.get("/places/{place_id}/annual-report",
            summary="A place's 実績報告書 for a fiscal year, as PDF or XLSX (audited)",
            response_class=Response,
            responses=_file("The 実績報告書 as PDF or XLSX", "pdf", "xlsx"))
async def annual(place_id: str, who: Officer, db: Db, today: Today, fiscal_year: int = YEAR,
                 format: str = Query("pdf", pattern="^(pdf|xlsx)$")) -> Response:
    def work(conn: Connection, day: dt.date) -> tuple[str, bytes]:
        ref = reference(conn)
        year = annual_report.load(conn, ref, place_id, fiscal_year, day)
        shown = gallery.in_report(conn, place_id, fiscal_year, who)
        data = report_files.pdf(year, ref, shown) if format == "pdf" else report_files.xlsx(
            year, ref, shown)
        audit(conn, who.username, "place_report_exported", place_id,
              json.dumps({"fiscal_year": fiscal_year, "format": format}))
        return report_files.file_name(year, format), data

    name, data = await run(db, work, today)
    return Response(data, media_type=MEDIA[format], headers={
        "Content-Disposition": content_disposition(name)})
