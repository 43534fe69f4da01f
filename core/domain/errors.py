"""The root of every exception this project raises on purpose.

Library errors are converted at the boundary (`raise OurError(...) from exc`),
so callers catch `IbashoError` and get a message fit to show a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.problem import Problem


class IbashoError(Exception):
    """Base class of all our errors. `message_ja` is what staff see in Japanese."""

    def __init__(self, message: str, *, message_ja: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_ja = message_ja or message

    def text(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message


class ValidationError(IbashoError):
    """A record failed validation. Carries every problem at once."""

    # how its message starts, before the problems in the data's own names: a screen says
    # its own sentence instead, and each problem with the labels staff know
    HEAD_EN, HEAD_JA = "invalid record", "入力内容に誤りがあります"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        en = "; ".join(p.text("en") for p in self.problems)
        ja = "、".join(p.text("ja") for p in self.problems)
        super().__init__(f"{self.HEAD_EN}: {en}", message_ja=f"{self.HEAD_JA}: {ja}")
