"""The build as a pipeline: load and validate everything, render everything, then write.

Only the manifest, hashing and file listing are imported up front: a build that finds nothing
changed answers without loading the schema, the Markdown parser or the templates.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentErrors, display_path
from ..folders import OFFICE_FILE, office_folders
from ..rules import TOKYO
from . import manifest
from .output import WriteStats, existing_files, write_site

if TYPE_CHECKING:
    from ..offices import Office
    from ..schema import SiteConfig

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
DEFAULT_PDF_CACHE = ROOT / ".cache" / "pdf"


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


def _render_offices(folders: list[Path], day: dt.date, site: SiteConfig, templates: Path, key: str,
                    inputs: dict[str, str], keep_objects: bool) -> list[RenderedOffice] | ContentErrors:
    """Load, validate and render some offices; errors are returned, not raised, to cross processes."""
    import dataclasses

    from ..offices import load_folders
    from ..termslock import LOCK_FILE, lock_differs, lock_text
    from .site import environment, index_row, office_pages

    try:
        offices = load_folders(folders, day)
    except ContentErrors as exc:
        return exc
    env = environment(templates)
    done = []
    for office in offices:
        pages = office_pages(env, site, office, pdfs=keep_objects)
        lock = lock_text(office.folder, office.versions)
        digest = inputs[office.slug]
        if lock_differs(office.folder, lock):
            # The build writes the lock once the pages are out: record the folder as it will be then.
            digest = manifest.folder_hash(office.folder, {LOCK_FILE: lock.encode("utf-8")})
        entry = manifest.Entry(key, digest, sorted(pages), dataclasses.asdict(index_row(office)),
                               list(office.warnings))
        done.append(RenderedOffice(office.slug, office.folder, pages, entry, lock,
                                   office if keep_objects else None))
    return done


def _render_parallel(folders: list[Path], day: dt.date, site: SiteConfig, templates: Path, key: str,
                     inputs: dict[str, str], keep_objects: bool, processes: int) -> list[RenderedOffice]:
    """Render offices on up to `processes` cores; every office's errors are gathered before raising."""
    if not folders:
        return []
    if processes < 2 or len(folders) < PARALLEL_FROM:
        results = [_render_offices(folders, day, site, templates, key, inputs, keep_objects)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        chunks = [folders[i::processes] for i in range(processes)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            results = list(pool.map(_render_offices, chunks, [day] * processes, [site] * processes,
                                    [templates] * processes, [key] * processes, [inputs] * processes,
                                    [keep_objects] * processes))
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


def _nothing_to_do(previous: manifest.Manifest, entries: dict[str, manifest.Entry], key: str,
                   present: set[str]) -> bool:
    """True when the output folder (holding `present`) already is what this build would write."""
    if previous.key != key or set(previous.offices) != set(entries):
        return False
    return present == set(previous.site_files).union(*(e.files for e in entries.values()))


def build(content: Path, out: Path, only: list[str] | None = None, templates: Path = TEMPLATES, *,
          today: dt.date | None = None, pdf: bool = True, pdf_cache: Path | None = DEFAULT_PDF_CACHE,
          processes: int = 2, incremental: bool = True, publish: bool = True) -> BuildReport:
    """Build the site (and PDFs unless pdf=False) for every office or the named ones.

    Raises before writing anything on any error. Offices whose folder, the templates, the code
    and the settings are unchanged since the last build into `out` are reused as they are
    (`incremental=False` rebuilds everything). With `only`, the other offices already in `out`
    stay as they are, on the front page too. `pdf_cache=None` renders every PDF afresh.
    `publish=False` (a preview) leaves every terms-lock.json as it was: no version is recorded as
    published, so a draft can still be corrected.
    """
    started = time.perf_counter()
    folders = office_folders(content, only)
    day = today or tokyo_today()
    key = manifest.global_key(templates, content, day.isoformat(), f"pdf={pdf}")
    previous = manifest.read(out)
    present = existing_files(out)
    inputs = {f.name: manifest.folder_hash(f) for f in folders}
    named = {f.name for f in folders}
    # --office: offices not named keep their output, as long as their folder is still there.
    entries = {slug: e for slug, e in previous.offices.items()
               if only and slug not in named and (content / slug).is_dir()}
    carried = frozenset(entries)
    reused = {f.name: e for f in folders if incremental
              and (e := manifest.reusable(previous, key, f.name, inputs[f.name], present))}
    entries.update(reused)
    todo = [f for f in folders if f.name not in reused]
    if not todo and _nothing_to_do(previous, entries, key, present):
        warnings = [w for slug in sorted(entries) for w in entries[slug].warnings] + previous.warnings
        files = len(previous.site_files) + sum(len(e.files) for e in entries.values())
        return BuildReport(tuple(sorted(named)), files, WriteStats(0, files, 0), tuple(warnings),
                           time.perf_counter() - started, reused=tuple(sorted(reused)))
    # An office folder removed or renamed: its pages go, and printed QR codes point at them.
    gone = tuple(sorted(slug for slug in previous.offices if not (content / slug / OFFICE_FILE).is_file()))
    report = _build(content, out, templates, day, pdf, pdf_cache, processes, key, entries, carried, todo,
                    {f.name: inputs[f.name] for f in todo}, present, started, publish)
    if gone:
        report = dataclasses.replace(report, warnings=report.warnings + tuple(
            f"{display_path(out / slug)}: {display_path(content / slug)} がなくなったため、この事業所のページと"
            "リーフレットを削除しました。印刷したリーフレットの QR コードやブックマークはこのアドレスを指して"
            "います（名前を変えたのなら、元に戻すか、Web サーバーで新しいアドレスへ転送してください）" for slug in gone))
    return report


def _build(content: Path, out: Path, templates: Path, day: dt.date, pdf: bool, pdf_cache: Path | None,
           processes: int, key: str, entries: dict[str, manifest.Entry], carried: frozenset[str],
           todo: list[Path], inputs: dict[str, str], present: set[str], started: float,
           publish: bool = True) -> BuildReport:
    """Render the offices in `todo`, the front page and the assets, then write what changed."""
    from ..offices import SITE_FILE, load_site
    from ..termslock import write_lock
    from .context import OfficeView, public_url_warning
    from .site import environment, site_files

    site = load_site(content)
    reused = {slug: e for slug, e in entries.items() if slug not in carried}
    env = environment(templates)
    rendered_offices = _render_parallel(todo, day, site, templates, key, inputs, keep_objects=pdf, processes=processes)
    offices = [r.office for r in rendered_offices if r.office is not None]
    files: dict[str, bytes] = {}
    entries = dict(entries)
    for r in rendered_offices:
        files.update(r.pages)
        entries[r.slug] = r.entry
    site_warnings = [problem] if pdf and (problem := public_url_warning(site, content / SITE_FILE)) else []
    warnings = [w for slug in sorted(entries) if slug not in carried for w in entries[slug].warnings]
    warnings += site_warnings
    rendered = cached = 0
    sizes: dict[str, float] = {}
    if pdf and offices:
        from .pdf import pdf_files  # WeasyPrint and its kin load only when PDFs are built

        report = pdf_files(site, offices, env, templates, pdf_cache, processes)
        files.update(report.files)
        for rel in report.files:
            entries[rel.split("/", 1)[0]].files.append(rel)
        for slug, found in report.office_warnings.items():   # kept, so an unchanged office repeats them
            entries[slug].warnings.extend(found)
            warnings.extend(found)
        warnings.extend(report.warnings)
        rendered, cached, sizes = report.rendered, report.cached, report.back_sizes
    common = site_files(env, site, [OfficeView(**entries[slug].index) for slug in sorted(entries)], templates)
    files.update(common)
    keep = frozenset(rel for entry in (entries[slug] for slug in (*reused, *carried)) for rel in entry.files)
    stats = write_site(out, files, keep, manifest.dump(manifest.Manifest(key, entries, list(common), site_warnings)),
                       present)
    for r in rendered_offices if publish else ():   # only now: published once its pages are out
        write_lock(r.folder, r.lock)
    built = tuple(sorted(set(entries) - carried))
    return BuildReport(built, len(files) + len(keep), stats, tuple(warnings),
                       time.perf_counter() - started, rendered, cached, sizes, tuple(sorted(reused)))
