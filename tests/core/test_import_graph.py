"""The modules under caseapp/ import each other one way only: the test walks every import
of every module (at the top or inside a function, where a cycle would hide) and fails on a
cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import caseapp

ROOT = Path(caseapp.__file__).resolve().parent
# Imports that start the app's parts from the factory and the console script: the factory
# is the top of the house, it may name everything (nothing names it but the script).
ENTRY_POINTS = {"caseapp", "caseapp.cli", "caseapp.views_setup", "caseapp.database"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names}
    return {m for m in found if m == "caseapp" or m.startswith("caseapp.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path, name) if m in modules and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_walk_sees_the_imports():
    graph = _graph()
    assert "caseapp.mail.proposal" in graph["caseapp.mail.importer"]
    assert "caseapp.documents.services" in graph["caseapp.mail.importer"]


def test_no_module_imports_itself_back():
    graph = {m: deps for m, deps in _graph().items() if m not in ENTRY_POINTS}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))
