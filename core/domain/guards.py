"""Guards on free text (DESIGN §8, second plan): pure, the rules and words from data.

An individual number (マイナンバー: 12 digits whose last is the check digit of the first 11)
may not be collected for this work at all: text holding one is refused, whether written in
full-width digits or split by spaces or hyphens. Phone numbers, e-mail addresses and text
that looks like a full name (a common family name, a given name, then さん or 様) are
warned about, not refused: the reminder is to describe the person instead.

Dates (2026-12-01), times (10:00), amounts (100,000円) and counts never look like these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.label import Label
from core.domain.my_number import DIGIT as _DIGIT_RUN
from core.domain.my_number import PLAIN as _PLAIN
from core.domain.my_number import is_my_number, spans

__all__ = ["REFUSE", "WARN", "Finding", "Guards", "check_digit", "is_my_number"]

REFUSE, WARN = "refuse", "warn"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\d])(?:\+81[ \-]?\d{1,4}[ \-]?\d{1,4}[ \-]?\d{4}"
    r"|0\d{1,4}[ \-‐−]\d{1,4}[ \-‐−]\d{3,4}|0[5789]0\d{8}|0\d{9})(?![\d])")
_NAME_CHARS = r"[\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff々]"
# text ending in a run of at most 11 digits (a separator may follow): the next keystrokes
# could still make it an individual number
_GROWING = re.compile(r"(?<!\d)(?<!\d[ \-])\d(?:[ \-]?\d){0,10}[ \-]?$")


@dataclass(frozen=True)
class Finding:
    kind: str  # my_number | phone | email | full_name
    severity: str  # refuse | warn
    start: int
    end: int
    message: Label


@dataclass(frozen=True)
class Guards:
    messages: Mapping[str, Label]
    family_names: tuple[str, ...]
    honorifics: tuple[str, ...]
    _honorific: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _name: re.Pattern[str] = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Guards:
        messages = {k: Label.of(v) for part in ("refuse", "warn") for k, v in data[part].items()}
        return cls(messages, tuple(data["family_names"]), tuple(data["honorifics"]))

    def __post_init__(self) -> None:
        families = "|".join(sorted(map(re.escape, self.family_names), key=len, reverse=True))
        honorifics = "|".join(sorted(map(re.escape, self.honorifics), key=len, reverse=True))
        # a name is looked for only just before an honorific: long notes stay fast
        object.__setattr__(self, "_honorific", re.compile(honorifics))
        object.__setattr__(self, "_name", re.compile(
            rf"(?:{families})[ 　]?{_NAME_CHARS}{{1,4}}$"))

    def _names(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in self._honorific.finditer(text):
            start = max(0, m.start() - 10)
            window = text[start:m.start()]
            hit = self._name.search(window)
            if hit:
                out.append((start + hit.start(), m.end()))
        return out

    def check(self, text: str) -> list[Finding]:
        """What `text` holds that it should not: refusals first, then warnings."""
        if not text:
            return []
        plain = text.translate(_PLAIN)
        found = self._numbers(plain)
        numbers = [(f.start, f.end) for f in found]
        for m in _EMAIL.finditer(plain) if "@" in plain else ():
            found.append(Finding("email", WARN, m.start(), m.end(), self.messages["email"]))
        for m in _PHONE.finditer(plain):
            if not any(s <= m.start() < e for s, e in numbers):
                found.append(Finding("phone", WARN, m.start(), m.end(), self.messages["phone"]))
        for start, end in self._names(plain):
            found.append(Finding("full_name", WARN, start, end, self.messages["full_name"]))
        return sorted(found, key=lambda f: (f.severity != REFUSE, f.start))

    def _numbers(self, plain: str) -> list[Finding]:
        """The individual numbers in `plain` (already translated to ASCII digits)."""
        return [Finding("my_number", REFUSE, start, end, self.messages["my_number"])
                for start, end in spans(plain)]

    def could_become_number(self, text: str) -> bool:
        """Whether typing on could turn `text` into one holding an individual number: a
        form keeps such text in memory, not on disk, until the number is complete (and
        refused) or the text goes on past it."""
        return bool(text) and _GROWING.search(text.translate(_PLAIN)) is not None

    def warnings(self, text: str) -> list[Finding]:
        return [f for f in self.check(text) if f.severity == WARN]

    def refusals(self, text: str) -> list[Finding]:
        # only an individual number is refused: text without a digit (most notes) need not
        # be searched at all, and the rest only for numbers, not for what is warned about
        # (\d matches the full-width digits too: the text need not be translated to tell)
        if not text or not _DIGIT_RUN.search(text):
            return []
        return self._numbers(text.translate(_PLAIN))

    def masked(self, text: str) -> str:
        """`text` with every refused number blanked out (what a draft may keep)."""
        out = list(text)
        for f in self.refusals(text):
            for i in range(f.start, f.end):
                if out[i].translate(_PLAIN).isdigit():
                    out[i] = "＊"
        return "".join(out)


def check_digit(first_eleven: str) -> int:
    """The check digit that completes 11 digits into an individual number (for tests)."""
    for d in range(10):
        if is_my_number(first_eleven + str(d)):
            return d
    raise ValueError(first_eleven)
