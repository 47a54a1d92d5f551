"""The build as a pipeline: load and validate everything, render everything, then write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..offices import Office, load_offices, load_site
from .output import WriteStats, write_site
from .site import TEMPLATES, site_pages


@dataclass(frozen=True)
class BuildReport:
    offices: tuple[str, ...]
    files: int
    stats: WriteStats
    warnings: tuple[str, ...]
    seconds: float


def build(content: Path, out: Path, only: list[str] | None = None, templates: Path = TEMPLATES) -> BuildReport:
    """Build the site for every office (or the named ones); raises before writing on any error."""
    started = time.perf_counter()
    site = load_site(content)
    offices: list[Office] = load_offices(content, only)
    files = site_pages(site, offices, templates)
    stats = write_site(out, files)
    warnings = tuple(w for o in offices for w in o.warnings)
    return BuildReport(tuple(o.slug for o in offices), len(files), stats, warnings,
                       time.perf_counter() - started)
