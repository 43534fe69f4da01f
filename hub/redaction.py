"""Lawful erasure in the append-only logs (DESIGN §8): an admin redacts one text of one audit
or provision row — an individual number that got in before the guards, or any text the law
says must go. The row stays; that text becomes a mark saying who, when and why; the
redaction is recorded (table `redactions`, append-only) and audited without the text.
The database lets nothing else change those rows (migration 0013).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection

from core.domain import my_number
from hub.audit import audit
from hub.db import schema
from hub.db.engine import utcnow
from hub.errors import BadRequest, NotFound
from hub.text_guard import refuse_numbers

# the texts a redaction may replace, by table (kept in step with migration 0013)
TEXTS: dict[str, tuple[str, ...]] = {
    "audit": ("actor", "subject", "detail"),
    "provisions": ("recipient_name", "items", "subject", "basis_note", "recorded_by"),
}
# texts that hold JSON: the mark goes in as JSON of the same shape, so readers still parse
_JSON_OBJECT = {("audit", "detail"), ("provisions", "subject")}
_JSON_LIST = {("provisions", "items")}
MARK_MAX = 100  # the narrowest redactable column (audit.subject, actor, recorded_by)
REASON_MAX = 500
PREFIX = "［削除済み"


def _table(name: str) -> Table:
    return schema.audit if name == "audit" else schema.provisions


def mark(at: dt.datetime, actor: str, reason: str) -> str:
    """What the text becomes: ［削除済み: 2026-12-06 admin による。理由: …］, cut to fit."""
    head = f"{PREFIX}: {at:%Y-%m-%d} {actor[:30]} による。理由: "
    room = MARK_MAX - len(head) - 1
    why = reason if len(reason) <= room else reason[: room - 1] + "…"
    return f"{head}{why}］"


def _stored(table: str, column: str, text: str) -> str:
    if (table, column) in _JSON_OBJECT:
        return json.dumps({"redacted": text}, ensure_ascii=False)
    if (table, column) in _JSON_LIST:
        return json.dumps([text], ensure_ascii=False)
    return text


def _problem(field: str, value: Any, en: str, ja: str) -> BadRequest:
    return BadRequest(f"{field}: expected {en}", message_ja=f"{field}: {ja}", problems=[
        {"field": field, "value": str(value)[:40], "expected_en": en, "expected_ja": ja}])


def check(body: Any) -> tuple[str, int, str, str]:
    """The request as the office or the CLI sends it: table, row, field, reason."""
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object", message_ja="JSONオブジェクトで送ってください。")
    refuse_numbers(body)
    table, row, field, reason = (body.get(k) for k in ("table", "row", "field", "reason"))
    if table not in TEXTS:
        raise _problem("table", table, "audit or provisions", "audit または provisions")
    if isinstance(row, bool) or not isinstance(row, int) or row < 1:
        raise _problem("row", row, "the row's seq (a whole number from 1)", "行番号（1以上の整数）")
    if field not in TEXTS[str(table)]:
        listed = ", ".join(TEXTS[str(table)])
        raise _problem("field", field, f"one of: {listed}", f"次のいずれか: {listed}")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        raise _problem("reason", reason, f"why, 1 to {REASON_MAX} characters (required)",
                       f"理由（必須、{REASON_MAX}文字以内）")
    return str(table), row, str(field), reason.strip()


def redact(conn: Connection, table: str, row: int, field: str, reason: str, actor: str
           ) -> dict[str, Any]:
    """Replace one text of one row with the redaction mark (in the caller's transaction)."""
    t = _table(table)
    current = conn.execute(select(t.c[field]).where(t.c.seq == row)).first()
    if current is None:
        raise NotFound(f"no {table} row {row}", message_ja=f"{table} の {row} 行は見つかりません。")
    if PREFIX in str(current[0]):
        raise _problem("field", field, "a text not redacted already", "未削除の項目")
    now = utcnow()
    new = _stored(table, field, mark(now, actor, reason))
    conn.execute(insert(schema.redactions).values(
        at=now, actor=actor, table_name=table, row_seq=row, column_name=field, reason=reason,
        mark=new))
    conn.execute(update(t).where(t.c.seq == row).values({field: new}))
    audit(conn, actor, "redacted", f"{table}#{row}", json.dumps(
        {"table": table, "row": row, "field": field, "reason": reason}, ensure_ascii=False))
    return {"table": table, "row": row, "field": field, "at": now.isoformat(), "mark": new}


def find_numbers(conn: Connection) -> Iterator[tuple[str, int, str]]:
    """(table, row, field) of each text holding an individual number; never the text."""
    for table, columns in TEXTS.items():
        t = _table(table)
        for r in conn.execute(select(t.c.seq, *(t.c[c] for c in columns)).order_by(t.c.seq)):
            for column in columns:
                if my_number.holds_number(_readable(str(getattr(r, column) or ""))):
                    yield table, int(r.seq), column


def _readable(text: str) -> str:
    """JSON as its text reads (full-width digits may be escaped as \\uff11 in it)."""
    if text[:1] in "{[\"":
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text
