"""The 第三者提供記録 (APPI 第29条): every provision of a concern to a third party — the
office's referral, and each later change of destination — with the date, the recipient,
the items passed on, the person described, the basis and who recorded it.

The table is append-only (migration 0009); each row is kept until its own `keep_until`,
set from the retention period in force when it was written (default 3 years), and only
`ibasho-hub retention` removes rows whose day has passed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from core.domain import clock
from core.domain.legal_basis import Basis
from core.domain.reference import Reference
from hub import hub_settings
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.documents.sheet import DATE, MINUTE
from hub.errors import BadRequest

DEFAULT_YEARS = 3
MAX_ROWS = 5000


def years(conn: Connection) -> int:
    """How many years a provision record is kept (hub setting `retention.provision_years`)."""
    doc = json.loads(hub_settings.get(conn, "retention") or "{}")
    return int(doc.get("provision_years", DEFAULT_YEARS))


def keep_until(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def items(raw: object, ref: Reference) -> tuple[str, ...]:
    """The items chosen in the refer dialog; none sent means the minimal default."""
    known = [o.key for o in ref.enums["provision_items"]]
    if raw is None:
        return tuple(o.key for o in ref.enums["provision_items"] if o.attrs.get("default"))
    if not isinstance(raw, list) or not raw or any(k not in known for k in raw) \
            or len(set(raw)) != len(raw):
        raise BadRequest("provide: the items passed on, at least one, each once",
                         message_ja="提供する項目を1つ以上選んでください。",
                         problems=[{"field": "provide", "value": str(raw)[:80],
                                    "expected_en": f"a list of {', '.join(known)}",
                                    "expected_ja": "提供項目の一覧（1つ以上）"}])
    return tuple(k for k in known if k in raw)  # in the data's order


def last_recipient(conn: Connection, concern_id: str) -> str | None:
    return conn.execute(select(schema.provisions.c.recipient)
                        .where(schema.provisions.c.concern_id == concern_id)
                        .order_by(schema.provisions.c.seq.desc()).limit(1)).scalar()


def due(conn: Connection, concern_id: str, part: Mapping[str, Any]) -> bool:
    """Whether this office part passes the concern on: a referral to a destination it was
    not last provided to, or a change of destination after a referral."""
    destination = part.get("destination") or ""
    if not destination:
        return False
    last = last_recipient(conn, concern_id)
    return destination != last and (part.get("status") == "referred" or last is not None)


def no_basis() -> BadRequest:
    return BadRequest(
        "this concern has neither the person's consent nor a legal basis: it cannot be "
        "passed on; record the legal basis first", message_ja=(
            "本人の同意も法的根拠も記録されていないため、つなぐ（第三者に提供する）ことは"
            "できません。先に法的根拠を記録してください。"),
        problems=[{"field": "legal_basis", "value": "", "expected_en":
                   "the person's consent, or a legal basis recorded by the office",
                   "expected_ja": "本人の同意、または事務局が記録する法的根拠"}])


def record(conn: Connection, concern: Mapping[str, Any], concern_id: str,
           part: Mapping[str, Any], basis: Basis, chosen: Sequence[str], actor: str,
           ref: Reference) -> dict[str, Any]:
    """Write one provision record (in the caller's transaction, beside the office part)."""
    now = utcnow()
    recipient = str(part["destination"])
    option = next((d for d in ref.destinations if d.key == recipient), None)
    provided_on = dt.date.fromisoformat(part.get("referred_on") or clock.today(now).isoformat())
    subject = {"age_band": concern.get("subject_age_band", ""),
               "gender": concern.get("subject_gender", ""),
               "alias": concern.get("subject_alias", "")}
    row = dict(concern_id=concern_id, provided_on=provided_on, recipient=recipient,
               recipient_name=option.label.ja if option else recipient,
               items=json.dumps(list(chosen)), subject=json.dumps(subject, ensure_ascii=False),
               place_id=str(concern.get("place_id") or ""), basis=basis.key,
               basis_note=basis.note, basis_by=basis.by,
               consent=str(concern.get("consent") or ""), recorded_by=actor, recorded_at=now,
               keep_until=keep_until(clock.today(now), years(conn)))
    conn.execute(insert(schema.provisions).values(**row))
    return _public(row)


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"concern_id": row["concern_id"], "provided_on": row["provided_on"].isoformat(),
            "recipient": row["recipient"], "recipient_name": row["recipient_name"],
            "items": json.loads(row["items"]), "subject": json.loads(row["subject"]),
            "place_id": row["place_id"], "basis": row["basis"], "basis_note": row["basis_note"],
            "basis_by": row["basis_by"], "consent": row["consent"],
            "recorded_by": row["recorded_by"], "recorded_at": row["recorded_at"].isoformat(),
            "keep_until": row["keep_until"].isoformat()}


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    recipient: str = ""
    basis: str = ""
    place_id: str = ""
    concern_id: str = ""


def listing(conn: Connection, f: Filters) -> list[dict[str, Any]]:
    """Provision records the filters admit, newest first (at most MAX_ROWS)."""
    p = schema.provisions.c
    q = select(schema.provisions)
    for column, value in ((p.recipient, f.recipient), (p.basis, f.basis),
                          (p.place_id, f.place_id), (p.concern_id, f.concern_id)):
        if value:
            q = q.where(column == value)
    if f.since:
        q = q.where(p.provided_on >= f.since)
    if f.until:
        q = q.where(p.provided_on <= f.until)
    rows = conn.execute(q.order_by(p.provided_on.desc(), p.seq.desc()).limit(MAX_ROWS))
    return [{"seq": r.seq, **_public(dict(r._mapping))} for r in rows]


def purge(conn: Connection, actor: str) -> int:
    """Remove the records kept past their day (the database refuses any other delete)."""
    done = conn.execute(delete(schema.provisions)
                        .where(schema.provisions.c.keep_until < func.current_date()))
    if done.rowcount:
        audit(conn, actor, "provisions_expired", "", json.dumps({"count": done.rowcount}))
    return int(done.rowcount)


# the table's dates as dates when it is a workbook
FORMATS = {"提供日": DATE, "記録日時（日本時間）": MINUTE, "保存期限": DATE}
HEADER = ["提供日", "提供先", "提供した項目", "本人（記述子）", "場所", "根拠", "根拠の補足",
          "根拠の記録", "本人の同意", "記録した職員", "記録日時（日本時間）", "保存期限", "気づきID"]


def rows(found: Sequence[Mapping[str, Any]], ref: Reference,
         place_names: Mapping[str, str]) -> list[list[Any]]:
    """The council's 第三者提供記録 as a table (Japanese headings, labels not keys)."""
    def label(enum: str, key: str) -> str:
        option = ref.option(enum, key) if key else None
        return option.label.ja if option else key

    out: list[list[Any]] = [list(HEADER)]
    for r in found:
        s = r["subject"]
        out.append([
            r["provided_on"], r["recipient_name"],
            "・".join(label("provision_items", k) for k in r["items"]),
            "・".join(x for x in (label("age_bands", s.get("age_band", "")),
                                  label("genders", s.get("gender", "")), s.get("alias", ""))
                     if x),
            place_names.get(r["place_id"], ""), label("legal_basis", r["basis"]),
            r["basis_note"], "事務局" if r["basis_by"] == "office" else "記録した職員",
            label("consent", r["consent"]), r["recorded_by"], clock.minute(r["recorded_at"]),
            r["keep_until"], r["concern_id"]])
    return out
