"""TinyDB's tables over the journal storage, keyed by record id, with writes that cost what
they change.

TinyDB's own `Table._update_table` copies the whole table, lets the operation change the
copy, and hands the whole database to `Storage.write`: every save O(records). Here the
operation runs against a view of the live table that records what it sets and deletes
(reads fall through, a document is copied only when it is taken to be changed), and only
those documents go to the journal. TinyDB's insert, update, upsert, remove and truncate
all work, on the same journal, and a batch of them is one durable line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, cast

from tinydb import TinyDB
from tinydb.table import Table

from field_app.store.journal import JournalStorage, Op

Doc = dict[str, Any]


class Changes(MutableMapping[str, Doc]):
    """A live table as a TinyDB operation sees it, keeping its changes apart."""

    def __init__(self, live: Mapping[str, Doc]) -> None:
        self.live = live
        self.set: dict[str, Doc] = {}
        self.gone: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self.set or (key in self.live and key not in self.gone)

    def __getitem__(self, key: str) -> Doc:
        if key in self.set:
            return self.set[key]
        if key in self.gone or key not in self.live:
            raise KeyError(key)
        taken = dict(self.live[key])  # the operation may change it in place (update)
        self.set[key] = taken
        return taken

    def __setitem__(self, key: str, doc: Doc) -> None:
        self.set[key] = doc
        self.gone.discard(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.set.pop(key, None)
        self.gone.add(key)

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self.live if k not in self.gone and k not in self.set)
        yield from self.set

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def ops(self, table: str) -> list[Op]:
        """What changed: deletions, then documents that differ from the live ones."""
        out: list[Op] = [(table, key, None) for key in self.gone if key in self.live]
        out += [(table, key, doc) for key, doc in self.set.items() if self.live.get(key) != doc]
        return out


class RecordTable(Table):
    """A TinyDB table keyed by record id (a UUID string) instead of an integer."""

    document_id_class = str  # type: ignore[assignment]

    def put(self, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace the whole document under `key`."""
        def replace(table: Any) -> None:
            table[key] = dict(doc)

        self._update_table(replace)

    def delete(self, key: str) -> None:
        self.remove(doc_ids=[key])  # type: ignore[list-item]  # our ids are strings

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        storage = cast(JournalStorage, self.storage)
        with storage.lock:
            live = storage.read().get(self.name, {})
        changes = Changes(live)
        updater(cast(dict[int, Mapping[str, Any]], changes))
        ops = changes.ops(self.name)
        if ops:
            storage.apply(ops)  # the storage clears the query caches once memory changed


class RecordDB(TinyDB):
    """TinyDB on the journal storage: a table's query cache is dropped whenever a write to
    it lands in memory (a batch lands at its end), not when the write is handed over."""

    table_class = RecordTable

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(JournalStorage, self.storage).on_commit = self._landed

    def _landed(self, tables: set[str]) -> None:
        for name in tables:
            self.table(name).clear_cache()

    def table(self, name: str, **kwargs: Any) -> RecordTable:
        return cast(RecordTable, super().table(name, **kwargs))
