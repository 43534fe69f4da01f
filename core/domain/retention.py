"""Data minimisation on the device (DESIGN §8): what to keep, reduce or archive, and when.

A closed concern that the hub has is reduced to a stub (id, dates, categories, status)
some days after it was closed; a gathering or visit note the hub has moves to an archive
once older than the office's setting. Nothing unsynced is ever touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STUB_FIELDS = ("id", "kind", "schema", "rev", "created_at", "updated_at", "device_id",
               "observed_on", "categories", "place_id")


@dataclass(frozen=True)
class Policy:
    concern_stub_days: int = 30
    archive_after_days: int = 365

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Policy:
        data = data or {}
        return cls(int(data.get("concern_stub_days", 30)), int(data.get("archive_after_days", 365)))


def is_stub(doc: Mapping[str, Any]) -> bool:
    return bool(doc.get("stub"))


def stub_due(doc: Mapping[str, Any], today: dt.date, policy: Policy) -> bool:
    office = doc.get("office") or {}
    if doc.get("kind") != "concern" or is_stub(doc) or office.get("status") != "closed":
        return False
    closed = office.get("closed_on")
    if not closed:
        return False
    return dt.date.fromisoformat(closed) + dt.timedelta(days=policy.concern_stub_days) <= today


def stub(doc: Mapping[str, Any]) -> dict[str, Any]:
    office = doc.get("office") or {}
    out = {k: doc[k] for k in STUB_FIELDS if k in doc}
    out["office"] = {"status": office.get("status"), "closed_on": office.get("closed_on"),
                     "referred_on": office.get("referred_on")}
    out["stub"] = True
    return out


def archive_due(doc: Mapping[str, Any], today: dt.date, policy: Policy) -> bool:
    if doc.get("kind") not in ("gathering", "visit_note"):
        return False
    day = doc.get("date")
    return bool(day) and dt.date.fromisoformat(str(day)) + dt.timedelta(
        days=policy.archive_after_days) <= today
