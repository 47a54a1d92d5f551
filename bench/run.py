#!/usr/bin/env python3
"""Run every benchmark and print one table: figure, the peer or limit measured, their ratio.

Usage: .venv/bin/python bench/run.py [--only NAME ...]

Each `bench/bench_*.py` module exposes `rows() -> list[Row]`; this runner imports them in
name order and prints their rows; a module that raises gets a FAILED row (its traceback goes
to stderr) and the run exits 1 after printing the rest. Benchmarks measure; they never fail a test run.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from rowtype import Row  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark modules and print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="module names without bench_ (e.g. build pdf)")
    args = p.parse_args(argv)
    names = sorted(f.stem for f in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only]
    rows: list[Row] = []
    failed = 0
    for name in names:
        print(f"running {name} …", file=sys.stderr, flush=True)
        try:
            rows.extend(importlib.import_module(name).rows())
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows.append(Row(f"{name}: FAILED", f"{type(exc).__name__}: {exc}"[:80], "-", "-"))
            failed += 1
    header = Row("benchmark", "figure", "peer / limit", "ratio")
    widths = [max(len(getattr(r, f)) for r in [header, *rows]) for f in Row._fields]
    for r in [header, Row(*("-" * w for w in widths)), *rows]:
        print("  ".join(getattr(r, f).ljust(w) for f, w in zip(Row._fields, widths)).rstrip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
