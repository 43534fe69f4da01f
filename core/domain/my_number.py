"""Finding an individual number (マイナンバー) in text: 12 digits whose last is the check
digit of the first 11, in full-width or ASCII digits, whole or split by spaces or hyphens.

Pure code, no data: every reader of free text (validation.Checker.text, the hub's request
bodies) refuses one, and every message that shows a bad value masks one, so a refusal never
carries the number on (to a screen, an error body or the audit log).
"""

from __future__ import annotations

import re

# 12 digits, each pair at most one separator apart (a space or a hyphen of any width), not
# part of a longer token: not touching a letter or a digit, nor hyphened onto one (a UUID's
# last group is 12 hex digits, all of them digits for about one id in 300: never a number)
_HYPHEN = "\\-‐‑‒–—―−"
TWELVE = re.compile(
    rf"(?<![\dA-Za-z])(?<![\dA-Za-z][{_HYPHEN}])"
    rf"(\d(?:[ {_HYPHEN}]?\d){{11}})"
    rf"(?![\dA-Za-z])(?![{_HYPHEN}][\dA-Za-z])")
# full-width digits, hyphens and spaces as ASCII, one character for one: positions stay
PLAIN = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "－": "-", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
                       "−": "-", "　": " "})
DIGIT = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D")
SHOWN_DIGITS = 4  # what a masked number still shows: enough to find it, not to use it

# what a field that held one expected instead (a validation Problem's expected text)
EXPECTED_EN = ("text without an individual number (My Number): it may not be recorded "
               "for this work")
EXPECTED_JA = "マイナンバー（個人番号）を含まない文字列（この業務では個人番号を記録できません）"


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


def spans(text: str) -> list[tuple[int, int]]:
    """Where individual numbers are in `text` (positions in `text` itself)."""
    # text without a digit (most notes) need not be searched at all (\d matches the
    # full-width digits too: the text need not be translated to tell)
    if not text or not DIGIT.search(text):
        return []
    plain = text.translate(PLAIN)
    return [(m.start(), m.end()) for m in TWELVE.finditer(plain)
            if is_my_number(_NOT_DIGIT.sub("", m.group(1)))]


def holds_number(text: str) -> bool:
    return bool(spans(text))


def mask(text: str) -> str:
    """`text` with each individual number's digits after the first four starred out
    (1234********): what an error message may show."""
    found = spans(text)
    if not found:
        return text
    out = list(text)
    for start, end in found:
        seen = 0
        for i in range(start, end):
            if out[i].translate(PLAIN).isdigit():
                seen += 1
                if seen > SHOWN_DIGITS:
                    out[i] = "*"
    return "".join(out)
