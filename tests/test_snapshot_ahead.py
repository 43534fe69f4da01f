"""The store's snapshot parsed while the PIN is typed (store.snapshot.Ahead): the opening
that follows takes it only while it is still the file on disk, and then holds exactly what
reading the file holds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from field_app.store import Store, open_sealed
from field_app.store.migrations import STORE_DIR
from field_app.store.snapshot import Ahead, Parsed
from tests.factories import concern, gathering


def tables(store: Store) -> dict[str, dict[str, Any]]:
    with store._storage.lock:
        return {t: {k: dict(d) for k, d in docs.items()}
                for t, docs in store._storage.read().items()}


def parsed_ahead(data: Path) -> Parsed | None:
    ahead = Ahead()
    ahead.start(data / STORE_DIR)
    return ahead.take()


def test_a_snapshot_parsed_ahead_opens_as_the_file_does(tmp_path: Path) -> None:
    key = os.urandom(32)
    with open_sealed(tmp_path, key) as store:
        for i in range(30):
            store.save(concern(subject_alias=f"{i}さん") if i % 3 else gathering())
        store._storage.compact()
        store.save(gathering())  # in the journal, after the snapshot
    parsed = parsed_ahead(tmp_path)
    assert parsed is not None and len(parsed.items) > 30
    # parsed without the key: what is sensitive is still sealed in it
    assert not any("さん" in str(doc) for _, _, doc in parsed.items)
    with open_sealed(tmp_path, key, ahead=parsed) as store:
        taken = tables(store)
    assert parsed.items == []  # taken, and let go of as it was decoded
    with open_sealed(tmp_path, key) as store:
        assert taken == tables(store)
    assert sum(1 for d in taken["concern"].values() if d["subject_alias"].endswith("さん")) == 20


def test_a_snapshot_parsed_before_the_store_changed_is_not_taken(tmp_path: Path) -> None:
    key = os.urandom(32)
    with open_sealed(tmp_path, key) as store:
        store.save(gathering())
        store._storage.compact()
    parsed = parsed_ahead(tmp_path)  # then the store is opened and written meanwhile
    later = gathering()
    with open_sealed(tmp_path, key) as store:
        store.save(later)
        store._storage.compact()  # a new snapshot, replacing the one parsed
    assert parsed is not None
    with open_sealed(tmp_path, key, ahead=parsed) as store:
        assert store.get("gathering", later.id) is not None
    assert parsed.items != []  # not taken: the file was another


def test_nothing_is_parsed_ahead_of_a_store_with_no_snapshot(tmp_path: Path) -> None:
    assert parsed_ahead(tmp_path) is None
    assert Ahead().take() is None  # nothing begun
