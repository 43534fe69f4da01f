"""The architecture's one-way arrows (DESIGN §3), checked on the source itself."""

from __future__ import annotations

import ast
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


def test_the_domain_imports_nothing_of_ours() -> None:
    for path in (ROOT / "field_app" / "domain").glob("*.py"):
        found = ours(imported(path), "field_app", "sync")
        assert found <= {n for n in found if n.startswith("field_app.domain")}, (path, found)


def test_only_the_hubs_entry_point_touches_the_ui() -> None:
    for path in (ROOT / "sync").rglob("*.py"):
        found = ours(imported(path), "field_app.ui")
        if path.name == "cli.py" and path.parent.name == "hub":
            assert found == {"field_app.ui.office.console"}  # `serve` mounts the console
        else:
            assert not found, (path, found)


def test_the_ui_never_touches_tinydb_sqlalchemy_or_the_hub() -> None:
    for path in (ROOT / "field_app" / "ui").rglob("*.py"):
        found = ours(imported(path), "tinydb", "sqlalchemy", "sync.hub")
        if path.name == "app.py":  # `ibasho-field --local-hub` starts a hub process to try sync
            found -= {"sync.hub"}
        assert not found, (path, found)
