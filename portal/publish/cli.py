"""`python build.py`: build the static site; errors become one line each and exit code 1."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ContentErrors, MadoguchiError

ROOT = Path(__file__).resolve().parents[2]


def parser() -> argparse.ArgumentParser:
    """The command-line options of build.py."""
    p = argparse.ArgumentParser(prog="build.py", description="Build the Madoguchi static site from content/.")
    p.add_argument("--content", type=Path, default=ROOT / "content", help="content folder (default: content/)")
    p.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (default: site/)")
    p.add_argument("--office", action="append", metavar="SLUG", help="build only this office (repeatable)")
    p.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the build and report; returns the process exit code."""
    args = parser().parse_args(argv)
    from .build import build  # after parsing, so --help is instant

    try:
        report = build(args.content, args.out, args.office)
    except ContentErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    except MadoguchiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not args.quiet:
        s = report.stats
        print(f"built {len(report.offices)} office(s) ({', '.join(report.offices)}): {report.files} files "
              f"({s.written} written, {s.unchanged} unchanged, {s.removed} removed) into {args.out} "
              f"in {report.seconds:.2f}s")
    return 0
