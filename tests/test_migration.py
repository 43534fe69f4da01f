"""Forward migration from a data directory written by format/schema 1 (the prototype)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.domain.kinds import parse_record
from core.domain.upgrade import upgrade
from field_app.store import Store
from tests.factories import REF

FIXTURE = Path(__file__).parent / "fixtures" / "schema1" / "ibasho.json"
GATHERING = "0b6c1f5e-1d2a-4c3b-8e4f-5a6b7c8d9e01"
CONCERN = "0b6c1f5e-1d2a-4c3b-8e4f-5a6b7c8d9e02"
NOTE = "0b6c1f5e-1d2a-4c3b-8e4f-5a6b7c8d9e03"


def test_schema1_directory_is_migrated_and_kept(tmp_path: Path) -> None:
    shutil.copy(FIXTURE, tmp_path / "ibasho.json")
    with Store(tmp_path) as s:
        g = s.get("gathering", GATHERING)
        c = s.get("concern", CONCERN)
        assert g is not None and c is not None and s.get("visit_note", NOTE) is not None
        assert (g["start_time"], g["end_time"], g["staff_visited"]) == ("13:00", "15:30", True)
        assert "start" not in g and g["schema"] == 2 and g["note"] == "梅雨入り前で参加者多め🌂"
        assert c["categories"] == ["dementia_suspected"] and "category" not in c
        # the outbox survives: unsynced work is never lost by an upgrade
        assert {(d["id"], d["rev"]) for d in s.pending()} == {(GATHERING, 3), (CONCERN, 1)}
        assert s.device_id == "7d3c8e52-5c1b-4f7e-9a4a-0c9b8f1e2d3c"
        for doc in (g, c, s.get("visit_note", NOTE)):
            parse_record(doc, REF)  # migrated records are valid records of today's schema
    assert not (tmp_path / "ibasho.json").exists()
    assert (tmp_path / "ibasho.json.v1-migrated").read_bytes() == FIXTURE.read_bytes()
    with Store(tmp_path) as s:  # a second open does not migrate again
        assert s.count("gathering") == 1 and s.pending_count() == 2


def test_interrupted_migration_is_finished_on_next_open(tmp_path: Path) -> None:
    shutil.copy(FIXTURE, tmp_path / "ibasho.json")
    with Store(tmp_path):
        pass
    # as if the process died after writing the snapshot but before renaming the old file
    shutil.copy(FIXTURE, tmp_path / "ibasho.json")
    with Store(tmp_path) as s:
        assert s.count("concern") == 1
    assert not (tmp_path / "ibasho.json").exists()


def test_upgrade_is_pure_and_idempotent_at_current_schema() -> None:
    old = {"kind": "concern", "schema": 1, "category": "dv"}
    new = upgrade(old)
    assert old == {"kind": "concern", "schema": 1, "category": "dv"}
    assert new == {"kind": "concern", "schema": 2, "categories": ["dv"]}
    assert upgrade(new) == new


@pytest.mark.parametrize("schema", [True, False, 0, 3, "2", 1.5, None])
def test_upgrade_refuses_a_schema_that_is_not_one_we_know(schema: object) -> None:
    """Found by the push fuzz: `"schema": true` passed for schema 1 (bool is an int)."""
    with pytest.raises(ValueError, match="unknown record schema"):
        upgrade({"kind": "gathering", "schema": schema})
