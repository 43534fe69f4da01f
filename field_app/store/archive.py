"""Archives of old records: one append-only file per year, each line a sealed document
with a checksum. Read (and unsealed) only when asked for: a year for a screen's question
about its days, or one line where a record still waiting for the hub was put (`Place`)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from field_app.store import codec
from field_app.store.index import SEP
from field_app.store.journal import DocCodec, fsync_dir

ARCHIVED = "archived"  # the meta entry saying what the archives hold (archived_summary)
# the days a screen asks the archives about: a record's own day, and a visit note's next
# meeting, which may fall after every archived record's own day
DAYS = ("date", "next_meeting_on")


def visit(doc: Mapping[str, Any]) -> str | None:
    """`place|day` if `doc` says staff were at a place that day (a gathering they visited,
    or a visit note): what "not visited for a while" counts."""
    day, place = doc.get("date"), doc.get("place_id")
    visited = doc.get("kind") == "visit_note" or doc.get("staff_visited") is True
    return f"{place}{SEP}{day}" if visited and place and day else None


def archived_summary(before: Mapping[str, Any] | None, docs: Iterable[Mapping[str, Any]],
                     waiting: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """What the archives hold after `docs` join them, kept in the store so that the screens
    know without reading them: `through`, the latest of the DAYS archived (a question about
    later days reads no archive), and `visits`, each place's latest day staff were there
    (a gathering they visited, or a visit note), for "not visited for a while". Records
    still `waiting` for the hub count toward `through` only: their visits are in their
    outbox entries until the hub has them (`with_visits`), for one may be saved again."""
    docs, waiting = list(docs), list(waiting)
    summary = with_visits(before, filter(None, map(visit, docs)))
    through = str(summary.get("through", ""))
    through = max([through] + [str(doc.get(d) or "") for doc in docs + waiting for d in DAYS])
    # "days": what `through` covers; a summary written before meetings counted has none
    return {**summary, "through": through, "days": list(DAYS)}


def with_visits(before: Mapping[str, Any] | None, visits: Iterable[str]) -> dict[str, Any]:
    """The summary with these `place|day` visits counted."""
    summary = {"id": ARCHIVED, "through": "", **(before or {})}
    latest = dict(summary.get("visits") or {})
    for value in visits:
        place, _, day = value.rpartition(SEP)
        if day > latest.get(place, ""):
            latest[place] = day
    return {**summary, "visits": latest}


def year_of(doc: Mapping[str, Any]) -> int:
    """The year whose file a record is filed in: its date's."""
    return int(str(doc.get("date", "0000"))[:4])


class Place(NamedTuple):
    """Where a record's line was written: its year's file, the line's offset and length."""

    year: int
    offset: int
    length: int


class Archive:
    def __init__(self, directory: Path, doc_codec: DocCodec) -> None:
        self.directory = directory
        self.codec = doc_codec
        self._years: list[int] | None = None  # read from the directory once, then kept

    def path(self, year: int) -> Path:
        return self.directory / f"archive-{year}.jsonl"

    def add(self, docs: Iterable[Mapping[str, Any]]) -> dict[str, Place]:
        """Append `docs` to their years' files, durably (fsynced) before returning; says
        where each line went (the last, for an id given twice)."""
        by_year: dict[int, list[tuple[str, bytes]]] = {}
        for doc in docs:
            year = year_of(doc)
            payload = codec.dumps(dict(self.codec.encode(str(doc["kind"]), doc)))
            line = b"%08x " % zlib.crc32(payload) + payload + b"\n"
            by_year.setdefault(year, []).append((str(doc["id"]), line))
        self.directory.mkdir(parents=True, exist_ok=True)
        placed: dict[str, Place] = {}
        for year, lines in by_year.items():
            path = self.path(year)
            new = not path.exists()
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                offset = os.fstat(fd).st_size  # one writer (the store's): nothing appends between
                head = b""
                if offset and os.pread(fd, 1, offset - 1) != b"\n":
                    # a line cut by a crash: the next line starts on its own, so that its
                    # checksum holds and its place is where it says
                    head, offset = b"\n", offset + 1
                for rid, line in lines:
                    placed[rid] = Place(year, offset, len(line))
                    offset += len(line)
                os.write(fd, head + b"".join(line for _, line in lines))
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                fsync_dir(self.directory)
                self._years = None
        return placed

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
            doc = self._decode(line)
            if doc is not None and (doc["id"] not in latest or latest[doc["id"]]["rev"] <= doc["rev"]):
                latest[doc["id"]] = doc
        return sorted(latest.values(), key=lambda d: (d.get("date", ""), d["id"]))

    def fetch(self, wanted: Mapping[str, Place]) -> dict[str, dict[str, Any]]:
        """The documents at these places (id -> where its line is), each year's file opened
        once. An id whose line is not there as said (a file replaced since) is looked for in
        its year's whole file; one found nowhere is left out."""
        found: dict[str, dict[str, Any]] = {}
        by_year: dict[int, list[tuple[str, Place]]] = {}
        for rid, place in wanted.items():
            by_year.setdefault(place.year, []).append((rid, place))
        for year, places in sorted(by_year.items()):
            try:
                fd = os.open(self.path(year), os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                for rid, (_, offset, length) in places:
                    if offset < 0:
                        continue  # not known: looked for in the whole year below
                    doc = self._decode(os.pread(fd, length, offset).rstrip(b"\n"))
                    if doc is not None and doc["id"] == rid:
                        found[rid] = doc
            finally:
                os.close(fd)
            missing = {rid for rid, _ in places if rid not in found}
            if missing:
                found.update((d["id"], d) for d in self.read(year) if d["id"] in missing)
        return found

    def _decode(self, line: bytes) -> dict[str, Any] | None:
        if len(line) < 10 or line[8:9] != b" " or line[:8].strip(b"0123456789abcdef") \
                or int(line[:8], 16) != zlib.crc32(line[9:]):
            return None  # a line cut by a crash; its record is still in the store
        doc = codec.loads(line[9:])
        return self.codec.decode(str(doc["kind"]), doc)
