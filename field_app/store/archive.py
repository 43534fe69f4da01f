"""Archives of old records that the hub already has: one append-only file per year,
each line a sealed document with a checksum. Read (and unsealed) only when asked for."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from field_app.store import codec
from field_app.store.journal import DocCodec, fsync_dir

ARCHIVED = "archived"  # the meta entry saying what the archives hold (archived_summary)
# the days a screen asks the archives about: a record's own day, and a visit note's next
# meeting, which may fall after every archived record's own day
DAYS = ("date", "next_meeting_on")


def archived_summary(before: Mapping[str, Any] | None, docs: Iterable[Mapping[str, Any]]
                     ) -> dict[str, Any]:
    """What the archives hold after `docs` join them, kept in the store so that the screens
    know without reading them: `through`, the latest of the DAYS archived (a question about
    later days reads no archive), and `visits`, each place's latest day staff were there
    (a gathering they visited, or a visit note), for "not visited for a while"."""
    summary = dict(before or {})
    through = str(summary.get("through", ""))
    visits = dict(summary.get("visits") or {})
    for doc in docs:
        day, place = str(doc.get("date", "")), doc.get("place_id")
        through = max([through] + [str(doc.get(d) or "") for d in DAYS])
        visited = doc.get("kind") == "visit_note" or doc.get("staff_visited") is True
        if place and visited and day > visits.get(str(place), ""):
            visits[str(place)] = day
    # "days": what `through` covers; a summary written before meetings counted has none
    return {"id": ARCHIVED, "through": through, "visits": visits, "days": list(DAYS)}


class Archive:
    def __init__(self, directory: Path, doc_codec: DocCodec) -> None:
        self.directory = directory
        self.codec = doc_codec
        self._years: list[int] | None = None  # read from the directory once, then kept

    def path(self, year: int) -> Path:
        return self.directory / f"archive-{year}.jsonl"

    def add(self, docs: Iterable[Mapping[str, Any]]) -> None:
        by_year: dict[int, list[bytes]] = {}
        for doc in docs:
            year = int(str(doc.get("date", "0000"))[:4])
            payload = codec.dumps(dict(self.codec.encode(str(doc["kind"]), doc)))
            by_year.setdefault(year, []).append(b"%08x " % zlib.crc32(payload) + payload + b"\n")
        self.directory.mkdir(parents=True, exist_ok=True)
        for year, lines in by_year.items():
            path = self.path(year)
            new = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, b"".join(lines))
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                fsync_dir(self.directory)
                self._years = None

    def years(self) -> list[int]:
        """The years that have an archive file, oldest first."""
        if self._years is None:
            found = (p.name[len("archive-"):-len(".jsonl")]
                     for p in self.directory.glob("archive-*.jsonl")) if self.directory.is_dir() else ()
            self._years = sorted(int(y) for y in found if y.isdigit())
        return list(self._years)

    def read(self, year: int) -> list[dict[str, Any]]:
        path = self.path(year)
        if not path.exists():
            return []
        latest: dict[str, dict[str, Any]] = {}
        for line in path.read_bytes().splitlines():
            if len(line) < 10 or int(line[:8], 16) != zlib.crc32(line[9:]):
                continue  # a line cut by a crash; its record is still in the store
            doc = codec.loads(line[9:])
            doc = self.codec.decode(str(doc["kind"]), doc)
            if doc["id"] not in latest or latest[doc["id"]]["rev"] <= doc["rev"]:
                latest[doc["id"]] = doc
        return sorted(latest.values(), key=lambda d: (d.get("date", ""), d["id"]))
