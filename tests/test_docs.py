"""The documentation stays true, the sqlite-utils way: every command, option, setting and
office operation there is is documented, and nothing the README or docs/ name is gone."""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import VARIABLES
from field_app.ui import app
from hub import cli
from hub.roles import OPERATIONS, ROLES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
HUB_MD = DOCS.get("hub.md", "")
EVERYTHING = "\n".join([README, *DOCS.values()])
OFFICE = "/api/v1/office"
PACKAGES = ("core", "field_app", "ui_kit", "office", "sync", "hub")

# Options of other programs the docs show, and whose they are: not ours to check.
EXTERNAL = {
    "--no-deps": "pip wheel",
    "--exclude": "flet build",
    "--format": "pg_dump",
    "--clean": "pg_restore", "--if-exists": "pg_restore", "--single-transaction": "pg_restore",
    "--stop": "pg_dropcluster",
    "--headless": "soffice", "--convert-to": "soffice",
    "--gil": "py-spy",
    "--strict-markers": "pytest",
    "--no-sandbox": "Chromium", "--disable-gpu": "Chromium",
    "--disable-background-networking": "Chromium",
}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings
            if o.startswith("--") and o != "--help"}


def added_options(path: Path) -> set[str]:
    """The `--options` a script's own argparse adds (benchmarks and the crash soak build
    their parser inside main, so it is read from the source)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "add_argument":
            found |= {str(a.value) for a in node.args
                      if isinstance(a, ast.Constant) and str(a.value).startswith("--")}
    return found


def code_of(text: str) -> Iterator[str]:
    """Every fenced block's lines (a trailing backslash joins the next) and inline span."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    for block in fenced:
        yield from block.replace("\\\n", " ").splitlines()
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    yield from re.findall(r"`([^`\n]+)`", prose)


def hub_command_lines(text: str) -> Iterator[tuple[str, list[str]]]:
    """(subcommand, its --options) of every `ibasho-hub …` written as code."""
    for code in code_of(text):
        for rest in re.findall(r"ibasho-hub\s+([^#|;&]*)", code):
            words = rest.split()
            while words and words[0] == "--data-dir":
                words = words[2:]
            if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                yield words[0], [w.split("=")[0] for w in words[1:] if w.startswith("--")]


def section(text: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, re.M)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, match.end())
    return text[match.end():end.start() if end else len(text)]


def api_operations() -> set[tuple[str, str]]:
    from hub.db.engine import connect
    from hub.web.app import create_app

    engine = connect("sqlite://")
    try:
        schema = create_app(engine).openapi()
    finally:
        engine.dispose()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


# -- the README is a front door ---------------------------------------------------------------

def test_the_readme_is_a_front_door_of_at_most_300_lines() -> None:
    assert len(README.splitlines()) <= 300, len(README.splitlines())


def test_the_two_commands_are_there() -> None:
    assert "make run" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_relative_link_points_to_a_file_that_exists() -> None:
    pages = {ROOT / "README.md": README} | {ROOT / "docs" / n: t for n, t in DOCS.items()}
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            assert path.exists(), (page.name, target)
            if anchor:
                assert anchor in anchors(path.read_text(encoding="utf-8")), (page.name, target)


def test_the_readme_shows_a_small_screenshot() -> None:
    shots = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", README)
    assert shots
    for shot in shots:
        assert (ROOT / shot).stat().st_size < 300_000, shot


def test_the_readme_points_to_every_page_in_docs() -> None:
    for name in DOCS:
        assert f"(docs/{name})" in README, name


# -- everything there is, is documented ------------------------------------------------------

def test_every_hub_command_and_each_of_its_options_is_in_the_hub_manual() -> None:
    documented = {name for name, _ in hub_command_lines(HUB_MD)}
    assert "--data-dir" in HUB_MD
    for name, parser in subcommands().items():
        assert name in documented, f"`ibasho-hub {name}` is not shown in docs/hub.md"
        own = section(HUB_MD, f"`ibasho-hub {name}`")
        for option in options(parser):
            assert option in own, f"ibasho-hub {name} {option} is not in its section"


def test_every_app_option_is_documented() -> None:
    found = options(app.parser())
    assert "--local-hub" in found
    for option in found:
        assert option in EVERYTHING, option


def configuration_table() -> set[str]:
    table = section(README, "Configuring")
    return {name for line in table.splitlines() if line.startswith("|")
            for name in re.findall(r"`(IBASHO_[A-Z0-9_]+)`", line.split("|")[1])}


def test_every_setting_is_in_the_readmes_configuration_table_and_nothing_else_is() -> None:
    assert configuration_table() == set(VARIABLES)


def test_every_office_operation_is_documented_with_its_roles() -> None:
    office = {(m, p) for m, p in api_operations() if p.startswith(OFFICE)}
    assert len(office) > 20
    for method, path in office:
        assert f"{method} {path}" in HUB_MD + DOCS.get("console.md", ""), f"{method} {path}"
    table = {}
    for line in section(HUB_MD, "Office API").splitlines():
        found = re.match(rf"\|\s*`([A-Z]+) {OFFICE}(\S*)`\s*\|([^|]*)\|", line)
        if found:
            method, path, roles = found.groups()
            table[(method, path)] = frozenset(re.findall(rf"`({'|'.join(ROLES)})`", roles))
    assert table == OPERATIONS
    assert {(m, OFFICE + p) for m, p in OPERATIONS} == office


def test_every_benchmark_is_documented_with_the_commands_make_bench_runs() -> None:
    page = DOCS.get("benchmarks.md", "")
    for module in sorted((ROOT / "benchmarks").glob("*.py")):
        if module.stem != "__init__":
            assert f"python -m benchmarks.{module.stem}" in page, module.stem
    recipe = (ROOT / "Makefile").read_text().split("\nbench:")[1].split("\n\n")[0]
    for command in re.findall(r"\$\(BIN\)/(python -m benchmarks\.[^\n]+)", recipe):
        assert f".venv/bin/{command.strip()}" in page, command


# -- nothing documented is gone --------------------------------------------------------------

def test_every_hub_command_and_option_the_docs_show_exists() -> None:
    commands = subcommands()
    global_options = options(cli.parser())
    shown = list(hub_command_lines(EVERYTHING))
    assert len(shown) > 20
    for name, given in shown:
        assert name in commands, f"ibasho-hub {name}"
        for option in given:
            assert option in options(commands[name]) | global_options, f"{name} {option}"


def test_every_option_the_docs_name_is_one_of_ours_or_a_named_tools() -> None:
    ours = options(app.parser()) | options(cli.parser())
    for parser in subcommands().values():
        ours |= options(parser)
    for script in [*sorted((ROOT / "benchmarks").glob("*.py")), ROOT / "tests" / "crash.py"]:
        ours |= added_options(script)
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", EVERYTHING))
    assert named - ours - set(EXTERNAL) == set()


def test_every_setting_the_docs_name_exists() -> None:
    known = set(VARIABLES)
    for path in [*(ROOT / "tests").glob("*.py"), ROOT / "Makefile", *(ROOT / "scripts").iterdir()]:
        known |= set(re.findall(r"IBASHO_[A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    named = set(re.findall(r"IBASHO_[A-Z0-9_]*[A-Z0-9]", EVERYTHING))
    assert named and named - known == set()


def test_every_api_operation_the_docs_name_exists() -> None:
    there = api_operations()
    named = set(re.findall(r"\b(GET|POST|PUT|DELETE|PATCH) (/api/[^\s`?|),]+)", EVERYTHING))
    assert len(named) > 20
    assert named - there == set()


# -- one reader of the IBASHO_* settings -----------------------------------------------------

# Variables that are not ours, which our packages may read directly, and why.
OTHERS_VARIABLES = {
    "FLET_APP_STORAGE_DATA": "Flet's app storage, the data directory on Android (core/location)",
    "APPDATA": "Windows' per-user data folder (core/location)",
    "XDG_DATA_HOME": "the per-user data folder on Linux (core/location)",
    "DISPLAY": "whether an X display can take a window (field_app/ui/app)",
    "WAYLAND_DISPLAY": "whether a Wayland display can take a window (field_app/ui/app)",
}


def environment_reads(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) of every read of the environment whose key is not a literal name of
    OTHERS_VARIABLES. Writes for a child process (environ.update, dict(os.environ, …),
    environ[k] = v) are not reads."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def literal(key: ast.AST | None) -> bool:
        return isinstance(key, ast.Constant) and key.value in OTHERS_VARIABLES

    def getenv(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "getenv")
            or (isinstance(node.func, ast.Name) and node.func.id == "getenv"))

    def passed_on(up: ast.AST | None) -> bool:  # dict(os.environ, …): a child's environment
        return isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id == "dict"

    for node in ast.walk(tree):
        if getenv(node):
            assert isinstance(node, ast.Call)
            if not literal(node.args[0] if node.args else None):
                yield node.lineno, "getenv"
            continue
        if not ((isinstance(node, ast.Attribute) and node.attr == "environ")
                or (isinstance(node, ast.Name) and node.id == "environ")):
            continue
        up = parents.get(node)
        if isinstance(up, ast.Attribute) and isinstance(parents.get(up), ast.Call):
            call = parents[up]
            assert isinstance(call, ast.Call)
            if up.attr == "update" or (up.attr in ("get", "pop", "setdefault") and literal(
                    call.args[0] if call.args else None)):
                continue
            yield node.lineno, f"environ.{up.attr}"
        elif isinstance(up, ast.Subscript) and up.value is node:
            if not (isinstance(up.ctx, ast.Store) or literal(up.slice)):
                yield node.lineno, "environ[…]"
        elif not (passed_on(up) or (isinstance(up, ast.Compare) and literal(up.left))):
            yield node.lineno, "environ used another way"


def package_sources() -> Iterator[tuple[str, ast.AST]]:
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where != "core/config.py":
                yield where, ast.parse(path.read_text(encoding="utf-8"))


def test_the_environment_is_read_only_by_core_config_and_for_others_variables() -> None:
    reads = [(where, line, what) for where, tree in package_sources()
             for line, what in environment_reads(tree)]
    assert reads == []


def test_no_ibasho_name_is_made_up_outside_core_config() -> None:
    made = [(where, node.lineno, node.value) for where, tree in package_sources()
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith("IBASHO_") and node.value not in VARIABLES]
    assert made == []


@pytest.mark.parametrize("source, found", [
    ("import os\nos.environ.get('IBASHO_X')", True),
    ("import os\nK = 'A'\nos.environ.get(K, '30')", True),
    ("import os\nos.getenv('IBASHO_X')", True),
    ("import os\nos.environ['IBASHO_X']", True),
    ("import os\nenv = os.environ\n", True),
    ("from os import environ\nenviron.get('DISPLAY')", False),
    ("import os\nos.environ.update({'IBASHO_X': '1'})", False),
    ("import os\ndict(os.environ, IBASHO_X='1')", False),
    ("import os\n'DISPLAY' in os.environ", False),
])
def test_the_reader_check_sees_reads_by_a_name_made_at_run_time(source: str, found: bool) -> None:
    assert bool(list(environment_reads(ast.parse(source)))) is found


def test_serves_workers_get_the_console_idle_minutes_through_the_one_reader() -> None:
    from core.config import Config

    name = "IBASHO_HUB_WORKER_CONSOLE_IDLE_MINUTES"
    assert Config.from_env({name: "12.5"}).worker_console_idle_minutes == 12.5
    for stray in ("", "soon", "0", "-3", "nan"):  # never stops the tablet app, which reads it too
        assert Config.from_env({name: stray}).worker_console_idle_minutes == 30.0
