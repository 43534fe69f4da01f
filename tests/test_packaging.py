"""What `pip install` of this project carries: every package, the catalogue, UI texts and font
from `assets/`, and the hub's migrations. Built as a real wheel and run from it, away from the
checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_list_covers_the_tree() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for top in ("core", "field_app", "ui_kit", "office", "sync", "hub")
             for p in (ROOT / top).rglob("__init__.py")}
    assert set(config["packages"]) == found | {"core.assets"}
    assert config["package-dir"] == {"core.assets": "assets"}


def test_the_tablet_build_leaves_the_hub_and_the_console_out() -> None:
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["flet"]
    assert flet["app"]["module"] == "main" and (ROOT / "main.py").exists()
    assert {"hub", "office", "tests", "benchmarks"} <= set(flet["app"]["exclude"])


@pytest.mark.slow
def test_a_built_wheel_runs_the_catalogue_and_the_hub_away_from_the_checkout(tmp_path: Path) -> None:
    # from a copy: setuptools reuses a `build/` left in the tree, which can hide a missing file
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "artifacts", "__pycache__", ".*_cache"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=240)
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(site)
    for shipped in ("core/assets/data/programs.json", "core/assets/i18n/ja.json",
                    "core/assets/fonts/NotoSansJP-JIS0208.otf",
                    "hub/db/migrations/env.py"):
        assert shipped in names, f"{shipped} is missing from {wheel.name}"
    assert not any(n.startswith(("tests/", "assets/")) for n in names)

    env = {k: v for k, v in os.environ.items() if not k.startswith("IBASHO_")}
    env["PYTHONPATH"] = str(site)  # ahead of the checkout's editable install
    env["IBASHO_HUB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    check = (
        "import field_app, pathlib, sys\n"
        "from core.reference_data import ASSETS_DIR, load_reference, texts\n"
        f"site = pathlib.Path({str(site)!r})\n"
        "assert pathlib.Path(field_app.__file__).is_relative_to(site), field_app.__file__\n"
        "assert ASSETS_DIR.is_relative_to(site), ASSETS_DIR\n"
        "reference = load_reference()\n"
        "assert reference.programs and texts('ja')['app.title'] == '居場所フィールドノート'\n"
        "from hub.cli import main\n"
        "sys.exit(main(['migrate']))\n")
    ran = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
    import sqlalchemy as sa

    engine = sa.create_engine(env["IBASHO_HUB_DATABASE_URL"])
    with engine.connect() as conn:
        assert "records" in sa.inspect(conn).get_table_names()
    engine.dispose()
