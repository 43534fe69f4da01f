"""The README stays true: it names every command, option and benchmark there is."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from field_app.ui import app
from hub import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_hub_command_is_documented() -> None:
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in sub.choices:
        assert f"ibasho-hub --data-dir /srv/ibasho {name}" in README or (
            f"ibasho-hub {name} " in README), name


def test_every_app_option_is_documented() -> None:
    options = [o for a in app.parser()._actions for o in a.option_strings if o.startswith("--")]
    assert "--local-hub" in options
    for option in options:
        if option != "--help":
            assert option in README, option


def test_every_benchmark_is_documented() -> None:
    for module in sorted((ROOT / "benchmarks").glob("*.py")):
        if module.stem != "__init__":
            assert f"python -m benchmarks.{module.stem}" in README, module.stem


def test_the_two_commands_are_there() -> None:
    assert "make run" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_every_setting_is_read_in_one_place_and_documented() -> None:
    from core.config import VARIABLES

    for name in VARIABLES:
        assert f"`{name}`" in README, name
    reading = re.compile(r"(environ\.get\(|environ\[|getenv\()\s*[\"']IBASHO_")
    readers = [p.relative_to(ROOT).as_posix()
               for top in ("core", "field_app", "ui_kit", "office", "sync", "hub")
               for p in (ROOT / top).rglob("*.py")
               if reading.search(p.read_text(encoding="utf-8")) and p.name != "config.py"]
    assert readers == [], readers
