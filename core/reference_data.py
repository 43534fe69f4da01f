"""Reads the data in `assets/` (programs, enumerations, destinations, sample places,
UI texts) and turns it into domain values. The only module that knows the files."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from core.domain.conditions import parse_versions
from core.domain.guards import Guards
from core.domain.place import Place
from core.domain.record import SCHEMA
from core.domain.reference import Label, Option, Program, Reference, parse_recording
from core.location import ASSETS_DIR as ASSETS_DIR  # named here too, as it long was
from core.location import LANGS as LANGS

SAMPLE_AUTHOR = "市民社協（サンプル）"
SAMPLE_TIME = "2026-04-01T00:00:00.000Z"


def _read(name: str, assets: Path) -> Any:
    with open(assets / name, encoding="utf-8") as f:
        return json.load(f)


def _options(items: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(
        Option(str(i["key"]), Label.of(i), {k: v for k, v in i.items() if k not in ("key", "ja", "en")})
        for i in items)


def _program(data: dict[str, Any], activities: frozenset[str]) -> Program:
    # checked like the office's own: a bad data file fails loudly, naming the field
    conditions = parse_versions(data.get("conditions"), activities,
                                f"programs.{data['key']}.conditions")
    recording, due_day = parse_recording(data, conditions, f"programs.{data['key']}")
    return Program(
        key=data["key"], label=Label.of(data["label"]), target=Label.of(data["target"]),
        frequency=Label.of(data["frequency"]),
        participant_categories=_options(data["participant_categories"]),
        conditions=conditions,
        grant_cap_yen=int(data["grant_cap_yen"]),
        requires_registration=bool(data["requires_registration"]),
        recording=recording, report_due_day=due_day)


@functools.cache
def load_reference(assets: Path = ASSETS_DIR) -> Reference:
    enums = {name: _options(items) for name, items in _read("data/enums.json", assets).items()}
    activities = frozenset(o.key for o in enums["activities"])
    programs = {p["key"]: _program(p, activities)
                for p in _read("data/programs.json", assets)["programs"]}
    destinations = _options(_read("data/destinations.json", assets)["destinations"])
    places = _read("data/places.json", assets)
    limits = {k: int(v) for k, v in _read("data/planning.json", assets).items()
              if not k.startswith("_")}
    return Reference(programs, enums, destinations,
                     {p["id"]: p["program"] for p in places["places"]}, _options(places["areas"]),
                     limits, Guards.of(_read("data/guards.json", assets)))


@functools.cache
def sync_quiet_seconds(assets: Path = ASSETS_DIR) -> float:
    """How long a form stays quiet before what it saved is pushed (data/sync.json)."""
    value = _read("data/sync.json", assets).get("quiet_seconds")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ValueError(f"data/sync.json quiet_seconds: {value!r}; expected seconds, "
                         "more than 0 and at most 3600")
    return float(value)


@functools.cache
def photo_settings(assets: Path = ASSETS_DIR) -> dict[str, int]:
    """The office's photo settings (data/hub_photos.json): how many photos a 実績報告書
    may show, and how long the hub keeps them."""
    data = _read("data/hub_photos.json", assets)
    out = {}
    for key, low, high in (("report_photos", 1, 24), ("keep_years", 1, 30),
                           ("unfinished_days", 1, 365)):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"data/hub_photos.json {key}: {value!r}; expected a whole number "
                             f"from {low} to {high}")
        out[key] = value
    return out


def sample_places(assets: Path = ASSETS_DIR) -> list[Place]:
    """The sample places as records, as the office would send them."""
    out = []
    for p in _read("data/places.json", assets)["places"]:
        out.append(Place(**p, kind="place", schema=SCHEMA, rev=1, created_at=SAMPLE_TIME,
                         updated_at=SAMPLE_TIME, device_id="office", author=SAMPLE_AUTHOR))
    return out


@functools.cache
def texts(lang: str, assets: Path = ASSETS_DIR) -> dict[str, str]:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, got {lang!r}")
    data: dict[str, str] = _read(f"i18n/{lang}.json", assets)
    return data
