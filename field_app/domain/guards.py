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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from field_app.domain.reference import Label

REFUSE, WARN = "refuse", "warn"
# 12 digits, each pair at most one separator apart (a space or a hyphen of any width)
_TWELVE = re.compile(r"(?<![\d])(\d(?:[ \-‐‑‒–—―−]?\d){11})(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\d])(?:\+81[ \-]?\d{1,4}[ \-]?\d{1,4}[ \-]?\d{4}"
    r"|0\d{1,4}[ \-‐−]\d{1,4}[ \-‐−]\d{3,4}|0[5789]0\d{8}|0\d{9})(?![\d])")
_NAME_CHARS = r"[\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff々]"
# full-width digits, hyphens and spaces as ASCII, one character for one: positions stay
_PLAIN = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                        "－": "-", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
                        "−": "-", "　": " "})
_DIGIT_RUN = re.compile(r"\d")
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
        found = []
        for m in _TWELVE.finditer(plain) if _DIGIT_RUN.search(plain) else ():
            digits = re.sub(r"\D", "", m.group(1))
            if is_my_number(digits):
                found.append(Finding("my_number", REFUSE, m.start(), m.end(),
                                     self.messages["my_number"]))
        return found

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


def is_my_number(digits: str) -> bool:
    """12 digits whose last is the check digit of the first 11 (番号法施行令 第8条)."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(d) for d in digits[:11]]
    total = 0
    for n in range(1, 12):  # P_n: the nth digit from the right of the first 11
        p = body[11 - n]
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


def check_digit(first_eleven: str) -> int:
    """The check digit that completes 11 digits into an individual number (for tests)."""
    for d in range(10):
        if is_my_number(first_eleven + str(d)):
            return d
    raise ValueError(first_eleven)


def fields_refused(guards: Guards, values: Mapping[str, Any], names: Sequence[str]
                   ) -> list[tuple[str, Finding]]:
    """The free-text fields among `names` that hold something refused."""
    out = []
    for name in names:
        value = values.get(name)
        if isinstance(value, str):
            out += [(name, f) for f in guards.refusals(value)]
    return out
