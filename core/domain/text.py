"""Folding Japanese text so that a search finds what staff mean.

ＡＢＣ and ABC, ｶﾅ and カナ, カタカナ and かたかな all match: NFKC unifies widths,
then katakana are mapped to hiragana and Latin letters lower-cased.
"""

from __future__ import annotations

import unicodedata

_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_KATA_TO_HIRA).casefold()


def matches(query: str, *fields: str) -> bool:
    """Every word of the query appears in one of the fields."""
    haystack = " ".join(fold(f) for f in fields)
    return all(word in haystack for word in fold(query).split())
