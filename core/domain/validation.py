"""Problems found in input, named by field, with what was expected, in ja and en.

Validators collect every problem instead of stopping at the first one, so a
form can mark all bad fields at once and the hub can answer a rejected record
with all of its reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from core.domain import my_number
from core.domain.errors import ValidationError
from core.domain.problem import CHOICE, CHOICES, EMPTY, REQUIRED, UNKNOWN, Problem, shown

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Records older than this are almost certainly a typo in the year.
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_TEXT = 20_000


# (the document asked about, the names read from it as text) while `reading_text` runs
_TRACE: ContextVar[tuple[Mapping[str, Any], list[str]] | None] = ContextVar(
    "reading_text", default=None)


@contextmanager
def reading_text(doc: Mapping[str, Any]) -> Iterator[list[str]]:
    """The names of `doc`'s fields that are read as free text while this runs: the
    schema's own answer to "which fields are free text" (kinds.GUARDED), not a hand list."""
    names: list[str] = []
    token = _TRACE.set((doc, names))
    try:
        yield names
    finally:
        _TRACE.reset(token)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Checker:
    """Reads fields out of untrusted input, noting a Problem for each bad one."""

    data: Mapping[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def fail(self, name: str, value: Any, en: str, ja: str, code: str = "",
             allowed: Collection[str] = ()) -> None:
        self.problems.append(Problem(name, shown(value), en, ja, code, tuple(allowed)))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)

    def _get(self, name: str, required: bool) -> tuple[bool, Any]:
        value = self.data.get(name)  # absent and null are the same here
        if value is None:
            if required:
                self.fail(name, None, "a value (required)", "必須項目です", REQUIRED)
            return False, None
        return True, value

    def text(
        self, name: str, *, required: bool = False, max_len: int = MAX_TEXT, default: str = ""
    ) -> str:
        """Free text. Every free-text field of every record and office form is read here, so
        the guard below holds for each one by its type: an individual number is refused."""
        trace = _TRACE.get()
        if trace is not None and trace[0] is self.data:
            trace[1].append(name)
        present, value = self._get(name, required)
        if not present:
            return default
        if not isinstance(value, str):
            self.fail(name, value, "text", "文字列", "type")
            return default
        if required and not value.strip():
            self.fail(name, value, "non-empty text", "空欄にはできません", EMPTY)
        if len(value) > max_len:
            self.fail(name, value, f"at most {max_len} characters", f"{max_len}文字以内",
                      "too_long")
        if "\x00" in value:
            self.fail(name, value, "text without NUL characters", "制御文字(NUL)を含まない文字列",
                      "control")
        elif not _encodable(value):
            self.fail(name, value, "valid Unicode text (no lone surrogates)",
                      "正しい文字列（不正な文字コードなし）", "encoding")
        elif my_number.holds_number(value):
            self.fail(name, value, my_number.EXPECTED_EN, my_number.EXPECTED_JA, "my_number")
        return value

    def integer(
        self, name: str, *, required: bool = False, minimum: int = 0, maximum: int = 100_000,
        default: int = 0,
    ) -> int:
        present, value = self._get(name, required)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, value, "a whole number", "整数", "type")
            return default
        if not minimum <= value <= maximum:
            self.fail(name, value, f"a whole number from {minimum} to {maximum}",
                      f"{minimum}以上{maximum}以下の整数", "range")
            return default
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        present, value = self._get(name, False)
        if not present:
            return default
        if not isinstance(value, bool):
            self.fail(name, value, "true or false", "真偽値 (true/false)", "type")
            return default
        return value

    def choice(
        self, name: str, allowed: Collection[str], *, required: bool = False, default: str = ""
    ) -> str:
        present, value = self._get(name, required)
        if not present or (value == "" and not required):
            return default
        if not isinstance(value, str) or value not in allowed:
            listed = ", ".join(sorted(allowed))
            self.fail(name, value, f"one of: {listed}", f"次のいずれか: {listed}", CHOICE,
                      sorted(allowed))
            return default
        return value

    def choices(self, name: str, allowed: Collection[str], *, min_count: int = 0) -> tuple[str, ...]:
        present, value = self._get(name, min_count > 0)
        if not present:
            return ()
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.fail(name, value, "a list of keys", "キーのリスト", CHOICES, sorted(allowed))
            return ()
        bad = [v for v in value if v not in allowed]
        if bad:
            listed = ", ".join(sorted(allowed))
            self.fail(name, bad, f"keys among: {listed}", f"次の中のキー: {listed}", CHOICES,
                      sorted(allowed))
        if len(set(value)) != len(value):
            self.fail(name, value, "each key once", "重複のないキー", "repeated")
        if len(value) < min_count:
            self.fail(name, value, f"at least {min_count} key(s)", f"{min_count}個以上選択",
                      "too_few")
        return tuple(v for v in value if v in allowed)

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        present, value = self._get(name, required)
        if not present:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(name, value, "a date as YYYY-MM-DD", "YYYY-MM-DD 形式の日付", "date")
            return None
        if parsed < EARLIEST_DATE or parsed.year > 2100:
            self.fail(name, value, "a date between 2000 and 2100", "2000年から2100年までの日付",
                      "range")
            return None
        return parsed

    def time(self, name: str, *, required: bool = False) -> str | None:
        present, value = self._get(name, required)
        if not present:
            return None
        if not isinstance(value, str) or not TIME_RE.match(value):
            self.fail(name, value, "a time as HH:MM (00:00-23:59)", "HH:MM 形式の時刻 (00:00〜23:59)",
                      "time")
            return None
        return value

    def timestamp(self, name: str, *, required: bool = False) -> str:
        present, value = self._get(name, required)
        if not present:
            return ""
        try:
            if not isinstance(value, str):
                raise ValueError
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None or parsed.utcoffset() != dt.timedelta(0):
                raise ValueError
        except ValueError:
            self.fail(name, value, "a UTC timestamp (ISO-8601, ending in Z or +00:00)",
                      "UTC の日時 (ISO-8601 形式, 末尾 Z)", "timestamp")
            return ""
        return value

    def uuid(self, name: str, *, required: bool = False) -> str:
        present, value = self._get(name, required)
        if not present or (value == "" and not required):
            return ""
        # the form str(uuid.UUID(x)) gives, checked without building one
        if isinstance(value, str) and UUID_RE.fullmatch(value):
            return value
        self.fail(name, value, "a UUID in lower case (8-4-4-4-12 hex digits)",
                  "UUID（小文字の 8-4-4-4-12 の16進数）", "uuid")
        return ""

    def only(self, allowed: Collection[str]) -> None:
        """Unknown keys are refused: a typo in a field name must not pass as data."""
        known = allowed if isinstance(allowed, set | frozenset) else frozenset(allowed)
        if self.data.keys() <= known:  # the usual case, without a loop in Python
            return
        for key in self.data:
            if key not in known:
                self.fail(my_number.mask(str(key)), self.data[key], "a known field",
                          "定義されている項目名", UNKNOWN)
