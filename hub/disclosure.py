"""A disclosure request (開示請求, APPI 第33条): find every record the hub holds about one
person, and export what is held — each concern with what was observed, the office's actions,
the history, any conflicting version, and every provision to a third party.

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
from hub.documents.export import xlsx_bytes
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


def export(conn: Connection, ref: Reference, ids: Sequence[str], actor: str) -> bytes:
    """Everything held about the concerns `ids`, as one workbook (audited, per concern too)."""
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

    def label(enum: str, key: object) -> str:
        option = ref.option(enum, key) if isinstance(key, str) and key else None
        return option.label.ja if option else str(key or "")

    def destination(key: object) -> str:
        found = next((d for d in ref.destinations if d.key == key), None)
        return found.label.ja if found else str(key or "")

    held: list[list[Any]] = [["気づきID", "版", "気づいた日", "場所", "年代", "性別", "呼び名",
                              "分類", "緊急度", "本人の同意", "法的根拠", "根拠の補足",
                              "気づいたこと", "つなぎ先（候補）", "次の確認日", "記録した職員",
                              "受信日時"]]

    def version(cid: str, doc: Mapping[str, Any], which: str, staff: str, at: str) -> None:
        held.append([cid, which, doc.get("observed_on", ""), places.get(doc.get("place_id", ""), ""),
                     label("age_bands", doc.get("subject_age_band")),
                     label("genders", doc.get("subject_gender")), doc.get("subject_alias", ""),
                     "・".join(label("concern_categories", k) for k in doc.get("categories", [])),
                     label("urgency", doc.get("urgency")), label("consent", doc.get("consent")),
                     label("legal_basis", doc.get("legal_basis")),
                     doc.get("legal_basis_note", ""), doc.get("observed", ""),
                     destination(doc.get("suggested_destination")), doc.get("follow_up_on") or "",
                     staff, at])

    acted: list[list[Any]] = [["気づきID", "状況", "つなぎ先", "つないだ日", "方法", "結果・フィード"
                               "バック", "終了日", "法的根拠（事務局）", "根拠の補足", "更新日時",
                               "更新した職員"]]
    story: list[list[Any]] = [["気づきID", "日時", "誰が", "何を"]]
    given: list[dict[str, Any]] = []
    for cid in wanted:
        r = rows[cid]
        version(cid, json.loads(r.body), f"rev {r.rev}", r.staff_name, clock.minute(r.received_at))
        for c in conn.execute(select(schema.conflicts).where(schema.conflicts.c.record_id == cid)):
            version(cid, json.loads(c.body), f"rev {c.rev}（競合版）", "", clock.minute(c.received_at))
        part = parts.get(cid)
        if part:
            acted.append([cid, label("concern_status", part.get("status")),
                          destination(part.get("destination")), part.get("referred_on") or "",
                          part.get("method", ""), part.get("feedback", ""),
                          part.get("closed_on") or "", label("legal_basis", part.get("legal_basis")),
                          part.get("legal_basis_note", ""), clock.minute(part.get("updated_at") or ""),
                          part.get("updated_by", "")])
        for e in inbox.history(conn, cid):
            story.append([cid, clock.minute(e["at"]), e["actor"], e["action"]])
        given += provisions.listing(conn, provisions.Filters(concern_id=cid))
        audit(conn, actor, "concern_disclosed", cid)
    audit(conn, actor, "disclosure_export", "", json.dumps({"concern_ids": wanted}))
    return xlsx_bytes({"保有している記録": held, "事務局の対応": acted, "経過": story,
                       "第三者提供記録": provisions.rows(given, ref, places),
                       "写真": [[PHOTOS]]})


# what the export says of photos: none is linked to a person's records, by construction
PHOTOS = ("写真はこの開示に含まれません。写真は集い・訪問記録・立ち上げ相談に付けるもので、"
          "気づき（本人についての記録）には付けられない仕組みのため、本人の記録に結び付く写真は"
          "ありません。")
