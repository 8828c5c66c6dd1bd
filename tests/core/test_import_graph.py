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


# ---------------------------------------------------------------- packages, one way

# Modules that face the user rather than hold the rules: the pages, forms and commands, and
# what turns records into text for them (the audit history in words, the JSON of a case).
# They may name any feature; the rest of a package (models, services, queries …) is its
# domain, and the domains of the feature packages import each other one way only.
INTERFACE_MODULES = {
    "views",
    "admin_views",
    "forms",
    "admin_forms",
    "cli",
    "commands",
    "render",
    "words",
    "serialize",
    "sections",  # the case page's sections loaded on demand (cases.sections)
}


def _package(module: str) -> str | None:
    """The feature package of a domain module, or None for the top-level modules (the
    factory, db, extensions, errors …) and the interface modules."""
    parts = module.split(".")
    if len(parts) < 2 or not (ROOT / parts[1] / "__init__.py").exists():
        return None
    return None if parts[-1] in INTERFACE_MODULES else parts[1]


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, deps in _graph().items():
        here = _package(module)
        if here is None:
            continue
        graph.setdefault(here, set())
        graph[here] |= {p for d in deps if (p := _package(d)) not in (None, here)}
    return graph


def _tangles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The groups of packages that reach each other (strongly connected, more than one)."""
    reach = {p: _reachable(graph, p) for p in graph}
    groups = {frozenset({p} | {q for q in reach[p] if p in reach[q]}) for p in graph}
    return sorted((g for g in groups if len(g) > 1), key=sorted)


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_package_walk_sees_the_domain_imports():
    graph = _package_graph()
    assert "cases" in graph["documents"] and "directory" in graph["cases"]
    assert "audit" in graph["auth"]  # auth.services records audit events
    assert "caseapp.cases.views" not in {m for m in _graph() if _package(m)}
    assert _tangles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_feature_packages_import_each_other_one_way():
    tangles = _tangles(_package_graph())
    assert not tangles, f"packages that import each other: {[sorted(t) for t in tangles]}"


def test_the_audit_log_depends_on_no_feature():
    assert _package_graph()["audit"] == set()
