"""Taking in a push: one result per record, and a bad record never fails its neighbours.

Each record is checked on its own (validation, ownership, revision); only then are the
accepted ones written, in one transaction with the idempotency record and the audit
entry. Replaying a batch, or a single record, changes nothing (`duplicate`).

The checking (`check_batch`) needs no transaction. On SQLite the hub checks before it
opens the one that writes (`write_checked`), so the single writer is not held while Python
checks a hundred records; on PostgreSQL, whose writers do not block each other, a push is
one transaction from the token to the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import String, any_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from core.domain.errors import ValidationError
from core.domain.kinds import FIELD_KINDS, parse_record
from core.domain.problem import shown
from core.domain.reference import Reference
from core.domain.upgrade import upgrade
from hub.audit import audit
from hub.db import schema
from hub.db.bulk import insert_rows
from hub.db.engine import utcnow
from hub.devices import Device
from sync.protocol import (
    ACCEPTED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    STALE,
    RecordResult,
    canonical,
    hash_of,
)

_SORTED = orjson.OPT_SORT_KEYS

# the field that gives each kind its day (the `day` column: a fiscal year is read by it)
DAY_FIELD = {"gathering": "date", "visit_note": "date", "visit_plan": "date",
             "concern": "observed_on", "photo": "taken_on"}


def record_day(doc: Mapping[str, Any]) -> str | None:
    day = doc.get(DAY_FIELD.get(str(doc.get("kind")), ""))
    return day[:10] if isinstance(day, str) else None


def canonical_text(body: Mapping[str, Any]) -> str:
    """`protocol.canonical`, the same text (tested), at half the cost: the hub only."""
    try:
        return orjson.dumps(body, option=_SORTED).decode()
    except TypeError:  # what orjson will not write (an integer past 64 bits): the stdlib does
        return canonical(body)


def answer_json(value: Any) -> bytes:
    """A push's answer as JSON: orjson, or the stdlib (escaping to ASCII) for what orjson
    will not write (a lone surrogate echoed back from a refused value)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


def problem(field: str, value: Any, en: str, ja: str) -> dict[str, str]:
    return {"field": field, "value": shown(value), "expected_en": en, "expected_ja": ja}


def stored_response(conn: Connection, device_id: str, key: str) -> list[dict[str, Any]] | None:
    row = conn.execute(select(schema.idempotency.c.response).where(
        schema.idempotency.c.device_id == device_id, schema.idempotency.c.key == key)).first()
    return json.loads(row.response) if row else None


class Checked(NamedTuple):
    """One pushed record after its checks: its body and the body's canonical text and
    hash when it passed, or the refusal."""
    id: str
    rev: int
    body: dict[str, Any] | None
    text: str
    digest: str
    refused: RecordResult | None


def check_batch(batch: Sequence[Any], device: Device, ref: Reference, today: dt.date
                ) -> list[Checked]:
    out = []
    for raw in batch:
        rid, rev, body, refused = _check(raw, device, ref, today)
        # stored as the text its hash is of: one encoding, not two
        text = canonical_text(body) if body is not None else ""
        out.append(Checked(rid, rev, body, text, hash_of(text) if text else "", refused))
    return out


def write_checked(conn: Connection, device: Device, checked: Sequence[Checked],
                  key: str | None) -> list[dict[str, Any]]:
    """Apply a checked batch and keep its answer under `key`. The caller has looked the key
    up in this transaction (`stored_response`): a push racing it under the same key meets
    the unique index and is retried, and then finds this answer."""
    existing = _existing(conn, [c.id for c in checked if c.body is not None])
    _read_changing(conn, existing, [c.id for c in checked if c.body is not None
                                    and c.id in existing and existing[c.id].hash != c.digest])
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    arrivals: list[dict[str, Any]] = []  # each version of a concern, for the office's history
    results: list[RecordResult] = []
    for rid, rev, body, text, digest, refused in checked:
        if refused is not None or body is None:
            results.append(refused or RecordResult(rid, rev, REJECTED))
            continue
        row = {"id": rid, "kind": body["kind"], "device_id": device.id,
               "staff_name": device.staff_name, "rev": rev,
               "body": text, "body_hash": digest,
               "received_at": now, "day": record_day(body)}
        known = existing.get(rid)
        if known is None:
            inserts.append(row)
            existing[rid] = Known(rev, digest, device.id, row["kind"], body.get("author"))
            results.append(RecordResult(rid, rev, ACCEPTED))
            if row["kind"] == "concern":
                arrivals.append(_arrival(row, "concern_received"))
            continue
        hub_rev, hub_hash = known.rev, known.hash
        clash = _changed_identity(body, known)
        if known.owner != device.id:
            results.append(RecordResult(rid, rev, REJECTED, problems=(problem(
                "id", rid, "a record id of this device", "この端末で作成した記録のID"),)))
        elif rev == hub_rev and digest == hub_hash:
            results.append(RecordResult(rid, rev, DUPLICATE, hub_rev=hub_rev))
        elif clash:  # before the conflict: a clash of kinds is no edit to choose between
            results.append(RecordResult(rid, rev, REJECTED, problems=tuple(clash)))
        elif rev == hub_rev:
            conflicts.append({"record_id": rid, "rev": rev, "device_id": device.id,
                              "body": row["body"], "body_hash": digest, "received_at": now})
            results.append(RecordResult(rid, rev, CONFLICT, hub_rev=hub_rev))
        elif rev < hub_rev:
            results.append(RecordResult(rid, rev, STALE, hub_rev=hub_rev))
        else:
            _replace(inserts, updates, row)
            existing[rid] = known._replace(rev=rev, hash=digest)
            results.append(RecordResult(rid, rev, ACCEPTED))
            if row["kind"] == "concern":
                arrivals.append(_arrival(row, "concern_updated"))
    insert_rows(conn, schema.records, inserts)
    if updates:
        conn.execute(update(schema.records).where(schema.records.c.id == bindparam("b_id"))
                     .values(rev=bindparam("rev"), body=bindparam("body"),
                             body_hash=bindparam("body_hash"),
                             received_at=bindparam("received_at"), day=bindparam("day")),
                     [{**u, "b_id": u["id"]} for u in updates])
    if conflicts:
        conn.execute(insert(schema.conflicts), conflicts)
    insert_rows(conn, schema.audit, arrivals)
    wire = [r.to_json() for r in results]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    conn.execute(update(schema.devices).where(schema.devices.c.id == device.id)
                 .values(last_push_at=now))
    audit(conn, device.id, "push", device.staff_name, json.dumps(counts))
    if key is not None:
        conn.execute(insert(schema.idempotency).values(
            device_id=device.id, key=key, response=answer_json(wire).decode(),
            created_at=now))
    return wire


class Known(NamedTuple):
    """What the hub holds of a record: its rev and hash, and what identifies it (the device
    that owns it, its kind, and its author: None where the body was not read)."""
    rev: int
    hash: str
    owner: str
    kind: str
    author: str | None


_KNOWN = select(schema.records.c.id, schema.records.c.rev, schema.records.c.body_hash,
                schema.records.c.device_id, schema.records.c.kind)
_ANY_ID = schema.records.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(String)))
# PostgreSQL: one array parameter, so the statement's text is the same for any batch and
# the server plans it once (an IN list of a hundred placeholders was new text each time)
_KNOWN_PG = _KNOWN.where(_ANY_ID)
# the rows a push may change, whole, locked until it commits: a push racing it in another
# hub process waits, then reads the rev this one wrote (SQLite: the writer lock did it)
_CHANGING = _KNOWN.add_columns(schema.records.c.body).order_by(schema.records.c.id)
_CHANGING_PG = _CHANGING.where(_ANY_ID).with_for_update()


def _existing(conn: Connection, ids: list[str]) -> dict[str, Known]:
    """Rev, hash, owner and kind of each id the hub already holds."""
    found: dict[str, Known] = {}
    if not ids:
        return found
    if conn.dialect.name == "postgresql":
        hits = conn.execute(_KNOWN_PG, {"ids": ids}).all()
    else:
        hits = [hit for start in range(0, len(ids), 500) for hit in conn.execute(
            _KNOWN.where(schema.records.c.id.in_(ids[start:start + 500])))]
    for hit in hits:
        found[hit.id] = Known(hit.rev, hit.body_hash, hit.device_id, hit.kind, None)
    return found


def _read_changing(conn: Connection, existing: dict[str, Known], ids: list[str]) -> None:
    """Read again, whole, the held records this push sends another version of (their
    author is in the body): what a replay sends again costs nothing more."""
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        hits = conn.execute(_CHANGING_PG, {"ids": sorted(set(ids))}).all()
    else:
        hits = [hit for start in range(0, len(ids), 500) for hit in conn.execute(
            _CHANGING.where(schema.records.c.id.in_(ids[start:start + 500])))]
    for hit in hits:
        author = json.loads(hit.body).get("author")
        existing[hit.id] = Known(hit.rev, hit.body_hash, hit.device_id, hit.kind,
                                 author if isinstance(author, str) else "")


def _changed_identity(body: Mapping[str, Any], known: Known) -> list[dict[str, str]]:
    """A version may change what a record says, never which record it is: a concern sent
    again as a start-up would leave the inbox, the disclosure search and its export while
    its provision record stayed; another author would make it someone else's record."""
    out = []
    if body["kind"] != known.kind:
        out.append(problem("kind", body["kind"],
                           f"{known.kind}: the kind this record was stored as (a record keeps "
                           "its kind; another kind is a new record with a new id)",
                           f"{known.kind}（この記録が保存された種類。種類は変えられません。"
                           "別の種類なら新しい記録として作成します）"))
    if known.author is not None and body.get("author") != known.author:
        out.append(problem("author", body.get("author"),
                           f"{known.author}: the author this record was stored with (a record "
                           "keeps its author)",
                           f"{known.author}（この記録を作成した職員。作成者は変えられません）"))
    return out


def _arrival(row: Mapping[str, Any], action: str) -> dict[str, Any]:
    """The audit entry for a concern version taken in (the records row keeps only the last)."""
    return {"at": row["received_at"], "actor": row["device_id"], "action": action,
            "subject": row["id"], "detail": json.dumps({"rev": row["rev"]})}


def _replace(inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
             row: dict[str, Any]) -> None:
    """A newer rev of a record: a pending insert of the same id is rewritten in place."""
    for pending in inserts:
        if pending["id"] == row["id"]:
            pending.update(row)
            return
    updates[:] = [u for u in updates if u["id"] != row["id"]] + [row]


def _check(raw: Any, device: Device, ref: Any, today: dt.date
           ) -> tuple[str, int, dict[str, Any] | None, RecordResult | None]:
    if not isinstance(raw, Mapping):
        return "", 0, None, RecordResult("", 0, REJECTED, problems=(problem(
            "record", raw, "a JSON object", "JSONオブジェクト"),))
    raw_id, raw_rev = raw.get("id"), raw.get("rev")
    rid = raw_id[:36] if isinstance(raw_id, str) else ""
    rev = raw_rev if isinstance(raw_rev, int) and not isinstance(raw_rev, bool) else 0

    def refuse(*problems: dict[str, str]) -> tuple[str, int, None, RecordResult]:
        return rid, rev, None, RecordResult(rid, rev, REJECTED, problems=problems)

    if raw.get("kind") not in FIELD_KINDS:
        return refuse(problem("kind", raw.get("kind"), "one of: " + ", ".join(FIELD_KINDS),
                              "端末から送れる種類: " + "、".join(FIELD_KINDS)))
    if raw.get("device_id") != device.id:
        return refuse(problem("device_id", raw.get("device_id"),
                              "the id of the device that is pushing", "送信している端末のID"))
    try:
        data = upgrade(raw)
    except ValueError:
        return refuse(problem("schema", raw.get("schema"), "a known record schema",
                              "対応している記録の版"))
    try:
        record = parse_record(data, ref, today=today, from_device=True)
    except ValidationError as exc:
        return refuse(*(p.as_dict() for p in exc.problems))
    return rid, rev, record.to_dict(), None
