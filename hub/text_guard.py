"""The guard on every text the office (or anyone) sends the hub: an individual number
(マイナンバー) anywhere in a request body is refused before any writer sees it (DESIGN §8).

Found by walking the body itself, every string and every key at any depth, so no office
form, present or future, can forget a field: the writers' own validation (domain
Checker.text) refuses it too, this is the net under all of them. A device's batch is not
walked here: each of its records is validated on its own (one bad record never refuses its
neighbours), by the same Checker.

Secrets (a password, an enrolment code) are compared as hashes and never stored as text:
they are not walked, so a password of twelve digits still signs in.
"""

from __future__ import annotations

from typing import Any

from core.domain import my_number
from core.domain.problem import shown
from hub.errors import BadRequest

SECRETS = frozenset({"password", "code"})
_MAX_PROBLEMS = 20  # enough to mark a form; a body full of numbers is not listed to the end


def problems(value: Any, path: str = "") -> list[dict[str, str]]:
    """One problem per text under `value` holding an individual number, named by its path
    (`budget[0].note`), the value masked."""
    found: list[dict[str, str]] = []
    _walk(value, path, found)
    return found


def _walk(value: Any, path: str, found: list[dict[str, str]]) -> None:
    if len(found) >= _MAX_PROBLEMS:
        return
    if isinstance(value, str):
        if my_number.holds_number(value):
            found.append(_problem(path or "body", value))
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            where = f"{path}.{name}" if path else name
            if my_number.holds_number(name):
                found.append(_problem(my_number.mask(where), name))
            elif name not in SECRETS:
                _walk(item, where, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", found)


def _problem(field: str, value: str) -> dict[str, str]:
    return {"field": field, "value": shown(value), "expected_en": my_number.EXPECTED_EN,
            "expected_ja": my_number.EXPECTED_JA}


def refuse_numbers(value: Any, path: str = "") -> None:
    """Raise BadRequest (400) naming every text under `value` that holds an individual
    number; nothing has been stored or audited when it is raised."""
    found = problems(value, path)
    if found:
        fields = ", ".join(p["field"] for p in found)
        raise BadRequest(f"{fields}: an individual number (My Number) may not be recorded; "
                         "remove it", message_ja=f"{fields}: マイナンバー（個人番号）と思われる"
                         "12桁の番号は記録できません。番号を消してください。", problems=found)
