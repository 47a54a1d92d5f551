"""The build as a pipeline: survey → load and render → PDFs → assemble → write → record the locks.

One BuildPlan (plan.py) flows through every phase. Everything is loaded, validated and rendered
before anything is written, so a failed build never leaves half a site. Only the manifest,
hashing and file listing are imported up front: a build that finds nothing changed answers
without loading the schema, the Markdown parser or the templates.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentErrors, display_path
from ..folders import OFFICE_FILE, office_folders
from . import manifest, snapshot
from .output import WriteStats, existing_files, write_site
from .plan import DEFAULT_CONTENT_CACHE, DEFAULT_MARKDOWN_CACHE, DEFAULT_PDF_CACHE, TEMPLATES, BuildPlan, tokyo_today

if TYPE_CHECKING:
    from ..offices import Office
    from ..schema import SiteConfig
    from .pdf import PdfReport

PARALLEL_FROM = 16   # offices; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Survey:
    """What the last build left in the output folder, and so which offices this build renders."""
    key: str                             # the global key: templates, code, site.yaml, day, PDF setting
    previous: manifest.Manifest
    present: set[str]                    # files now in the output folder
    named: tuple[str, ...]               # the offices this build is about (all, or --office)
    kept: dict[str, manifest.Entry]      # offices left as they are: reused, or not named
    carried: frozenset[str]              # of those, the ones not named (--office)
    todo: tuple[Path, ...]               # office folders to load and render
    inputs: dict[str, str]               # their folder hashes, by slug
    files: dict[str, list[tuple[str, bytes]]]   # their files as hashed (manifest.folder_files), by slug

    @property
    def reused(self) -> tuple[str, ...]:
        """Named offices unchanged since the last build, left as they were."""
        return tuple(sorted(set(self.kept) - self.carried))

    def nothing_to_do(self) -> bool:
        """True when the output folder already is what this build would write."""
        if self.todo or self.previous.key != self.key or set(self.previous.offices) != set(self.kept):
            return False
        return self.present == set(self.previous.site_files).union(*(e.files for e in self.kept.values()))


def survey(plan: BuildPlan) -> Survey:
    """Compare the content with the last build's manifest: which offices can stay, which to render."""
    folders = office_folders(plan.content, list(plan.only))
    key = manifest.global_key(plan.templates, plan.content, plan.today.isoformat(), f"pdf={plan.pdf}",
                              f"release={plan.release}")
    previous = manifest.read(plan.out)
    present = existing_files(plan.out)
    # Each office's files are read once: hashed here, then packed for the portal as they were hashed.
    files = {f.name: manifest.folder_files(f) for f in folders}
    inputs = {slug: manifest.files_hash(found) for slug, found in files.items()}
    named = {f.name for f in folders}
    # --office: offices not named keep their output, as long as their folder is still there.
    kept = {slug: e for slug, e in previous.offices.items()
            if plan.only and slug not in named and (plan.content / slug).is_dir()}
    carried = frozenset(kept)
    kept.update({f.name: e for f in folders if plan.incremental
                 and (e := manifest.reusable(previous, key, f.name, inputs[f.name], present))})
    todo = tuple(f for f in folders if f.name not in kept)
    return Survey(key, previous, present, tuple(sorted(named)), kept, carried, todo,
                  {f.name: inputs[f.name] for f in todo}, {f.name: files[f.name] for f in todo})


@dataclass(frozen=True)
class RenderedOffice:
    """One office loaded and rendered, as a worker hands it back."""
    slug: str
    folder: Path
    pages: dict[str, bytes]
    entry: manifest.Entry     # its inputs: the folder's hash as it is once the lock is written
    lock: str                 # terms-lock.json as it is once these pages are published
    office: Office | None     # kept only when the PDFs need it
    missing: tuple = ()       # ContentErrors: facts a release needs that office.yaml lacks
    files: list = field(default_factory=list)   # the folder's files as the snapshot stores them (manifest.folder_files)
    new_lock: bool = False    # the lock text differs from the folder's terms-lock.json (or there is none)


def _render_share(folders: tuple[Path, ...], plan: BuildPlan, site: SiteConfig, key: str,
                  inputs: dict[str, str]) -> list[RenderedOffice] | ContentErrors:
    """Load, validate and render some offices; errors are returned, not raised, to cross processes.

    Markdown is rendered inside the plan's render cache: an unchanged document is not parsed again.
    """
    from ..markup import render_cache

    with render_cache(plan.markdown_cache):
        return _load_and_render(folders, plan, site, key, inputs)


def _load_and_render(folders: tuple[Path, ...], plan: BuildPlan, site: SiteConfig, key: str,
                   inputs: dict[str, str]) -> list[RenderedOffice] | ContentErrors:
    from ..release import office_missing
    from ..termslock import lock_text
    from .loadcache import load_cached
    from .site import build_environment, index_row, office_pages

    try:
        offices = load_cached(list(folders), plan.today, inputs, plan.content_cache)
    except ContentErrors as exc:
        return exc
    env = build_environment(plan.templates, key)
    done = []
    for office in offices:
        # --no-pdf keeps the leaflets already published, so the pages keep linking them.
        pdfs = plan.pdf or (plan.out / office.slug / "leaflet.pdf").is_file()
        pages = office_pages(env, site, office, pdfs=pdfs)
        lock = lock_text(office.folder, office.versions)
        entry = manifest.Entry(key, inputs[office.slug], sorted(pages), dict(vars(index_row(office))),   # flat: no asdict deep copy
                               list(office.warnings))
        done.append(RenderedOffice(office.slug, office.folder, pages, entry, lock, office if plan.pdf else None,
                                   tuple(office_missing(office))))
    return done


def _cache_empty(folder: Path | None) -> bool:
    """No content cache, or nothing in it yet (a first build, or one after the cache was deleted)."""
    try:
        return folder is None or not any(os.scandir(folder))
    except OSError:
        return True


def render_offices(plan: BuildPlan, found: Survey, site: SiteConfig) -> list[RenderedOffice]:
    """Load and render the offices to do, on up to plan.processes cores; every error is gathered."""
    folders = found.todo
    if not folders:
        return []
    processes = plan.processes
    if processes < 2 or len(folders) < PARALLEL_FROM:
        results = [_render_share(folders, plan, site, found.key, found.inputs)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from .loadcache import code_key
        from .site import build_environment

        build_environment(plan.templates, found.key)   # Jinja, the page code and the templates: once, before the fork
        if plan.content_cache is not None:
            code_key()   # likewise hashed once: the workers inherit it
        if _cache_empty(plan.content_cache):
            # Every worker will load offices and so render Markdown: Python-Markdown, our extension
            # and nh3 are loaded once here (~40 ms a process) rather than in each worker. With
            # offices in the cache the workers may render nothing, so they are left to load it.
            from ..markup import render_document

            render_document("準備", "<prefork>")
        shares = [folders[i::processes] for i in range(processes)]
        # What the workers inherit is never collected by them: their collector would otherwise
        # walk (and so copy, page by page) the parent's objects. Unfrozen once the pool is done.
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            # This process renders the first share itself: one fork fewer, and its pages are
            # never pickled through a pipe (each fork costs copied pages, each page a copy).
            with ProcessPoolExecutor(processes - 1, mp_context=context) as pool:
                others = [pool.submit(_render_share, share, plan, site, found.key, found.inputs)
                          for share in shares[1:]]
                results = [_render_share(shares[0], plan, site, found.key, found.inputs)]
                results += [f.result() for f in others]
        finally:
            gc.unfreeze()
    errors = [e for r in results if isinstance(r, ContentErrors) for e in r.errors]
    if errors:
        raise ContentErrors(sorted(errors, key=lambda e: e.path))
    return sorted((_as_published(plan, found, o) for r in results for o in r), key=lambda o: o.slug)


def _as_published(plan: BuildPlan, found: Survey, rendered: RenderedOffice) -> RenderedOffice:
    """The office with its folder as this build leaves it, from the files the survey read.

    The build writes the lock once the pages are out: the manifest records the folder's hash as it
    will be then, and the snapshot stores those files (a --preview build writes no lock).
    """
    from ..termslock import LOCK_FILE, lock_changes

    files = found.files[rendered.slug]
    lock = rendered.lock.encode("utf-8")
    if not lock_changes(dict(files).get(LOCK_FILE), rendered.lock):
        return dataclasses.replace(rendered, files=files)
    after = manifest.replaced(files, {LOCK_FILE: lock})
    return dataclasses.replace(rendered, entry=dataclasses.replace(rendered.entry, inputs=manifest.files_hash(after)),
                               files=after if plan.publish else files, new_lock=True)


def render_pdfs(plan: BuildPlan, site: SiteConfig, rendered: list[RenderedOffice]) -> PdfReport | None:
    """Every rendered office's leaflet.pdf and terms.pdf, or None when the plan has no PDFs."""
    offices = [r.office for r in rendered if r.office is not None]
    if not plan.pdf or not offices:
        return None
    from .pdf import pdf_files  # WeasyPrint and its kin load only when PDFs are built
    from .site import environment

    return pdf_files(site, offices, environment(plan.templates), plan.templates, plan.pdf_cache, plan.processes)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the command line to print."""
    offices: tuple[str, ...]
    files: int
    stats: WriteStats
    warnings: tuple[str, ...]
    seconds: float
    pdfs_rendered: int = 0
    pdfs_cached: int = 0
    back_sizes: dict[str, float] = field(default_factory=dict)   # leaflet back-page font size (pt)
    reused: tuple[str, ...] = ()   # offices unchanged since the last build, left as they were


def _unchanged(found: Survey, started: float) -> BuildReport:
    """The report of a build with nothing to do: the last build's files and warnings, repeated."""
    entries = found.kept
    warnings = [w for slug in sorted(entries) for w in entries[slug].warnings] + found.previous.warnings
    files = len(found.previous.site_files) + sum(len(e.files) for e in entries.values())
    return BuildReport(found.named, files, WriteStats(0, files, 0), tuple(warnings),
                       time.perf_counter() - started, reused=found.reused)


def _gone_warnings(plan: BuildPlan, found: Survey) -> tuple[str, ...]:
    """An office folder removed or renamed: its pages go, and printed QR codes point at them.

    Only a build that writes looks: a no-change build skips stat-ing every office of a large site.
    """
    gone = sorted(slug for slug in found.previous.offices if not (plan.content / slug / OFFICE_FILE).is_file())
    return tuple(f"{display_path(plan.out / slug)}: {display_path(plan.content / slug)} がなくなったため、"
                 "この事業所のページとリーフレットを削除しました。印刷したリーフレットの QR コードやブックマークは"
                 "このアドレスを指しています（名前を変えたのなら、元に戻すか、Web サーバーで新しいアドレスへ転送して"
                 "ください）" for slug in gone)


@dataclass(frozen=True)
class Output:
    """Everything the write phase puts in the output folder, assembled in memory first."""
    files: dict[str, bytes]          # rendered now: offices, PDFs and the site-wide pages
    keep: frozenset[str]             # files of offices left as they are
    manifest: str                    # the marker file's text, written last
    warnings: tuple[str, ...]


def assemble(plan: BuildPlan, found: Survey, site: SiteConfig, rendered: list[RenderedOffice],
             pdfs: PdfReport | None) -> Output:
    """Gather the offices rendered now, their PDFs and the front page into one output and manifest."""
    from ..offices import SITE_FILE
    from .context import OfficeView, public_url_warning
    from .site import build_environment, site_files

    files: dict[str, bytes] = {}
    entries = dict(found.kept)
    for r in rendered:
        files.update(r.pages)
        entries[r.slug] = r.entry
    site_warnings = [problem] if plan.pdf and (problem := public_url_warning(site, plan.content / SITE_FILE)) else []
    warnings = [w for slug in sorted(entries) if slug not in found.carried for w in entries[slug].warnings]
    warnings += site_warnings
    if pdfs is not None:
        files.update(pdfs.files)
        for rel in pdfs.files:
            entries[rel.split("/", 1)[0]].files.append(rel)
        for slug, problems in pdfs.office_warnings.items():   # kept, so an unchanged office repeats them
            entries[slug].warnings.extend(problems)
            warnings.extend(problems)
        warnings.extend(pdfs.warnings)
    common = site_files(build_environment(plan.templates, found.key), site,
                        [OfficeView(**entries[slug].index) for slug in sorted(entries)], plan.templates)
    files.update(common)
    if not plan.pdf:   # --no-pdf never deletes the leaflets already published
        for r in rendered:
            for rel in (f"{r.slug}/leaflet.pdf", f"{r.slug}/terms.pdf"):
                if rel in found.present:
                    entries[r.slug].files.append(rel)
    keep = frozenset(rel for slug in found.kept for rel in entries[slug].files) | frozenset(
        rel for r in rendered for rel in entries[r.slug].files if rel not in files)
    text = manifest.dump(manifest.Manifest(found.key, entries, list(common), site_warnings))
    return Output(files, keep, text, tuple(warnings))


def record_locks(plan: BuildPlan, rendered: list[RenderedOffice]) -> None:
    """Record every rendered office's terms versions as published, unless the plan is a preview.

    Called only once the pages are out: a version counts as published when people can read it.
    """
    from ..termslock import write_lock

    for r in rendered if plan.publish else ():
        if r.new_lock:
            write_lock(r.folder, r.lock)


def check_release(plan: BuildPlan, site: SiteConfig, rendered: list[RenderedOffice]) -> None:
    """A release build refuses, one line per missing fact, before anything is written."""
    from ..offices import SITE_FILE
    from ..release import site_missing

    missing = site_missing(site, plan.content / SITE_FILE) + [e for r in rendered for e in r.missing]
    if missing:
        raise ContentErrors(missing)


def execute(plan: BuildPlan) -> BuildReport:
    """Carry out a plan: survey → load and render → PDFs → assemble → write → record the locks.

    Raises before writing anything on any error. Offices whose folder, the templates, the code and
    the settings are unchanged since the last build into plan.out are reused as they are; with
    plan.only, the other offices already there stay as they are, on the front page too.
    """
    started = time.perf_counter()
    found = survey(plan)
    if found.nothing_to_do() and snapshot.up_to_date(plan.out, set(found.kept)):
        return _unchanged(found, started)
    from ..offices import load_site

    site = load_site(plan.content)
    rendered = render_offices(plan, found, site)
    if plan.release or site.release:
        check_release(plan, site, rendered)
    pdfs = render_pdfs(plan, site, rendered)
    output = assemble(plan, found, site, rendered, pdfs)
    stats = write_site(plan.out, output.files, output.keep, output.manifest, found.present)
    record_locks(plan, rendered)
    # Last: the portal switches to this build's content once the pages and locks are out.
    snapshot.publish(plan.out, plan.content, {r.slug: r.files for r in rendered}, set(found.kept))
    return BuildReport(tuple(sorted({r.slug for r in rendered} | set(found.reused))),
                       len(output.files) + len(output.keep), stats,
                       output.warnings + _gone_warnings(plan, found), time.perf_counter() - started,
                       pdfs.rendered if pdfs else 0, pdfs.cached if pdfs else 0,
                       pdfs.back_sizes if pdfs else {}, found.reused)


def build(content: Path, out: Path, only: list[str] | None = None, templates: Path = TEMPLATES, *,
          today: dt.date | None = None, pdf: bool = True, pdf_cache: Path | None = DEFAULT_PDF_CACHE,
          processes: int = 2, incremental: bool = True, publish: bool = True,
          markdown_cache: Path | None = DEFAULT_MARKDOWN_CACHE, release: bool = False,
          content_cache: Path | None = DEFAULT_CONTENT_CACHE) -> BuildReport:
    """Build the site from keyword options: make the BuildPlan and run it (for code and tests).

    The arguments are BuildPlan's fields; `today=None` means today in Japan.
    """
    return execute(BuildPlan(content, out, tuple(only or ()), templates, today or tokyo_today(), pdf, pdf_cache,
                             processes, incremental, publish, markdown_cache, release, content_cache))
