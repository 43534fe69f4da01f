"""One thing wrong with an input: which field, the bad value (shortened), and what is
expected, in English and Japanese. Every validation error carries a list of them.

A problem also says what kind of problem it is (`code`) and, for a choice, the keys it
would take (`allowed`): the words above name fields and keys as the data does, and a
screen says them with the labels staff know (ui_kit/words.py), not the keys."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.my_number import mask

_SHOW_MAX = 40
# codes a screen words itself (the others keep the domain's expected text)
REQUIRED, EMPTY, CHOICE, CHOICES, UNKNOWN = "required", "empty", "choice", "choices", "unknown"


def shown(value: Any) -> str:
    """A short, safe rendering of a bad value for a message: an individual number in it
    is masked, whatever field it was typed into (a refusal must not carry it on)."""
    text = mask(repr(value))
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…"


@dataclass(frozen=True)
class Problem:
    field: str
    value: str  # already rendered with `shown`
    expected_en: str
    expected_ja: str
    code: str = ""  # e.g. required, choice, range, too_long; "" for a rule of its own
    allowed: tuple[str, ...] = ()  # a choice's keys, in the order the data gives them

    def text(self, lang: str) -> str:
        if lang == "ja":
            return f"{self.field}: {self.value} は使えません（{self.expected_ja}）"
        return f"{self.field}: got {self.value}, expected {self.expected_en}"

    def under(self, prefix: str) -> Problem:
        """The same problem, its field named inside `prefix` (a list's row, a step)."""
        sep = "" if self.field.startswith("[") else "."
        return dataclasses.replace(self, field=f"{prefix}{sep}{self.field}")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "value": self.value,
            "expected_en": self.expected_en,
            "expected_ja": self.expected_ja,
        }
        if self.code:
            out["code"] = self.code
        if self.allowed:
            out["allowed"] = list(self.allowed)
        return out

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Problem:
        """A problem as an answer carries it (`as_dict`), read back."""
        allowed = data.get("allowed")
        return cls(str(data.get("field", "")), str(data.get("value", "")),
                   str(data.get("expected_en", "")),
                   str(data.get("expected_ja") or data.get("expected_en", "")),
                   str(data.get("code", "")),
                   tuple(str(k) for k in allowed) if isinstance(allowed, list | tuple) else ())
