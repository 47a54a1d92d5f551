"""The build as a pipeline: load and validate everything, render everything, then write."""
from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentErrors
from ..offices import Office, load_folders, load_site, lock_text, office_folders, write_lock
from ..rules import TOKYO
from ..schema import SiteConfig
from . import manifest
from .context import OfficeView, public_url_warning
from .output import WriteStats, write_site
from .site import TEMPLATES, asset_files, environment, index_page, index_row, office_pages

DEFAULT_PDF_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "pdf"


def tokyo_today() -> dt.date:
    """Today's date in Japan: which terms version is in effect on the pages built now."""
    return dt.datetime.now(TOKYO).date()


PARALLEL_FROM = 16   # offices; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class RenderedOffice:
    """One office loaded and rendered, as a worker hands it back."""
    slug: str
    folder: Path
    pages: dict[str, bytes]
    entry: manifest.Entry
    lock: str
    office: Office | None     # kept only when the PDFs need it


def _render_offices(folders: list[Path], day: dt.date, site: SiteConfig, templates: Path,
                    inputs: dict[str, str], keep_objects: bool) -> list[RenderedOffice] | ContentErrors:
    """Load, validate and render some offices; errors are returned, not raised, to cross processes."""
    try:
        offices = load_folders(folders, day)
    except ContentErrors as exc:
        return exc
    env = environment(templates)
    done = []
    for office in offices:
        pages = office_pages(env, site, office)
        entry = manifest.Entry(inputs[office.slug], sorted(pages), dataclasses.asdict(index_row(office)),
                               list(office.warnings))
        done.append(RenderedOffice(office.slug, office.folder, pages, entry, lock_text(office),
                                   office if keep_objects else None))
    return done


def _render_parallel(folders: list[Path], day: dt.date, site: SiteConfig, templates: Path,
                     inputs: dict[str, str], keep_objects: bool, processes: int) -> list[RenderedOffice]:
    """Render offices on up to `processes` cores; every office's errors are gathered before raising."""
    if processes < 2 or len(folders) < PARALLEL_FROM:
        results = [_render_offices(folders, day, site, templates, inputs, keep_objects)]
    else:
        chunks = [folders[i::processes] for i in range(processes)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            results = list(pool.map(_render_offices, chunks, [day] * processes, [site] * processes,
                                    [templates] * processes, [inputs] * processes, [keep_objects] * processes))
    errors = [e for r in results if isinstance(r, ContentErrors) for e in r.errors]
    if errors:
        raise ContentErrors(sorted(errors, key=lambda e: e.path))
    return sorted((o for r in results for o in r), key=lambda o: o.slug)


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
    reused: tuple[str, ...] = ()   # offices unchanged since the last build, left as they were


def build(content: Path, out: Path, only: list[str] | None = None, templates: Path = TEMPLATES, *,
          today: dt.date | None = None, pdf: bool = True, pdf_cache: Path | None = DEFAULT_PDF_CACHE,
          processes: int = 2, incremental: bool = True) -> BuildReport:
    """Build the site (and PDFs unless pdf=False) for every office or the named ones.

    Raises before writing anything on any error. Offices whose folder, the templates, the code
    and the settings are unchanged since the last build into `out` are reused as they are
    (`incremental=False` rebuilds everything). `pdf_cache=None` renders every PDF afresh.
    """
    started = time.perf_counter()
    site = load_site(content)
    folders = office_folders(content, only)
    day = today or tokyo_today()
    key = manifest.global_key(templates, content, day.isoformat(), f"pdf={pdf}")
    previous = manifest.read(out) if incremental else manifest.Manifest()
    inputs = {f.name: manifest.folder_hash(f) for f in folders}
    reused = {f.name: e for f in folders if (e := manifest.reusable(previous, key, f.name, inputs[f.name], out))}
    todo = [f for f in folders if f.name not in reused]
    env = environment(templates)
    rendered_offices = _render_parallel(todo, day, site, templates, {f.name: inputs[f.name] for f in todo},
                                        keep_objects=pdf, processes=processes)
    offices = [r.office for r in rendered_offices if r.office is not None]
    files: dict[str, bytes] = {}
    entries = dict(reused)
    for r in rendered_offices:
        files.update(r.pages)
        entries[r.slug] = r.entry
    warnings = [w for slug in sorted(entries) for w in entries[slug].warnings]
    if pdf and (problem := public_url_warning(site)):
        warnings.append(problem)
    rendered = cached = 0
    sizes: dict[str, float] = {}
    if pdf and offices:
        from .pdf import pdf_files  # WeasyPrint and its kin load only when PDFs are built

        report = pdf_files(site, offices, env, templates, pdf_cache, processes)
        files.update(report.files)
        for rel in report.files:
            entries[rel.split("/", 1)[0]].files.append(rel)
        warnings.extend(report.warnings)
        rendered, cached, sizes = report.rendered, report.cached, report.back_sizes
    files["index.html"] = index_page(env, site, [OfficeView(**entries[slug].index) for slug in sorted(entries)])
    files.update(asset_files(templates))
    keep = frozenset(rel for entry in reused.values() for rel in entry.files)
    stats = write_site(out, files, keep, manifest.dump(manifest.Manifest(key, entries)))
    for r in rendered_offices:  # only now: a version counts as published once its pages are out
        write_lock(r.folder, r.lock)
    return BuildReport(tuple(sorted(entries)), len(files) + len(keep), stats, tuple(warnings),
                       time.perf_counter() - started, rendered, cached, sizes, tuple(sorted(reused)))
