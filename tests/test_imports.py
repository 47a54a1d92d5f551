"""The package's house: every module imports alone, and no import cycle, not even a delayed one.

Each module of portal/ is imported by itself in a fresh interpreter, so a module that only works
when something else happened to be imported first fails here. The cycle check reads every
import statement (top level and inside functions) with `ast`, since a delayed import hides a
cycle from the interpreter but not from a reader.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "portal"


def module_name(path: Path) -> str:
    """portal/web/booking/__init__.py → portal.web.booking."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package (Alembic's migration scripts are loaded by Alembic, not imported)."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module; `from pkg import name`, pkg's __init__.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_sees_a_delayed_import(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from .b import g\n", encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text("from .a import f\n", encoding="utf-8")
    graph = {"p.a": imports_of("p.a", a, {"p.a", "p.b"}), "p.b": imports_of("p.b", b, {"p.a", "p.b"})}
    assert cycles(graph) == [["p.a", "p.b"]]


def test_no_import_cycle():
    found = modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    assert cycles(graph) == []


@pytest.mark.slow
def test_every_module_imports_alone():
    def load(name: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True)
        return name, done.stderr.strip().splitlines()[-1] if done.returncode else ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = {name: err for name, err in pool.map(load, modules()) if err}
    assert failed == {}


@pytest.mark.parametrize("name", ["portal.rules", "portal.offices", "portal.publish.build"])
def test_content_and_rules_load_no_web_framework(name):
    probe = f"import sys, {name}; print(sorted(m for m in ('flask', 'sqlalchemy', 'weasyprint') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
