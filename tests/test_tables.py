"""TinyDB's table API on the journal storage: every operation works, survives a reopen, and
writes only the documents it changed (one journal line, however many records there are)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinydb import Query
from tinydb.table import Document

from field_app.store import codec
from field_app.store.journal import JournalStorage, journal_name
from field_app.store.tables import RecordDB

Q = Query()


def journal_ops(directory: Path) -> list[list[list[object]]]:
    """The ops of each journal line since the snapshot."""
    lines = (directory / journal_name(0)).read_bytes().splitlines()
    return [codec.loads(line[9:])["ops"] for line in lines]


@pytest.fixture
def db(tmp_path: Path) -> RecordDB:
    database = RecordDB(tmp_path / "store", storage=JournalStorage)
    yield database
    database.close()


def fill(db: RecordDB, n: int) -> None:
    storage: JournalStorage = db.storage  # type: ignore[assignment]
    with storage.batch():
        for i in range(n):
            db.table("gathering").put(f"g{i:05d}", {"id": f"g{i:05d}", "n": i, "note": "あ"})


def test_each_tinydb_operation_writes_only_what_it_changed(db: RecordDB, tmp_path: Path) -> None:
    fill(db, 2000)
    table = db.table("gathering")
    table.update({"note": "変更"}, doc_ids=["g00007"])  # type: ignore[list-item]
    table.upsert(Document({"id": "g00008", "n": 8, "note": "置換"}, doc_id="g00008"))  # type: ignore[arg-type]
    table.insert(Document({"id": "new", "n": -1}, doc_id="new"))  # type: ignore[arg-type]
    table.remove(doc_ids=["g00009"])  # type: ignore[list-item]
    table.update({"note": "十"}, Q.n == 10)  # a query: scans, but writes the one it changed
    table.remove(Q.n == 11)
    lines = journal_ops(tmp_path / "store")
    assert len(lines[0]) == 2000  # the batch: one line
    assert [[(t, k) for t, k, _ in ops] for ops in lines[1:]] == [
        [("gathering", "g00007")], [("gathering", "g00008")], [("gathering", "new")],
        [("gathering", "g00009")], [("gathering", "g00010")], [("gathering", "g00011")]]
    assert lines[4] == [["gathering", "g00009", None]]
    db.close()
    again = RecordDB(tmp_path / "store", storage=JournalStorage)
    t = again.table("gathering")
    assert len(t) == 2000 - 2 + 1
    assert t.get(doc_id="g00007")["note"] == "変更"  # type: ignore[arg-type,index]
    assert t.get(doc_id="g00008")["note"] == "置換"  # type: ignore[arg-type,index]
    assert t.search(Q.n == 10)[0]["note"] == "十"
    assert not t.contains(doc_id="g00009") and not t.search(Q.n == 11)  # type: ignore[arg-type]
    again.close()


def test_a_write_that_changes_nothing_writes_nothing(db: RecordDB, tmp_path: Path) -> None:
    fill(db, 10)
    db.table("gathering").put("g00001", {"id": "g00001", "n": 1, "note": "あ"})
    db.table("gathering").update({"note": "あ"}, Q.n < 5)
    assert len(journal_ops(tmp_path / "store")) == 1


def test_a_batch_is_all_or_none_and_queries_see_it_only_once_it_landed(db: RecordDB) -> None:
    storage: JournalStorage = db.storage  # type: ignore[assignment]
    fill(db, 3)
    table = db.table("gathering")
    assert len(table.search(Q.n >= 0)) == 3  # cached by TinyDB
    with pytest.raises(RuntimeError), storage.batch():
        table.put("g9", {"id": "g9", "n": 9})
        db.table("outbox").put("g9", {"rev": 1})
        raise RuntimeError("the save failed half-way")
    assert len(table.search(Q.n >= 0)) == 3 and len(db.table("outbox")) == 0
    with storage.batch():
        table.put("g9", {"id": "g9", "n": 9})
        db.table("outbox").put("g9", {"rev": 1})
        assert len(table.search(Q.n >= 0)) == 3  # not on disk yet: not there
    assert len(table.search(Q.n >= 0)) == 4 and len(db.table("outbox")) == 1  # cache cleared
