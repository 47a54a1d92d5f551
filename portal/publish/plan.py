"""BuildPlan: what one build does, fixed once from the command line and read by every phase.

MkDocs passes one config object through its whole build; this is ours. It holds only plain
values (paths, a date, switches), so it is cheap to hand to worker processes and imports
nothing heavy: a build with nothing to do reads it without loading the schema or templates.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..rules import TOKYO

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
DEFAULT_PDF_CACHE = ROOT / ".cache" / "pdf"
DEFAULT_MARKDOWN_CACHE = ROOT / ".cache" / "markdown"


def tokyo_today() -> dt.date:
    """Today's date in Japan: which terms version is in effect on the pages built now."""
    return dt.datetime.now(TOKYO).date()


@dataclass(frozen=True)
class BuildPlan:
    """The settings of one build: where from, where to, as of which day, and what to produce.

    Every field but the two folders has the default `python build.py` uses; README lists the
    options that set them.
    """
    content: Path
    out: Path
    only: tuple[str, ...] = ()      # --office: these offices alone (the others' output stays)
    templates: Path = TEMPLATES
    today: dt.date = field(default_factory=tokyo_today)   # which terms version is current
    pdf: bool = True                # leaflet.pdf and terms.pdf (False: WeasyPrint is not loaded)
    pdf_cache: Path | None = DEFAULT_PDF_CACHE   # None: render every PDF afresh
    processes: int = 2              # cores for rendering offices and PDFs
    incremental: bool = True        # reuse offices unchanged since the last build into `out`
    publish: bool = True            # False (--preview): record no version in terms-lock.json
    markdown_cache: Path | None = DEFAULT_MARKDOWN_CACHE   # None: parse every document afresh
    release: bool = False           # --release: refuse while a fact is missing (else: a marked draft)
