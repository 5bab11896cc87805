"""The command line is the top layer: nothing below it imports it, and its own modules import
one another one way (app -> the command modules -> common), function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "nato_russia"
CLI = "nato_russia.cli"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every module of the package and the modules of the package it imports, wherever in
    the file the import is."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return False


def test_only_the_console_script_imports_the_command_line() -> None:
    graph = _imports()
    importers = {
        name
        for name, targets in graph.items()
        if not name.startswith(CLI) and any(t.startswith(CLI) for t in targets)
    }
    assert importers == {"nato_russia.entry"}


def test_no_module_of_the_command_line_is_in_an_import_cycle() -> None:
    graph = _imports()
    in_cycles = sorted(
        name for name in graph if name.startswith(CLI) and _reaches(graph, name, name)
    )
    assert not in_cycles


def test_command_modules_import_only_the_shared_one() -> None:
    # records is the one exception: `nrr topics` lists topics as records lists any type.
    graph = _imports()
    allowed = {f"{CLI}.common", f"{CLI}.records"}
    for name, targets in graph.items():
        if name.startswith(f"{CLI}.") and name != f"{CLI}.app":
            assert {t for t in targets if t.startswith(CLI)} <= allowed, name
