"""Activity photos at the office: a place's photos of a year (from its gatherings, visit
notes and the start-up it was opened from), a record's photos, a photo's bytes and a
thumbnail made here from them, and the photos chosen for the place's 実績報告書.

A photo shows people: every listing and every picture read is audited by the caller's
router; the report shows only photos whose record says `use` = report (報告書に使用可,
decided on the tablet where the picture was taken), chosen by the office, up to the number
the data sets (data/hub_photos.json)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from core.domain import clock
from core.domain.fiscal import fiscal_year_bounds
from core.reference_data import photo_settings
from hub import photos, roles
from hub.accounts import OfficeUser
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.documents.report_photos import ReportPhoto
from hub.errors import BadRequest, NotFound

THUMBNAIL = 320  # px: the long side of a thumbnail
DAY = {"gathering": "date", "visit_note": "date"}

r, rp = schema.records.c, schema.report_photos.c


def _rows(conn: Connection, docs: Sequence[Mapping[str, Any]], staff: Mapping[str, str],
          chosen: Iterable[str] = ()) -> list[dict[str, Any]]:
    parents = _parents(conn, {str(d["record_id"]) for d in docs})
    held = photos.stored(conn, sorted({str(d["sha256"]) for d in docs}))
    cutoff = _cutoff(conn)
    picked = set(chosen)
    out = []
    for d in sorted(docs, key=lambda d: (d["taken_on"], d["id"])):
        upload = held.get(d["sha256"])
        state = "kept" if upload and upload.complete else "arriving" if upload else \
            "expired" if d["taken_on"] < cutoff else "waiting"
        parent = parents.get(d["record_id"], {})
        out.append({"id": d["id"], "record_id": d["record_id"],
                    "record_kind": d["record_kind"],
                    "record_day": str(parent.get(DAY.get(d["record_kind"], ""), "") or ""),
                    "taken_on": d["taken_on"], "caption": d.get("caption", ""),
                    "use": d.get("use", "record_only"), "width": d["width"],
                    "height": d["height"], "size": d["size"],
                    "staff_name": staff.get(d["id"], ""), "bytes": state,
                    "received": upload.received if upload else 0,
                    "chosen": d["id"] in picked})
    return out


def _cutoff(conn: Connection) -> str:
    years = photos.keeping(conn)["photo_years"]
    today = clock.today()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:
        return today.replace(year=today.year - years, day=28).isoformat()


def _parents(conn: Connection, ids: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        for row in conn.execute(select(r.id, r.body).where(r.id.in_(wanted[start:start + 500]))):
            out[row.id] = json.loads(row.body)
    return out


def place_photos(conn: Connection, place_id: str, fiscal_year: int) -> dict[str, Any]:
    """A place's gallery for a fiscal year: the photos taken that year of its gatherings,
    its visit notes and the start-up it was opened from."""
    place = conn.execute(select(schema.places.c.startup_id).where(
        schema.places.c.id == place_id[:36])).first()
    if place is None:
        raise NotFound(f"no place {place_id}", message_ja="その場所は見つかりません。")
    first, last = fiscal_year_bounds(fiscal_year)
    docs, staff = [], {}
    for row in conn.execute(select(r.id, r.body, r.staff_name).where(
            r.kind == "photo", r.day.between(first.isoformat(), last.isoformat()))):
        docs.append(json.loads(row.body))
        staff[row.id] = row.staff_name
    parents = _parents(conn, {str(d["record_id"]) for d in docs})
    mine = [d for d in docs if _of_place(d, parents.get(d["record_id"]), place_id,
                                         place.startup_id)]
    ids = chosen(conn, place_id, fiscal_year)
    return {"place_id": place_id, "fiscal_year": fiscal_year,
            "photos": _rows(conn, mine, staff, ids), "chosen": ids,
            "report_max": photo_settings()["report_photos"]}


def _of_place(doc: Mapping[str, Any], parent: Mapping[str, Any] | None, place_id: str,
              startup_id: str | None) -> bool:
    if parent is None:
        return False
    if doc["record_kind"] == "startup":
        return bool(startup_id) and parent.get("id") == startup_id
    return parent.get("place_id") == place_id


def record_photos(conn: Connection, record_id: str) -> list[dict[str, Any]]:
    """The photos of one gathering, visit note or start-up."""
    docs, staff = [], {}
    wanted = f'"record_id":"{record_id[:36]}"'  # as the stored text (keys sorted) holds it
    for row in conn.execute(select(r.id, r.body, r.staff_name).where(
            r.kind == "photo", r.body.contains(wanted, autoescape=True))):
        doc = json.loads(row.body)
        if doc.get("record_id") == record_id:
            docs.append(doc)
            staff[row.id] = row.staff_name
    return _rows(conn, docs, staff)


def photo(conn: Connection, photo_id: str) -> tuple[dict[str, Any], photos.Upload]:
    """A photo record and its kept bytes; NotFound if either is missing."""
    body = conn.execute(select(r.body).where(r.id == photo_id[:36], r.kind == "photo")).scalar()
    if body is None:
        raise NotFound("no such photo", message_ja="その写真は見つかりません。")
    doc = json.loads(body)
    upload = photos.find(conn, str(doc["sha256"]))
    if upload is None or not upload.complete:
        raise NotFound("the photo's picture is not on the hub (not sent yet, or removed past "
                       "its keeping period)",
                       message_ja="写真のデータがハブにありません（未送信、または保存期間を過ぎて削除）。")
    return doc, upload


def thumbnail(conn: Connection, sha256: str) -> bytes:
    """A small JPEG made from the kept photo (decoded at a fraction of its size)."""
    from PIL import Image

    with Image.open(photos.opened(conn, sha256), formats=["JPEG"]) as im:
        im.draft("RGB", (THUMBNAIL, THUMBNAIL))
        small = im.convert("RGB")
        small.thumbnail((THUMBNAIL, THUMBNAIL))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=80)
    return out.getvalue()


def chosen(conn: Connection, place_id: str, fiscal_year: int) -> list[str]:
    return list(conn.execute(select(rp.photo_id).where(
        rp.place_id == place_id[:36], rp.fiscal_year == fiscal_year).order_by(rp.position)
    ).scalars())


def _wrong(value: object, en: str, ja: str) -> BadRequest:
    return BadRequest(f"photos: {en}", message_ja=f"報告書に載せる写真：{ja}",
                      problems=[{"field": "photos", "value": str(value)[:64],
                                 "expected_en": en, "expected_ja": ja}])


def choose(conn: Connection, place_id: str, fiscal_year: int, ids: Sequence[str],
           actor: str) -> dict[str, Any]:
    """Set the photos the place's 実績報告書 of the year shows, in order (office-written)."""
    most = photo_settings()["report_photos"]
    if len(set(ids)) != len(ids):
        raise _wrong(ids, "each photo once", "同じ写真は1回だけ選べます")
    if len(ids) > most:
        raise _wrong(len(ids), f"at most {most} photos", f"{most}枚までです")
    gallery = {p["id"]: p for p in place_photos(conn, place_id, fiscal_year)["photos"]}
    for pid in ids:
        found = gallery.get(pid)
        if found is None:
            raise _wrong(pid, f"a photo of this place taken in fiscal year {fiscal_year}",
                         f"この場所の{fiscal_year}年度の写真")
        if found["use"] != "report":
            raise _wrong(pid, "a photo marked 報告書に使用可 on the tablet (this one is 記録のみ)",
                         "端末で「報告書に使用可」とした写真（この写真は「記録のみ」）")
        if found["bytes"] != "kept":
            raise _wrong(pid, "a photo whose picture is on the hub (this one has not arrived)",
                         "データがハブに届いている写真（この写真はまだ届いていません）")
    conn.execute(delete(schema.report_photos).where(
        rp.place_id == place_id, rp.fiscal_year == fiscal_year))
    now = utcnow()
    if ids:
        conn.execute(insert(schema.report_photos), [
            {"place_id": place_id, "fiscal_year": fiscal_year, "photo_id": pid,
             "position": i, "chosen_by": actor, "chosen_at": now} for i, pid in enumerate(ids)])
    return place_photos(conn, place_id, fiscal_year)


def report_photos(conn: Connection, place_id: str, fiscal_year: int) -> list[ReportPhoto]:
    """The chosen photos the report prints: still marked 報告書に使用可, still kept."""
    out = []
    for pid in chosen(conn, place_id, fiscal_year):
        body = conn.execute(select(r.body).where(r.id == pid, r.kind == "photo")).scalar()
        doc = json.loads(body) if body else {}
        if doc.get("use") != "report":
            continue  # the tablet took its 報告書に使用可 back
        upload = photos.find(conn, str(doc.get("sha256")))
        if upload is None or not upload.complete:
            continue
        parent = _parents(conn, {str(doc["record_id"])}).get(str(doc["record_id"]), {})
        out.append(ReportPhoto(b"".join(photos.pieces(conn, upload.sha256)), int(doc["width"]),
                               int(doc["height"]), str(doc["taken_on"]),
                               str(doc.get("caption") or ""),
                               str(parent.get(DAY.get(str(doc["record_kind"]), ""), "") or "")))
    return out


def in_report(conn: Connection, place_id: str, fiscal_year: int, who: OfficeUser
              ) -> list[ReportPhoto]:
    """The photos a report downloaded by `who` shows: none for a role that may not see
    photos (a viewer's copy has no photo page); each photo printed is audited."""
    if not set(who.roles) & roles.OPERATIONS[("GET", "/photos/{photo_id}")]:
        return []
    shown = report_photos(conn, place_id, fiscal_year)
    if shown:
        audit(conn, who.username, "photos_in_report", place_id, json.dumps(
            {"fiscal_year": fiscal_year, "photos": len(shown)}))
    return shown
