"""`python build.py`: build the static site; errors become one line each and exit code 1.

The options become one BuildPlan (plan.py), which the build carries through every phase; this
module only parses, runs and prints.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentErrors, MadoguchiError
from .plan import DEFAULT_CONTENT_CACHE, DEFAULT_MARKDOWN_CACHE, DEFAULT_PDF_CACHE, ROOT, BuildPlan, tokyo_today

if TYPE_CHECKING:
    from .build import BuildReport


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {value}") from None


def parser() -> argparse.ArgumentParser:
    """The command-line options of build.py."""
    p = argparse.ArgumentParser(prog="build.py", description="Build the Madoguchi static site from content/.")
    p.add_argument("--content", type=Path, default=ROOT / "content", help="content folder (default: content/)")
    p.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (default: site/)")
    p.add_argument("--office", action="append", metavar="SLUG", help="build only this office (repeatable)")
    p.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help="skip the PDF leaflets (leaflet.pdf, terms.pdf); WeasyPrint is not loaded")
    p.add_argument("--no-incremental", dest="incremental", action="store_false",
                   help="rebuild every office even when nothing changed since the last build")
    p.add_argument("--pdf-cache", type=Path, default=None, metavar="DIR",
                   help="folder of PDFs kept between builds (default: .cache/pdf/)")
    p.add_argument("--markdown-cache", type=Path, default=None, metavar="DIR",
                   help="folder of rendered Markdown kept between builds (default: .cache/markdown/)")
    p.add_argument("--content-cache", type=Path, default=None, metavar="DIR",
                   help="folder of loaded offices kept between builds (default: .cache/content/)")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="build as of this date: which terms version is current (default: today in Japan)")
    p.add_argument("--preview", dest="publish", action="store_false",
                   help="check a draft: build without recording terms versions in terms-lock.json")
    p.add_argument("--release", action="store_true",
                   help="build for release: refuse, one line per missing fact, instead of a draft marked 見本")
    p.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    return p


def plan_from(args: argparse.Namespace) -> BuildPlan:
    """The build's plan from the parsed options: each option sets one BuildPlan field."""
    return BuildPlan(args.content, args.out, tuple(args.office or ()),
                     today=args.today or tokyo_today(), pdf=args.pdf,
                     pdf_cache=args.pdf_cache or DEFAULT_PDF_CACHE,
                     incremental=args.incremental, publish=args.publish,
                     markdown_cache=args.markdown_cache or DEFAULT_MARKDOWN_CACHE, release=args.release,
                     content_cache=args.content_cache or DEFAULT_CONTENT_CACHE)


def print_report(report: BuildReport, plan: BuildPlan, quiet: bool) -> None:
    """Warnings on stderr; unless `quiet`, what was built and written on stdout."""
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if quiet:
        return
    s = report.stats
    names = ", ".join(report.offices) if len(report.offices) <= 5 else f"{report.offices[0]} … {report.offices[-1]}"
    kept = report.files - s.written - s.unchanged   # offices reused or not named (--office): not compared
    kept_text = f", {kept} left as they were" if kept > 0 else ""
    print(f"built {len(report.offices)} office(s) ({names}; {len(report.reused)} unchanged since the last "
          f"build): {report.files} files ({s.written} written, {s.unchanged} unchanged{kept_text}, "
          f"{s.removed} removed) into {plan.out} in {report.seconds:.2f}s")
    if plan.pdf and report.back_sizes:
        sizes = ", ".join(f"{slug} {size:g}pt" for slug, size in report.back_sizes.items())
        print(f"PDFs: {report.pdfs_rendered} rendered, {report.pdfs_cached} cached "
              f"(leaflet back page: {sizes})")


def main(argv: list[str] | None = None) -> int:
    """Run the build and report; returns the process exit code."""
    args = parser().parse_args(argv)
    # A build makes millions of short-lived objects and few reference cycles; at Python's default
    # threshold (700) the collector's passes were ~8% of a national build's CPU. The command ends
    # when the build does, so it collects far less often (peak memory +5%, measured at 544 offices).
    gc.set_threshold(50_000, 50, 1000)
    from .build import execute  # after parsing, so --help is instant

    plan = plan_from(args)
    try:
        report = execute(plan)
    except ContentErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    except MadoguchiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_report(report, plan, args.quiet)
    return 0
