"""UI texts from the catalogue in `assets/i18n`, and Japanese-style dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.reference_data import texts

WEEKDAYS_JA = "月火水木金土日"


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class Translator:
    lang: str = "ja"

    def __call__(self, key: str, **values: object) -> str:
        catalogue = texts(self.lang)
        text = catalogue.get(key) or texts("ja").get(key) or key
        # a missing value must never break a screen: show the rest of the sentence
        return text.format_map(_Blank(values)) if values else text

    def get(self, key: str) -> str | None:
        """The text of `key`, or None where the catalogue has none (a label looked for
        under several keys)."""
        return texts(self.lang).get(key) or texts("ja").get(key)

    def date(self, day: dt.date) -> str:
        if self.lang == "ja":
            return f"{day.year}年{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"
        return f"{day:%a} {day.day} {day:%b} {day.year}"
