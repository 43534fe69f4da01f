"""What a refusal says on a screen: the field by its label, the values by theirs.

A problem (core/domain/problem.py) names its field by its path in the data
(`application.budget[0].category`) and a choice's values by their keys (`food`); staff know
neither. Each screen says where its names have their labels (catalogue prefixes, and labels
of its own for a name or a whole path), the reference data gives every key's label, and a
row is said as 「1行目」. So 「budget[0].category: '' は使えません（次のいずれか: food, …）」
reads 「予算 1行目 費目: 空欄は使えません（次のいずれか: 報償費、消耗品費、…）」.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.domain.errors import ValidationError
from core.domain.problem import CHOICE, CHOICES, EMPTY, REQUIRED, Problem
from core.domain.reference import Option, Reference
from ui_kit.i18n import Translator

TOKEN = re.compile(r"[^.\[\]]+|\[\d+\]")
# the help a field's label carries after its name: 受付日 (YYYY-MM-DD), 申請額（円）
HELP = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
BLANK = ("None", "''", '""')
LISTED = 6  # a choice's labels said in a message; more are left as …


def bare(label: str) -> str:
    """A field's label as a message names it, without the help after it."""
    return HELP.sub("", label) or label


@dataclass
class Words:
    t: Translator
    ref: Reference | None = None
    # a name (`category`) or a whole path (`destinations[3]`) -> its label
    names: Mapping[str, str] = field(default_factory=dict)
    # catalogue keys under which this screen's names have their labels: "office.grants."
    prefixes: Sequence[str] = ()

    # fields ---------------------------------------------------------------------------

    def name(self, token: str) -> str | None:
        """One name's label: the screen's own, its catalogue's, or a key's."""
        label = self.names.get(token)
        for prefix in self.prefixes:
            if label is not None:
                break
            label = self.t.get(prefix + token)
        if label is None:  # a key in a path: programs.ibasho, attendance.elderly
            label = next((o.label(self.t.lang) for g in self.groups() for o in g
                          if o.key == token), None)
        return bare(label) if label else None

    def field(self, path: str) -> str:
        """A field's path as staff read it: 予算 1行目 費目. A path the screen labels as a
        whole (a row it names by what the row is) stands for everything up to it."""
        parts: list[str] = []
        prefix = ""
        for token in TOKEN.findall(path):
            row = token.startswith("[")
            prefix += token if row or not prefix else f".{token}"
            whole = self.names.get(prefix)
            if whole is not None:  # "" for a part that says nothing (`body` of a request)
                parts = [bare(whole)] if whole else []
            elif row:
                parts.append(self.t("problem.row", n=int(token[1:-1]) + 1))
            else:
                parts.append(self.name(token) or token)
        return " ".join(parts) or path

    # values ---------------------------------------------------------------------------

    def groups(self) -> Iterable[tuple[Option, ...]]:
        """Every set of keys the reference data labels, in its own order."""
        ref = self.ref
        if ref is None:
            return
        yield from ref.enums.values()
        yield ref.destinations
        yield ref.areas
        yield tuple(Option(p.key, p.label) for p in ref.programs.values())
        for program in ref.programs.values():
            yield program.participant_categories

    def group(self, keys: Iterable[str]) -> tuple[Option, ...] | None:
        """The set of options these keys come from: the smallest that has them all (a key
        like `other` is in many)."""
        wanted = set(keys)
        found = [g for g in self.groups() if wanted and wanted <= {o.key for o in g}]
        return min(found, key=len) if found else None

    def labels(self, keys: Sequence[str]) -> list[str]:
        """Keys by their labels, in the data's order."""
        group = self.group(keys)
        if group is None:
            return list(keys)
        return [o.label(self.t.lang) for o in group if o.key in set(keys)]

    def value(self, problem: Problem) -> str:
        """The value refused, as said: 空欄, 「text」, a number, or a key's label."""
        if problem.code in (REQUIRED, EMPTY) or problem.value in BLANK:
            return self.t("problem.blank")
        text = problem.value
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
            # a key sent (a choice's, or a destination left out) by its label
            options = self.group(problem.allowed) if problem.allowed else None
            text = next((o.label(self.t.lang) for g in ([options] if options else self.groups())
                         for o in g if o.key == text), text)
            return self.t("problem.quoted", value=text)
        # an amount with its thousands marked (120,000); a year or a short count as it is
        return f"{int(text):,}" if text.isdigit() and 5 <= len(text) < 16 else text

    def expected(self, problem: Problem | Mapping[str, Any]) -> str:
        """What the field takes: a choice's values by their labels, else the domain's words."""
        p = problem if isinstance(problem, Problem) else Problem.of(problem)
        if p.code in (CHOICE, CHOICES) and p.allowed:
            said = self.labels(p.allowed)
            listed = self.t("problem.sep").join(said[:LISTED]) + ("…" if len(said) > LISTED
                                                                   else "")
            return self.t("problem.one_of", options=listed)
        return p.expected_ja if self.t.lang == "ja" else p.expected_en

    def line(self, problem: Problem | Mapping[str, Any]) -> str:
        """One problem in a sentence: 交付決定額: 120000は使えません（…）."""
        p = problem if isinstance(problem, Problem) else Problem.of(problem)
        if p.code in (REQUIRED, EMPTY):  # nothing typed: what it takes is to be filled in
            return self.t("problem.missing", field=self.field(p.field))
        return self.t("problem.line", field=self.field(p.field), value=self.value(p),
                      expected=self.expected(p))

    def lines(self, problems: Iterable[Problem | Mapping[str, Any]]) -> str:
        return "\n".join(self.line(p) for p in problems)

    def refusal(self, message: str, problems: Sequence[Problem | Mapping[str, Any]]) -> str:
        """A refusal as a screen says it: its sentence, then each problem in words. A
        record's refusal names the problems in the data's words in its sentence: said
        here with the labels instead."""
        if not problems:
            return message
        if message.startswith((ValidationError.HEAD_EN, ValidationError.HEAD_JA)):
            message = self.t("problem.head")
        return f"{message}\n{self.lines(problems)}"
