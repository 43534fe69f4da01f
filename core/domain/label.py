"""A text in both languages of the app: every label and message that is data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Label:
    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Label:
        return cls(ja=str(data["ja"]), en=str(data["en"]))
