"""The build as a pipeline: load and validate everything, render everything, then write."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..offices import Office, load_offices, load_site, write_locks
from ..rules import TOKYO
from .output import WriteStats, write_site
from .site import TEMPLATES, environment, site_pages

DEFAULT_PDF_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "pdf"


def tokyo_today() -> dt.date:
    """Today's date in Japan: which terms version is in effect on the pages built now."""
    return dt.datetime.now(TOKYO).date()


@dataclass(frozen=True)
class BuildReport:
    offices: tuple[str, ...]
    files: int
    stats: WriteStats
    warnings: tuple[str, ...]
    seconds: float
    pdfs_rendered: int = 0
    pdfs_cached: int = 0
    back_sizes: dict[str, float] = field(default_factory=dict)   # leaflet back-page font size (pt)


def build(content: Path, out: Path, only: list[str] | None = None, templates: Path = TEMPLATES, *,
          today: dt.date | None = None, pdf: bool = True, pdf_cache: Path | None = DEFAULT_PDF_CACHE, pdf_processes: int = 2) -> BuildReport:
    """Build the site (and PDFs unless pdf=False) for every office or the named ones.

    Raises before writing anything on any error. `pdf_cache=None` renders every PDF afresh.
    """
    started = time.perf_counter()
    site = load_site(content)
    offices: list[Office] = load_offices(content, only, today or tokyo_today())
    files = site_pages(site, offices, templates)
    warnings = [w for o in offices for w in o.warnings]
    rendered = cached = 0
    sizes: dict[str, float] = {}
    if pdf:
        from .pdf import pdf_files  # WeasyPrint and its kin load only when PDFs are built

        report = pdf_files(site, offices, environment(templates), templates, pdf_cache, pdf_processes)
        files.update(report.files)
        warnings.extend(report.warnings)
        rendered, cached, sizes = report.rendered, report.cached, report.back_sizes
    stats = write_site(out, files)
    write_locks(offices)  # only now: a version counts as published once its pages are out
    return BuildReport(tuple(o.slug for o in offices), len(files), stats, tuple(warnings),
                       time.perf_counter() - started, rendered, cached, sizes)
