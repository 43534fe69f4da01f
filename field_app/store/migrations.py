"""Forward migrations of the data directory.

Format 1 (the prototype) kept everything in one TinyDB JSONStorage file,
`ibasho.json`: a `records` table holding every kind with integer doc ids and
record schema 1, and an `outbox` table of `{record_id, rev}`. Format 2 is the
journal store (`store/`), one table per kind keyed by record id. The old file is
renamed, never deleted, once the new snapshot is safely on disk.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from core.domain.upgrade import upgrade
from field_app.store.errors import StoreCorruptError
from field_app.store.journal import SNAPSHOT, JournalStorage, Tables

log = logging.getLogger(__name__)

V1_FILE = "ibasho.json"
STORE_DIR = "store"


def migrate(data_dir: Path, **storage_options: Any) -> bool:
    """Bring `data_dir` to the current format; True when something was migrated."""
    old = data_dir / V1_FILE
    if not old.exists():
        return False
    done = old.with_name(V1_FILE + ".v1-migrated")
    if (data_dir / STORE_DIR / SNAPSHOT).exists():
        old.rename(done)  # an earlier migration got as far as the snapshot
        return False
    try:
        with TinyDB(old, storage=JSONStorage, access_mode="r") as db:
            tables = _convert(db)
    except (ValueError, KeyError, TypeError) as exc:
        kept = old.with_name(V1_FILE + ".unreadable")
        old.rename(kept)
        raise StoreCorruptError(f"{V1_FILE} (format 1) could not be migrated: {exc}", kept) from exc
    storage = JournalStorage(data_dir / STORE_DIR, initial=tables, **storage_options)
    storage.close()
    old.rename(done)
    log.info("migrated %s (format 1) to %s", old, data_dir / STORE_DIR)
    return True


def _convert(db: TinyDB) -> Tables:
    tables: Tables = {}
    for doc in db.table("records").all():
        record = upgrade(doc)
        tables.setdefault(str(record["kind"]), {})[str(record["id"])] = record
    for entry in db.table("outbox").all():
        record_id = str(entry["record_id"])
        kind = next((k for k, docs in tables.items() if record_id in docs), None)
        if kind is not None:
            tables.setdefault("outbox", {})[record_id] = {"kind": kind, "rev": int(entry["rev"])}
    for doc in db.table("device").all():
        tables.setdefault("meta", {})["device"] = {"id": str(doc["id"])}
    return tables
