"""One thing wrong with an input: which field, the bad value (shortened), and what is
expected, in English and Japanese. Every validation error carries a list of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.domain.my_number import mask

_SHOW_MAX = 40


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

    def text(self, lang: str) -> str:
        if lang == "ja":
            return f"{self.field}: {self.value} は使えません（{self.expected_ja}）"
        return f"{self.field}: got {self.value}, expected {self.expected_en}"

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "value": self.value,
            "expected_en": self.expected_en,
            "expected_ja": self.expected_ja,
        }
