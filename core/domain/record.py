"""What every record carries (DESIGN §4), and how a local edit moves it on.

Ids are UUIDs made on the device; `rev` goes up by one per local edit; times
are UTC ISO-8601 with a `Z`. Records are frozen: an edit makes a new value.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

from core.domain.validation import Checker

SCHEMA = 2  # record schema written by this version; see store.migrations for 1 -> 2


T = TypeVar("T")
_NAMES: dict[type, tuple[str, ...]] = {}  # each record class's field names, in order


class derived(Generic[T]):
    """A value worked out from a frozen record once, on first use (functools.cached_property
    without its lock, which in Python 3.11 costs more than the work it saves here)."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> derived[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | derived[T]:
        if obj is None:
            return self
        value = self.fn(obj)
        obj.__dict__[self.name] = value  # a frozen record's __setattr__ is not involved
        return value


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, kw_only=True)
class Record:
    id: str
    kind: str
    schema: int = SCHEMA
    rev: int = 1
    created_at: str
    updated_at: str
    device_id: str
    author: str

    META: ClassVar[tuple[str, ...]] = (
        "id", "kind", "schema", "rev", "created_at", "updated_at", "device_id", "author")
    # Free-text fields that may identify or describe a person: sealed at rest (DESIGN §8).
    SENSITIVE: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        names = _NAMES.get(type(self))
        if names is None:
            names = _NAMES[type(self)] = tuple(f.name for f in fields(self))
        state = self.__dict__  # read directly: the hub writes a hundred of these a push
        for name in names:
            value = state[name]
            kind = type(value)
            if kind is str or kind is int or value is None or kind is bool:
                pass
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, dict):
                value = dict(value)
            out[name] = value
        return out

    def edited(self, *, at: str | None = None, **changes: Any) -> Self:
        """The next local revision of this record with `changes` applied."""
        return replace(self, rev=self.rev + 1, updated_at=at or utc_now(), **changes)


def check_meta(c: Checker, kind: str) -> dict[str, Any]:
    """Read and check the common fields; the caller adds its own."""
    meta: dict[str, Any] = {
        "id": c.uuid("id", required=True),
        "kind": c.choice("kind", {kind}, required=True),
        "schema": c.integer("schema", minimum=SCHEMA, maximum=SCHEMA, default=SCHEMA),
        "rev": c.integer("rev", required=True, minimum=1, maximum=10**9, default=1),
        "created_at": c.timestamp("created_at", required=True),
        "updated_at": c.timestamp("updated_at", required=True),
        "device_id": c.text("device_id", required=True, max_len=64),
        "author": c.text("author", max_len=100),
    }
    if meta["created_at"] and meta["updated_at"] and meta["updated_at"] < meta["created_at"]:
        c.fail("updated_at", meta["updated_at"], "not before created_at", "created_at 以降の日時")
    return meta


def new_meta(kind: str, device_id: str, author: str) -> dict[str, Any]:
    now = utc_now()
    return {"id": new_id(), "kind": kind, "schema": SCHEMA, "rev": 1, "created_at": now,
            "updated_at": now, "device_id": device_id, "author": author}


_SHAPES: dict[type, tuple[frozenset[str], dict[str, Any], dict[str, Callable[[], Any]]]] = {}


def rebuild(cls: type[T], values: Mapping[str, Any]) -> T:
    """A record of `cls` from values already checked (our own stored form, or what a parser
    has just checked), without running the dataclass's __init__ field by field: reading a
    year of records builds thousands, and the hub a hundred a push. Values it does not know
    fall back to the constructor, which names them."""
    shape = _SHAPES.get(cls)
    if shape is None:
        known = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
        defaults = {f.name: f.default for f in fields(cls)  # type: ignore[arg-type]
                    if f.default is not MISSING}
        factories = {f.name: f.default_factory for f in fields(cls)  # type: ignore[arg-type]
                     if f.default_factory is not MISSING}
        shape = _SHAPES[cls] = (known, defaults, factories)
    known, defaults, factories = shape
    missing = known - values.keys() - defaults.keys() - factories.keys()
    if not values.keys() <= known or missing:
        return cls(**values)
    obj = object.__new__(cls)
    state = obj.__dict__
    state.update(defaults)
    for name, make in factories.items():
        if name not in values:
            state[name] = make()
    state.update(values)
    return obj
