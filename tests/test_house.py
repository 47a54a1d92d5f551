"""The house rules of STYLE.md that a machine can check: small modules that say what they are,
public functions with a docstring, every parameter typed."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (ROOT / "portal").rglob("*.py") if "migrations" not in p.parts)
MAX_LINES = 400


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_small_and_says_what_it_is(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{_name(path)}: split it along a real seam"
    assert ast.get_docstring(ast.parse(text)), f"{_name(path)}: no module docstring"


def _functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_every_parameter_is_typed():
    untyped = []
    for path in MODULES:
        for fn in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs, fn.args.vararg, fn.args.kwarg]
            names = [a.arg for a in args if a is not None and a.annotation is None and a.arg not in ("self", "cls")]
            if names:
                untyped.append(f"{_name(path)}:{fn.lineno} {fn.name}({', '.join(names)})")
    assert untyped == []


def test_public_functions_have_a_docstring():
    missing = []
    for path in MODULES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_") \
                    and not ast.get_docstring(node):
                missing.append(f"{_name(path)}:{node.lineno} {node.name}")
    assert missing == []
