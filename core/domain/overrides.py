"""The office's own reference data on top of the shipped catalogue: referral destinations
(added, edited, retired) and the program settings that change from year to year (grant
cap, registration, the grant conditions by fiscal year). Validated here; applied to a
Reference purely.

A destination is never deleted, only retired: concerns written earlier still name it and
must stay valid. A retired destination is no longer offered for new choices."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from core.domain.conditions import parse_versions, read_versions, versions_to_json
from core.domain.problem import CHOICE
from core.domain.reference import Label, Option, Program, Reference, weekly_problems
from core.domain.validation import Checker

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DESTINATION_FIELDS = ("key", "ja", "en", "phone", "emergency", "retired")
PROGRAM_FIELDS = ("grant_cap_yen", "requires_registration", "frequency_ja", "frequency_en",
                  "conditions")


def _nested(c: Checker, prefix: str, inner: Checker) -> None:
    for p in inner.problems:
        c.problems.append(p.under(prefix))


def _destination(c: Checker, i: int, raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        c.fail(f"destinations[{i}]", raw, "an object", "オブジェクト")
        return None
    d = Checker(raw)
    d.only(DESTINATION_FIELDS)
    key = d.text("key", required=True, max_len=40)
    if key and not KEY_RE.match(key):
        d.fail("key", key, "lower-case letters, digits and _ (starting with a letter)",
               "半角英小文字・数字・_（英字で始まる）")
    ja = d.text("ja", required=True, max_len=100)
    out = {"key": key, "ja": ja, "en": d.text("en", max_len=100) or ja,
           "phone": d.text("phone", max_len=40), "emergency": d.boolean("emergency"),
           "retired": d.boolean("retired")}
    _nested(c, f"destinations[{i}]", d)
    return out


def _program(c: Checker, key: str, raw: Any, program: Program,
             activities: frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        c.fail(f"programs.{key}", raw, "an object", "オブジェクト")
        return {}
    p = Checker(raw)
    p.only(PROGRAM_FIELDS)
    out: dict[str, Any] = {
        "grant_cap_yen": p.integer("grant_cap_yen", maximum=100_000_000,
                                   default=program.grant_cap_yen),
        "requires_registration": p.boolean("requires_registration",
                                           default=program.requires_registration),
        "frequency_ja": p.text("frequency_ja", max_len=200, default=program.frequency.ja),
        "frequency_en": p.text("frequency_en", max_len=200, default=program.frequency.en),
    }
    if "conditions" in raw:
        versions = read_versions(raw["conditions"], activities, "conditions", p.problems)
        p.problems += weekly_problems(program.recording, versions, "conditions")
    else:
        versions = program.conditions
    out["conditions"] = versions_to_json(versions)
    _nested(c, f"programs.{key}", p)
    return out


def parse_overrides(data: Mapping[str, Any], base: Reference) -> dict[str, Any]:
    """Check the office's reference data against the shipped catalogue; every problem at
    once, each named by its path (destinations[2].ja, programs.ibasho.min_minutes)."""
    c = Checker(data)
    c.only(("destinations", "programs"))
    destinations: list[dict[str, Any]] = []
    raw = data.get("destinations")
    if raw is not None and not isinstance(raw, list):
        c.fail("destinations", raw, "a list", "リスト")
    for i, item in enumerate(raw or []):
        found = _destination(c, i, item)
        if found is not None:
            destinations.append(found)
    keys = [d["key"] for d in destinations]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        # named as staff know them: a key is the data's name, not theirs
        names = "「" + "」「".join(d["ja"] for d in destinations if d["key"] == key) + "」"
        c.fail("destinations", key, f"each key once ({key} is repeated: {names})",
               f"提供先ごとに別のキー（{names} が同じキーです）", "repeated")
    if raw is not None:
        for d in base.destinations:
            if d.key not in keys:
                c.fail("destinations", d.key, f"{d.label.en} kept (retire a destination "
                       "instead of deleting it: earlier concerns name it)",
                       f"「{d.label.ja}」を残すこと。削除せず「使用しない」にします", "kept")
    programs: dict[str, dict[str, Any]] = {}
    raw_programs = data.get("programs") or {}
    if not isinstance(raw_programs, Mapping):
        c.fail("programs", raw_programs, "an object keyed by program", "事業ごとのオブジェクト")
        raw_programs = {}
    for key, settings in raw_programs.items():
        if key not in base.programs:
            c.fail(f"programs.{key}", key, f"one of: {', '.join(sorted(base.programs))}",
                   "登録済みの事業", CHOICE, list(base.programs))
            continue
        programs[str(key)] = _program(c, str(key), settings, base.programs[key],
                                      base.keys("activities"))
    c.raise_if_any()
    return {"destinations": destinations if raw is not None else None, "programs": programs}


def apply_overrides(base: Reference, doc: Mapping[str, Any] | None) -> Reference:
    """The reference data as the office has set it (a checked document; None: as shipped)."""
    if not doc:
        return base
    destinations = base.destinations
    if doc.get("destinations") is not None:
        destinations = tuple(
            Option(d["key"], Label(d["ja"], d["en"]),
                   {"phone": d.get("phone", ""), "emergency": bool(d.get("emergency")),
                    "retired": bool(d.get("retired"))})
            for d in doc["destinations"])
    programs = dict(base.programs)
    for key, s in (doc.get("programs") or {}).items():
        old = programs.get(key)
        if old is None:
            continue
        conditions = (parse_versions(s["conditions"], base.keys("activities"))
                      if "conditions" in s else old.conditions)
        programs[key] = dataclasses.replace(
            old, conditions=conditions, grant_cap_yen=s["grant_cap_yen"],
            requires_registration=s["requires_registration"],
            frequency=Label(s["frequency_ja"], s["frequency_en"]))
    return dataclasses.replace(base, programs=programs, destinations=destinations)


def editable(ref: Reference) -> dict[str, Any]:
    """The current reference data as the document the office edits."""
    return {
        "destinations": [{"key": d.key, "ja": d.label.ja, "en": d.label.en,
                          "phone": str(d.attrs.get("phone", "")),
                          "emergency": bool(d.attrs.get("emergency")),
                          "retired": bool(d.attrs.get("retired"))} for d in ref.destinations],
        "programs": {k: {"grant_cap_yen": p.grant_cap_yen,
                         "requires_registration": p.requires_registration,
                         "conditions": versions_to_json(p.conditions),
                         "frequency_ja": p.frequency.ja, "frequency_en": p.frequency.en}
                     for k, p in ref.programs.items()},
    }
