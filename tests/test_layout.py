"""The architecture's one-way arrows (DESIGN §3), checked on the source itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def ours(names: set[str], *packages: str) -> set[str]:
    return {n for n in names if n.split(".")[0] in packages or
            any(n == p or n.startswith(p + ".") for p in packages)}


UI = ("field_app.ui", "ui_kit", "office", "flet", "flet_web")


def modules(*parts: str) -> list[Path]:
    return sorted((ROOT.joinpath(*parts)).rglob("*.py"))


def test_the_domain_imports_nothing_of_ours() -> None:
    for path in modules("core", "domain"):
        found = ours(imported(path), "core", "field_app", "sync", "hub", "ui_kit", "office")
        assert found <= {n for n in found if n.startswith("core.domain")}, (path, found)


def test_the_shared_core_imports_no_app_the_hub_or_sync() -> None:
    for path in modules("core"):
        assert not ours(imported(path), "field_app", "sync", "hub", "ui_kit", "office"), path


def test_nothing_in_the_hub_or_the_console_imports_the_tablets_package() -> None:
    for path in modules("hub") + modules("office"):
        assert not ours(imported(path), "field_app"), path


def test_only_the_hubs_entry_point_touches_a_ui() -> None:
    for path in modules("sync") + modules("hub"):
        found = ours(imported(path), *UI)
        if path.name == "cli.py" and path.parent.name == "hub":
            assert found == {"office.console"}  # `serve` mounts the console
        else:
            assert not found, (path, found)


def test_below_the_field_apps_ui_nothing_touches_a_ui_or_the_hub() -> None:
    for part in ("domain", "store"):
        for path in modules("field_app", part):
            assert not ours(imported(path), *UI, "sync", "httpx"), path
    for path in ROOT.joinpath("field_app").glob("*.py"):
        assert not ours(imported(path), *UI, "hub"), path


def test_the_field_apps_ui_never_touches_tinydb_sqlalchemy_the_hub_or_the_console() -> None:
    for path in modules("field_app", "ui"):
        found = ours(imported(path), "tinydb", "sqlalchemy", "hub", "office", "httpx")
        if path.name == "app.py":  # `ibasho-field --local-hub` starts a hub process to try sync
            found -= {"hub"}
        assert not found, (path, found)


def test_the_console_talks_to_the_hub_only_through_its_api_client() -> None:
    for path in modules("office"):
        found = ours(imported(path), "hub", "sqlalchemy", "tinydb", "field_app.ui",
                     "field_app.store")
        # of the hub, only its typed contract (pure models)
        found = {n for n in found if n != "hub.contract" and not n.startswith("hub.contract.")}
        assert not found, (path, found)
        if path.name != "client.py":
            assert not ours(imported(path), "httpx"), path


def test_the_ui_kit_knows_neither_app() -> None:
    for path in modules("ui_kit"):
        assert not ours(imported(path), "field_app.ui", "field_app.store", "office", "sync",
                        "hub"), path


def test_the_field_apps_import_closure_holds_no_hub_console_or_server_library() -> None:
    """What the tablet imports (main.py's module and every screen): computed, not read."""
    code = ("import sys, field_app.ui.app, field_app.ui.shell\n"
            "print('\\n'.join(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=120).stdout.split()
    assert "field_app.ui.shell" in out and "sync.client" in out and "ui_kit.theme" in out
    bad = [m for m in out if m.split(".")[0] in ("office", "fastapi", "sqlalchemy", "alembic",
                                                 "uvicorn", "flet_web", "psycopg", "openpyxl")
           or m.startswith("hub")]
    assert bad == []


def test_the_contract_is_pure_models() -> None:
    """What the console imports of the hub: no database, no web framework, no hub code."""
    for path in modules("hub", "contract"):
        found = ours(imported(path), "sqlalchemy", "fastapi", "starlette", "hub.web", "hub.db",
                     "alembic")
        assert not found, (path, found)


def test_the_hubs_layers_point_one_way() -> None:
    """hub.web → the hub's nouns and documents → hub.db → core: the database layer knows
    no noun and no web, the nouns and documents know no web (only the CLI's `serve` and the
    local hub assemble the app)."""
    for path in modules("hub", "db"):
        found = ours(imported(path), "hub")
        assert {n for n in found if not n.startswith(("hub.db", "hub.errors"))} == set(), path
    entries = {"cli.py", "local.py"}
    for path in modules("hub"):
        if "web" in path.parts or (path.parent.name == "hub" and path.name in entries):
            continue
        assert not ours(imported(path), "hub.web"), path
