"""The shape of the package: no import cycles, small modules, and the layers enforced.

The layers themselves are checked by ``lint-imports`` (the contract in ``pyproject.toml``), which
``make test`` runs; these tests add what a layers contract cannot see: a cycle between any two
modules (imports inside functions count) and the size of each module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import mastery_grading

PACKAGE = Path(mastery_grading.__file__).parent
#: A module longer than this needs a ``# Long because: ...`` line near its top saying why.
MAX_LINES = 600
LONG_BECAUSE = "# Long because:"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every module of the package that ``name`` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                yield candidate


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [["a", "b", "c"]] == _cycles(graph)
    assert [] == _cycles({"a": {"b"}, "b": set()})


def test_no_import_cycles_between_modules_of_the_package() -> None:
    """No module imports, directly or through others, a module that imports it back.

    Imports inside functions and under ``TYPE_CHECKING`` count: a cycle hidden in a function is
    still a cycle of the design.
    """
    graph = {name: set(_imported(name, path)) for name, path in MODULES.items()}
    assert [] == _cycles(graph)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_short_or_says_why_it_is_long(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").splitlines()
    if len(lines) > MAX_LINES:
        head = lines[:40]
        reason = [line for line in head if line.startswith(LONG_BECAUSE)]
        assert reason, f"{name} has {len(lines)} lines; split it or add '{LONG_BECAUSE} ...'"
        assert len(reason[0]) > len(LONG_BECAUSE) + 10, f"{name}: say why, not just that"
