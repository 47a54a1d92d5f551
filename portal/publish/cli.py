"""`python build.py`: build the static site; errors become one line each and exit code 1."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import ContentErrors, MadoguchiError

ROOT = Path(__file__).resolve().parents[2]


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
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="build as of this date: which terms version is current (default: today in Japan)")
    p.add_argument("--preview", dest="publish", action="store_false",
                   help="check a draft: build without recording terms versions in terms-lock.json")
    p.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the build and report; returns the process exit code."""
    args = parser().parse_args(argv)
    from .build import build  # after parsing, so --help is instant

    try:
        extra = {"pdf_cache": args.pdf_cache} if args.pdf_cache else {}
        report = build(args.content, args.out, args.office, today=args.today, pdf=args.pdf,
                       incremental=args.incremental, publish=args.publish, **extra)
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
        names = ", ".join(report.offices) if len(report.offices) <= 5 else f"{report.offices[0]} … {report.offices[-1]}"
        kept = report.files - s.written - s.unchanged   # offices reused or not named (--office): not compared
        kept_text = f", {kept} left as they were" if kept > 0 else ""
        print(f"built {len(report.offices)} office(s) ({names}; {len(report.reused)} unchanged since the last "
              f"build): {report.files} files ({s.written} written, {s.unchanged} unchanged{kept_text}, "
              f"{s.removed} removed) into {args.out} in {report.seconds:.2f}s")
        if args.pdf and report.back_sizes:
            sizes = ", ".join(f"{slug} {size:g}pt" for slug, size in report.back_sizes.items())
            print(f"PDFs: {report.pdfs_rendered} rendered, {report.pdfs_cached} cached "
                  f"(leaflet back page: {sizes})")
    return 0
