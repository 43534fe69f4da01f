"""A disclosure request (開示請求, APPI 第33条): find every record the hub holds about one
person, and export what is held — each concern with what was observed, the office's actions,
the history, any conflicting version, and every provision to a third party, as a workbook
or a PDF for the person (hub/documents/disclosure_files.py).

Concerns are the only records about a person (gatherings are counts, visit notes are about
groups). Photos are never part of it: they attach to gatherings, visit notes and start-ups,
never to a concern, so none is linked to a person's records (the export says so). The
person is found from one of their concerns, or by place and descriptor; both the search and
the export are audited, and each concern exported notes the disclosure in its history."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from core.domain import clock
from core.domain.reference import Reference
from hub import concerns as inbox
from hub import provisions
from hub.audit import audit
from hub.db import schema
from hub.documents import disclosure_files as files
from hub.documents.annual_report import council_name
from hub.errors import BadRequest, NotFound

MAX_EXPORT = 200


def normal(alias: str) -> str:
    """An alias as compared: width, case and spaces do not tell two people apart."""
    return "".join(unicodedata.normalize("NFKC", alias).casefold().split())


@dataclass(frozen=True)
class Subject:
    """Who a request is about: a place and what describes the person there."""

    place_id: str = ""
    age_band: str = ""
    gender: str = ""
    alias: str = ""

    def check(self) -> None:
        if not self.place_id or not (self.alias or self.age_band or self.gender):
            raise BadRequest(
                "name a concern, or a place and at least one of age band, gender, alias",
                message_ja="気づきの記録、または場所と記述子（年代・性別・呼び名のいずれか）を"
                           "指定してください。",
                problems=[{"field": "place_id" if not self.place_id else "alias",
                           "value": "", "expected_en": "a place and a descriptor",
                           "expected_ja": "場所と記述子"}])

    def admits(self, doc: Mapping[str, Any]) -> bool:
        return (doc.get("place_id") == self.place_id
                and (not self.age_band or doc.get("subject_age_band") == self.age_band)
                and (not self.gender or doc.get("subject_gender") == self.gender)
                and (not self.alias or normal(str(doc.get("subject_alias") or ""))
                     == normal(self.alias)))


def _concerns(conn: Connection) -> list[Any]:
    return list(conn.execute(select(schema.records.c.id, schema.records.c.body)
                             .where(schema.records.c.kind == "concern")))


def subject_of(conn: Connection, concern_id: str) -> Subject:
    """The person a concern is about. Without an alias, age band and gender alone could
    be anyone at the place: the search then finds that concern only."""
    body = conn.execute(select(schema.records.c.body).where(
        schema.records.c.id == concern_id, schema.records.c.kind == "concern")).scalar()
    if body is None:
        raise NotFound("no such concern", message_ja="その気づきの記録は見つかりません。")
    doc = json.loads(body)
    return Subject(str(doc.get("place_id") or ""), "", str(doc.get("subject_gender") or ""),
                   str(doc.get("subject_alias") or ""))


def search(conn: Connection, actor: str, *, concern_id: str = "",
           subject: Subject | None = None) -> list[dict[str, Any]]:
    """The concerns that may be about the person, for the officer to confirm (audited)."""
    bodies = {r.id: json.loads(r.body) for r in _concerns(conn)}  # read and parsed once
    if concern_id:
        who = subject_of(conn, concern_id)
        ids = {concern_id}
        if who.alias:  # the same alias at the same place, any age band (people grow older)
            ids |= {rid for rid, doc in bodies.items() if who.admits(doc)}
    else:
        if subject is None:
            subject = Subject()
        subject.check()
        who = subject
        ids = {rid for rid, doc in bodies.items() if who.admits(doc)}
    found = [s for s in inbox.concerns(conn, inbox.Filters()) if s["id"] in ids]
    for s in found:
        doc = bodies[s["id"]]
        s["subject"] = {"age_band": doc.get("subject_age_band", ""),
                        "gender": doc.get("subject_gender", ""),
                        "alias": doc.get("subject_alias", "")}
    audit(conn, actor, "disclosure_search", concern_id, json.dumps(
        {"place_id": who.place_id, "age_band": who.age_band, "gender": who.gender,
         "alias": bool(who.alias), "found": len(found)}))
    return sorted(found, key=lambda s: s["observed_on"])


def export(conn: Connection, ref: Reference, ids: Sequence[str], actor: str,
           fmt: str = "xlsx") -> bytes:
    """Everything held about the concerns `ids`, for the person who asked: a workbook or a
    PDF (hub/documents/disclosure_files.py), the concerns numbered in the order given
    (audited, per concern too; the audit keeps the order, so each number's concern)."""
    if not ids or len(ids) > MAX_EXPORT or not all(isinstance(i, str) for i in ids):
        raise BadRequest(f"concern_ids: 1 to {MAX_EXPORT} concern ids",
                         message_ja="開示する気づきの記録を選んでください。",
                         problems=[{"field": "concern_ids", "value": str(ids)[:80],
                                    "expected_en": f"a list of 1 to {MAX_EXPORT} ids",
                                    "expected_ja": "気づきの記録のID一覧"}])
    wanted = list(dict.fromkeys(i[:36] for i in ids))
    rows = {r.id: r for r in conn.execute(select(schema.records).where(
        schema.records.c.id.in_(wanted), schema.records.c.kind == "concern"))}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFound(f"no concern {missing[0]}", message_ja="その気づきの記録は見つかりません。")
    parts = {r.concern_id: json.loads(r.body) for r in conn.execute(
        select(schema.office_parts).where(schema.office_parts.c.concern_id.in_(wanted)))}
    places = {r.id: json.loads(r.body)["name"]
              for r in conn.execute(select(schema.places.c.id, schema.places.c.body))}
    held = []
    for n, cid in enumerate(wanted, start=1):
        r = rows[cid]
        versions = [files.Version(r.rev, json.loads(r.body), r.staff_name, r.received_at)]
        versions += [files.Version(c.rev, json.loads(c.body), "", c.received_at, conflicting=True)
                     for c in conn.execute(select(schema.conflicts).where(
                         schema.conflicts.c.record_id == cid))]
        held.append(files.Held(n, versions, parts.get(cid), inbox.history(conn, cid),
                               provisions.listing(conn, provisions.Filters(concern_id=cid))))
        audit(conn, actor, "concern_disclosed", cid)
    audit(conn, actor, "disclosure_export", "", json.dumps({"concern_ids": wanted,
                                                            "format": fmt}))
    found = files.Disclosure(council_name(conn), clock.today(), held, places)
    return files.pdf(found, ref) if fmt == "pdf" else files.xlsx(found, ref)
