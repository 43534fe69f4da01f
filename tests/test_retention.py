"""Retention: exactly the closed, synced concerns become stubs; exactly the old, synced
records move to sealed archives; nothing unsynced is reduced or dropped (an old one waits
for the hub in the sealed archive, out of memory: tests/test_parked.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from core.domain.kinds import SENSITIVE
from core.domain.retention import Policy
from field_app.store import Store
from field_app.store.sealing import AesGcmSealer, SealingCodec
from hub import hub_settings
from sync.client import RETENTION_META, enrol
from tests.factories import concern, gathering, visit_note
from tests.hubs import Hub, sync_once

TODAY = dt.date(2026, 11, 27)
CLOSED = {"status": "closed", "destination": "houkatsu", "referred_on": "2026-09-01",
          "method": "", "feedback": "支援につながった", "closed_on": "2026-10-01",
          "updated_at": "", "updated_by": "office"}


def test_retention_prunes_exactly_what_it_should(tmp_path: Path) -> None:
    key = os.urandom(32)
    codec = SealingCodec(SENSITIVE, AesGcmSealer(key))
    with Store(tmp_path, codec=codec) as s:
        synced_closed = concern(observed="閉じた相談の内容")
        recent_closed = concern()
        unsynced_closed = concern()
        open_concern = concern()
        old_note = visit_note(date="2025-06-01", observations="古い訪問の記録")
        old_unsynced = gathering(date="2025-05-01")
        new_gathering = gathering(date="2026-11-01")
        for r in (synced_closed, recent_closed, unsynced_closed, open_concern, old_note,
                  old_unsynced, new_gathering):
            s.save(r)
        s.acknowledge([(r.id, r.rev) for r in (synced_closed, recent_closed, open_concern,
                                               old_note, new_gathering)])
        s.set_office_parts({synced_closed.id: CLOSED, unsynced_closed.id: CLOSED,
                            recent_closed.id: {**CLOSED, "closed_on": "2026-11-20"}})
        stubbed, archived = s.apply_retention(TODAY, Policy(30, 365))
        assert (stubbed, archived) == (1, 1)
        stub = s.get("concern", synced_closed.id)
        assert stub is not None and stub["stub"] and "observed" not in stub
        assert stub["categories"] == list(synced_closed.categories)
        assert stub["office"]["status"] == "closed" and "feedback" not in stub["office"]
        for kept in (recent_closed, unsynced_closed, open_concern):
            assert "observed" in s.get("concern", kept.id)  # type: ignore[operator]
        assert s.get("visit_note", old_note.id) is None
        # unsynced: still waiting, whole, found where it waits (the archive, sealed)
        assert s.get("gathering", old_unsynced.id) == old_unsynced.to_dict()
        assert s.get("gathering", new_gathering.id) is not None
        assert s.pending_count() == 2
        # the archive is sealed on disk and opened only when asked for
        raw = (tmp_path / "archive" / "archive-2025.jsonl").read_bytes()
        assert "古い訪問の記録".encode() not in raw and b"sealed:v1:" in raw
        [back] = [d for d in s.archived(2025) if d["id"] not in s.waiting_ids()]
        assert back["observations"] == "古い訪問の記録"
        assert s.apply_retention(TODAY, Policy(30, 365)) == (0, 0)  # idempotent
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert "閉じた相談の内容".encode() not in on_disk


def test_the_office_sets_the_periods_and_devices_receive_them(tmp_path: Path, hub: Hub) -> None:
    with hub.engine.begin() as conn:
        hub_settings.put(conn, "retention", '{"concern_stub_days": 7, "archive_after_days": 90}',
                       "test")
    with Store(tmp_path) as store:
        enrol(store, hub.url, hub.code(), "tablet")
        store.save(dataclasses.replace(gathering(), device_id=store.device_id))
        token = store.meta("hub")["token"]  # type: ignore[index]
        sync_once(store, hub.url, token)
        assert Policy.of(store.meta(RETENTION_META)) == Policy(7, 90)
