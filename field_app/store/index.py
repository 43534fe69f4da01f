"""Lookups by date, follow-up date, place or state, kept on write beside TinyDB's tables.

TinyDB answers a query by testing every document of a table, and drops its cached answer
at every write to that table: home's questions cost what five years of history cost. An
index here maps one value derived from each document (its day, its place and day, its
open follow-up) to the keys that have it, with the distinct values kept sorted, so a span
of days or a place's latest records is a bisection and a few set lookups.

An index is built from the live tables the first time it is asked (only what the screens
ask for is paid for), then kept right by the storage: every change of a document in
memory passes through `changed` with the document before and after, under the storage's
lock (a save, an acknowledgement, the office's part of a concern, retention, reference
data put or removed). Opening (snapshot and journal replay) and TinyDB's whole-database
write drop every index (`reset`); the next question builds it again from what is there.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.gathering import MONTH

Doc = Mapping[str, Any]
TOP = "\uffff"  # above every value an index holds (ISO dates, ids)
SEP = "|"  # between a place id and a day in a composite value


# `type(v) is str`, not isinstance: parsed JSON has no subclasses, and an index is built by
# calling these once per document of its table
def _field(name: str) -> Callable[[Doc], str | None]:
    def value(doc: Doc) -> str | None:
        v = doc.get(name)
        return v if type(v) is str and v else None

    return value


def _place_day(day: str, visited_only: bool = False) -> Callable[[Doc], str | None]:
    def value(doc: Doc) -> str | None:
        if visited_only and doc.get("staff_visited") is not True:
            return None
        place, when = doc.get("place_id"), doc.get(day)
        if type(place) is str and place and type(when) is str and when:
            return place + SEP + when
        return None

    return value


_follow_up = _field("follow_up_on")


def _open_follow_up(doc: Doc) -> str | None:
    """A concern's follow-up day while the concern is open (not closed, not a stub)."""
    if doc.get("stub") or (doc.get("office") or {}).get("status") == "closed":
        return None
    return _follow_up(doc)


LAST = "9999"  # after every day: a concern listed with no follow-up day


def _listed(doc: Doc) -> str:
    """Every concern, by the day the follow-ups screen lists it at: its follow-up day, or
    LAST (none set, or reduced to a stub)."""
    return (None if doc.get("stub") else _follow_up(doc)) or LAST


_day = _field("date")


def _active(doc: Doc) -> str | None:
    """A place the office has not retired: every place screen and home's planner ask."""
    return "active" if doc.get("active") is not False else None


def _month(doc: Doc) -> str | None:
    """A month's report (a gathering covering a month) by its month's first day."""
    return _day(doc) if doc.get("covers") == MONTH else None

# table -> index name -> the value a document is found by (None: not in the index)
INDEXES: dict[str, dict[str, Callable[[Doc], str | None]]] = {
    "gathering": {"day": _day, "place_day": _place_day("date"),
                  "visited": _place_day("date", visited_only=True), "month": _month},
    "visit_note": {"day": _field("date"), "place_day": _place_day("date"),
                   "follow_up": _field("follow_up_on"), "meeting": _field("next_meeting_on")},
    "concern": {"day": _field("observed_on"), "follow_up": _open_follow_up, "listed": _listed},
    "visit_plan": {"day": _field("date")},
    # a record waiting for the hub in an archive: the visit it records (store.VISITED)
    "outbox": {"kind": _field("kind"), "visited": _field("visited")},
    # restored through the index, a place keeps what it worked out (its parsed schedule)
    # for as long as its document is the one stored: home asks every place at each drawing
    "place": {"active": _active},
}


@dataclass
class Index:
    value_of: Callable[[Doc], str | None]
    keys: dict[str, set[str]] = field(default_factory=dict)  # value -> keys that have it
    values: list[str] = field(default_factory=list)  # the distinct values, sorted

    @classmethod
    def build(cls, value_of: Callable[[Doc], str | None], docs: Mapping[str, Doc]) -> Index:
        index = cls(value_of)
        keys = index.keys
        for key, doc in docs.items():
            v = value_of(doc)
            if v is not None:
                found = keys.get(v)
                if found is None:
                    keys[v] = {key}
                else:
                    found.add(key)
        index.values = sorted(keys)
        return index

    def change(self, key: str, old: Doc | None, new: Doc | None) -> None:
        before = self.value_of(old) if old is not None else None
        after = self.value_of(new) if new is not None else None
        if before == after:
            return
        if before is not None:
            found = self.keys.get(before)
            if found is not None:
                found.discard(key)
                if not found:
                    del self.keys[before]
                    i = bisect_left(self.values, before)
                    if i < len(self.values) and self.values[i] == before:
                        del self.values[i]
        if after is not None:
            found = self.keys.get(after)
            if found is None:
                self.keys[after] = {key}
                insort(self.values, after)
            else:
                found.add(key)

    def between(self, low: str | None = None, high: str | None = None) -> Iterator[str]:
        """The distinct values in [low, high] (either open), ascending."""
        values = self.values
        start = bisect_left(values, low) if low is not None else 0
        end = bisect_right(values, high) if high is not None else len(values)
        return iter(values[start:end])

    def keys_between(self, low: str | None = None, high: str | None = None) -> list[str]:
        return [k for v in self.between(low, high) for k in self.keys[v]]

    def latest(self, low: str, high: str, limit: int) -> list[str]:
        """Keys of the highest values in [low, high], at least `limit` of them if there
        are (all keys of the last value taken), highest first."""
        values = self.values
        start, end = bisect_left(values, low), bisect_right(values, high)
        out: list[str] = []
        while end > start and len(out) < limit:
            end -= 1
            out += self.keys[values[end]]
        return out

    def count(self, value: str) -> int:
        return len(self.keys.get(value, ()))


class Indexes:
    """Every index of the store, built when first asked and kept on every change. The
    caller holds the storage's lock around each call (the storage does for `changed`).

    Also the domain records restored from the documents found (`records`): home restores
    this fiscal year's gatherings to assess its places' grant conditions, and restoring is
    most of its cost. A record is kept while its document is the live one (the same
    object: a write replaces it), at most RESTORED of them; dropped with the tables."""

    RESTORED = 30_000

    def __init__(self, tables: Callable[[], Mapping[str, Mapping[str, Doc]]],
                 restore: Callable[[Doc], Any]) -> None:
        self._tables = tables
        self._restore = restore
        self._built: dict[tuple[str, str], Index] = {}
        self._restored: dict[tuple[str, str], tuple[Doc, Any]] = {}

    def records(self, table: str, name: str, low: str | None, high: str | None,
                latest: int | None = None) -> list[Any]:
        """The records whose value in index `name` is in [low, high] (either open); with
        `latest`, those of the highest values, at least that many where there are. What
        `restore` makes nothing of (a concern reduced to a stub) is left out."""
        index, docs = self.get(table, name), self._tables().get(table, {})
        keys = (index.keys_between(low, high) if latest is None
                else index.latest(low or "", high or TOP, latest))
        out = []
        for key in keys:
            doc = docs.get(key)
            if doc is None:
                continue
            hit = self._restored.get((table, key))
            if hit is None or hit[0] is not doc:  # `is`: the entry keeps its doc alive
                if len(self._restored) >= self.RESTORED:
                    self._restored.clear()
                hit = self._restored[(table, key)] = (doc, self._restore(doc))
            if hit[1] is not None:
                out.append(hit[1])
        return out

    def get(self, table: str, name: str) -> Index:
        found = self._built.get((table, name))
        if found is None:
            found = Index.build(INDEXES[table][name], self._tables().get(table, {}))
            self._built[(table, name)] = found
        return found

    def changed(self, table: str, key: str, old: Doc | None, new: Doc | None) -> None:
        if table not in INDEXES:
            return
        for name in INDEXES[table]:
            built = self._built.get((table, name))
            if built is not None:
                built.change(key, old, new)

    def reset(self) -> None:
        self._built.clear()
        self._restored.clear()


def place_span(place_id: str, start: str | None, end: str | None) -> tuple[str, str]:
    """The [low, high] of a "place_day" index for a place's days in [start, end]."""
    return f"{place_id}{SEP}{start or ''}", f"{place_id}{SEP}{end or TOP}"


def split(value: str) -> tuple[str, str]:
    """(place id, day) of a "place_day" value."""
    place, _, day = value.rpartition(SEP)
    return place, day


def latest_per_place(index: Index, docs: Mapping[str, Doc]) -> dict[str, str]:
    """For `Store.indexed` on a "place_day" index: each place's highest day. One bisection
    per place, not a look at every document."""
    values, out, i = index.values, {}, 0
    while i < len(values):
        place, _ = split(values[i])
        i = bisect_left(values, f"{place}{SEP}{TOP}", i)
        out[place] = split(values[i - 1])[1]
    return out


def counted(value: str) -> Callable[[Index, Mapping[str, Doc]], int]:
    return lambda index, docs: index.count(value)
