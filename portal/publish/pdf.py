"""Printable PDFs per office: the A4 leaflet (guide on the front, terms on the back) and terms.pdf.

The only module that imports WeasyPrint, and only inside the function that renders, so a
build without PDFs never loads it. The pipeline: check every character against the font
(fonts.py) → build the HTML of every office → reuse cached PDFs whose inputs are unchanged →
render the rest (in two processes when there are several) → return {relpath: bytes} for
write_site.
"""
from __future__ import annotations

import atexit
import dataclasses
import hashlib
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from jinja2 import Environment

from ..errors import BuildError, display_path
from ..offices import Office
from ..release import DRAFT_STAMP, office_missing, site_missing
from ..schema import SiteConfig
from .backsize import estimate
from .context import LeafletView, booking_url, leaflet_view
from .fit import fit_back, fit_front
from .fonts import SUBSET_FAMILY, check_glyphs, resolve_font

if TYPE_CHECKING:
    from weasyprint import CSS, Document
    from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parents[2]
BACK_SIZES = tuple(7 + 0.5 * i for i in range(11))   # 7pt … 12pt: the back page uses the largest that fits
FRONT_SIZES = tuple(round(9.8 - 0.4 * i, 1) for i in range(8))   # 9.8pt (design) … 7pt: a long guide steps down
_SIZE_MARK = 'style="font-size: SIZEpt"'   # a page's font size in Job.front, Job.back and Job.probe
PDF_VARIANT = "pdf/ua-1"
RENDER_VERSION = "4"    # bump when this module changes what a PDF looks like for the same HTML


def _sized(html: str, size: float) -> str:
    """A page's HTML with its font size filled in where the template left _SIZE_MARK."""
    return html.replace(_SIZE_MARK, f'style="font-size: {size:g}pt"', 1)


@dataclass(frozen=True)
class Job:
    """The HTML of one office's PDFs, ready to render in any process."""
    slug: str
    where: str          # the office as messages name it: content/<office>（name）
    key: str
    css: str
    front: str          # the front page, its font size left as _SIZE_MARK
    back: str           # the back page, its font size left as _SIZE_MARK
    probe: str          # the same for the probe of the back page (see fit.too_tall)
    first: int          # index into BACK_SIZES where the size search starts
    terms: str
    chars: str          # every character the two PDFs can print (their font subset)
    # Versions announced ahead: (label, back, probe, first) each, fitted too, so that a version
    # too long for the back page fails while it can still be changed, not on its effective date.
    ahead: tuple[tuple[str, str, str, int], ...] = ()

    def front_at(self, i: int) -> str:
        """The front page at FRONT_SIZES[i]."""
        return _sized(self.front, FRONT_SIZES[i])

    def back_at(self, i: int) -> str:
        """The back page at BACK_SIZES[i]."""
        return _sized(self.back, BACK_SIZES[i])

    def probe_at(self, i: int) -> str:
        """The probe of the back page at BACK_SIZES[i]."""
        return _sized(self.probe, BACK_SIZES[i])

    @property
    def backs(self) -> tuple[tuple[float, str], ...]:
        """The back page at every candidate size, smallest first."""
        return tuple((size, self.back_at(i)) for i, size in enumerate(BACK_SIZES))


@dataclass(frozen=True)
class Rendered:
    """One office's two PDFs and the font sizes the leaflet's two pages were set in."""
    slug: str
    leaflet: bytes
    terms: bytes
    back_size: float
    front_size: float


@dataclass(frozen=True)
class PdfReport:
    """What the PDF step produced: files for write_site and what was rendered or reused."""
    files: dict[str, bytes]
    rendered: int           # PDF files rendered in this run
    cached: int             # PDF files taken from the cache
    back_sizes: dict[str, float]
    warnings: tuple[str, ...]           # about the build (the cache)
    office_warnings: dict[str, list[str]]   # about one office's content, kept with its manifest entry


def qr_svg(url: str) -> str:
    """The QR code of a URL as inline SVG (no XML declaration, sized by CSS)."""
    qr = segno.make(url, error="m", micro=False)
    # The title becomes the figure's alternative text in the tagged PDF.
    return qr.svg_inline(scale=4, border=4, title=f"予約ページのQRコード：{url}", svgclass="qr-code", lineclass=None)


def _job(env: Environment, css: str, fonts: str, office: Office, leaflet: LeafletView,
         ahead_views: tuple[tuple[str, LeafletView], ...] = ()) -> Job:
    try:
        front = env.get_template("leaflet/leaflet.html").render(leaflet=leaflet, size="SIZE")
        back, probe = (env.get_template("leaflet/back.html").render(leaflet=leaflet, size="SIZE", probe=probe)
                       for probe in (False, True))
        terms = env.get_template("leaflet/terms.html").render(leaflet=leaflet)
        ahead = []
        for label, view in ahead_views:
            later, later_probe = (env.get_template("leaflet/back.html").render(leaflet=view, size="SIZE", probe=p)
                                  for p in (False, True))
            ahead.append((label, later, later_probe, estimate(later, BACK_SIZES)))
    except Exception as exc:  # TemplateError and its kin: a template bug, not content
        raise BuildError(f"templates/leaflet: {exc}") from exc
    for name, html in (("leaflet.html", front), ("back.html", back), ("back.html", probe)):
        if html.count(_SIZE_MARK) != 1:
            raise BuildError(f"templates/leaflet/{name}: body に {_SIZE_MARK.replace('SIZE', '{{ size }}')} がありません")
    digest = hashlib.sha256()
    for part in (RENDER_VERSION, version("weasyprint"), fonts, css, front, back, probe, terms,
                 *(later for _, later, _, _ in ahead)):
        digest.update(part.encode("utf-8") + b"\0")
    where = f"{display_path(office.folder)}（{office.name}）"
    first = estimate(back, BACK_SIZES)
    return Job(office.slug, where, digest.hexdigest(), css, front, back, probe, first, terms,
               _printable(front, back, probe, terms, *(a[1] for a in ahead)), tuple(ahead))


def _printable(*htmls: str) -> str:
    """Every character these documents can print: their text with character references read
    (the sanitizer writes U+00A0 as &nbsp;), and the printable ASCII that CSS can generate (page
    numbers). Markup characters are ASCII too, so they cost nothing."""
    return "".join(sorted(set(unescape("".join(htmls))) | {chr(c) for c in range(0x20, 0x7F)}))


@lru_cache(maxsize=2)
def _stylesheet(css: str, chars: str) -> tuple[CSS, FontConfiguration]:
    """The leaflet CSS with a subset of the font for these characters, and its font configuration.

    The subset is named SUBSET_FAMILY, which leaflet.css lists first; it holds every character of
    the office's PDFs, so the system font listed after it is never reached. Kept for the office's
    next document in this process (its fonts are then loaded already).
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fontsubset import subset_font

    fonts = FontConfiguration()
    with tempfile.TemporaryDirectory(prefix="madoguchi-font-") as tmp:
        faces = []
        for style, weight in (("Regular", "normal"), ("Bold", "bold")):
            font, path = resolve_font(style), Path(tmp) / f"{style}.otf"
            path.write_bytes(subset_font(font.path, font.index, map(ord, chars)))
            faces.append(f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: {weight}; '
                         f'src: url("{path.as_uri()}"); }}\n')
        # WeasyPrint copies each face into its own folder while it reads the rules.
        return CSS(string="".join(faces) + css, font_config=fonts), fonts


# Drop the kept font configurations while the interpreter still works: WeasyPrint removes their
# folders in __del__, which fails noisily at shutdown once shutil is gone.
atexit.register(_stylesheet.cache_clear)


def _layout(html: str, stylesheet: tuple[CSS, FontConfiguration]) -> Document:
    """Lay out one HTML document with the leaflet CSS and its fonts (from _stylesheet)."""
    from weasyprint import HTML

    css, fonts = stylesheet
    return HTML(string=html, base_url=str(ROOT)).render(
        stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT)


def render_leaflet(job: Job) -> tuple[bytes, tuple[float, float]]:
    """The two-page leaflet of one office and the font sizes of its back and front pages."""
    stylesheet = _stylesheet(job.css, job.chars)

    def layout(html: str) -> Document:
        """One page laid out with this office's font subset."""
        return _layout(html, stylesheet)

    front, front_size = fit_front(FRONT_SIZES, job.front_at, layout, job.where)
    back, back_size = fit_back(BACK_SIZES, job.first, job.back_at, job.probe_at, layout, job.where)
    for label, later, later_probe, first in job.ahead:   # fails now, while the text can change
        fit_back(BACK_SIZES, first, lambda i, h=later: _sized(h, BACK_SIZES[i]),
                 lambda i, h=later_probe: _sized(h, BACK_SIZES[i]), layout, f"{job.where}の施行予定の版（{label}）")
    return front.copy([*front.pages, *back.pages]).write_pdf(pdf_variant=PDF_VARIANT), (back_size, front_size)


def render_terms(job: Job) -> bytes:
    """The terms of one office alone, at reading size with page numbers."""
    return _layout(job.terms, _stylesheet(job.css, job.chars)).write_pdf(pdf_variant=PDF_VARIANT)


def _task(task: tuple[str, Job]) -> tuple[bytes, tuple[float, float] | None]:
    kind, job = task
    return render_leaflet(job) if kind == "leaflet" else (render_terms(job), None)


def _cache_paths(cache: Path, job: Job) -> tuple[Path, Path, Path]:
    stem = f"{job.slug}.{job.key}"
    return cache / f"{stem}.leaflet.pdf", cache / f"{stem}.terms.pdf", cache / f"{stem}.json"


def _from_cache(cache: Path | None, job: Job) -> Rendered | None:
    if cache is None:
        return None
    leaflet, terms, meta = _cache_paths(cache, job)
    try:
        sizes = json.loads(meta.read_text())
        return Rendered(job.slug, leaflet.read_bytes(), terms.read_bytes(),
                        float(sizes["back_size"]), float(sizes["front_size"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(cache: Path, job: Job, result: Rendered) -> str | None:
    """Keep the PDFs for the next build, replacing this office's older entries; a failure only warns."""
    paths = _cache_paths(cache, job)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob(f"{job.slug}.*"):
            if old not in paths:
                old.unlink()
        meta = json.dumps({"slug": job.slug, "back_size": result.back_size,
                           "front_size": result.front_size}).encode()
        for path, data in zip(paths, (result.leaflet, result.terms, meta)):
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
    except OSError as exc:
        return f"{cache}: PDF のキャッシュに書き込めません（{exc.strerror}）。次回も描画し直します"
    return None


def _render_all(jobs: list[Job], processes: int) -> list[Rendered]:
    # Leaflets and terms.pdf are separate tasks, so two processes share the work evenly.
    tasks = [(kind, job) for job in jobs for kind in ("leaflet", "terms")]
    if processes < 2 or len(jobs) < 2:
        done = [_task(task) for task in tasks]
    else:
        import weasyprint  # noqa: F401  (loaded once here, inherited by the forked workers)

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            done = list(pool.map(_task, tasks))
    return [Rendered(job.slug, leaflet, terms, *sizes)
            for job, (leaflet, sizes), (terms, _) in zip(jobs, done[0::2], done[1::2])]


def office_jobs(site: SiteConfig, offices: list[Office], env: Environment, templates: Path) -> list[Job]:
    """The HTML and cache key of every office's PDFs (templates rendered, nothing laid out yet)."""
    from .fontsubset import harfbuzz_version

    fonts = "|".join([*(resolve_font(style).identity() for style in ("Regular", "Bold")),
                      f"harfbuzz {harfbuzz_version()}"])
    css = (templates / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    jobs = []
    for office in offices:
        url = booking_url(site, office.slug)
        code = qr_svg(url)
        # A draft (a fact for release missing) is stamped 見本 across both pages.
        draft = DRAFT_STAMP if site_missing(site, Path("site.yaml")) + office_missing(office) else None
        later = office.versions[office.versions.index(office.current) + 1:]
        ahead = tuple((v.label, leaflet_view(dataclasses.replace(office, current=v), url, code, draft)) for v in later)
        jobs.append(_job(env, css, fonts, office, leaflet_view(office, url, code, draft), ahead))
    return jobs


def pdf_files(site: SiteConfig, offices: list[Office], env: Environment, templates: Path,
              cache: Path | None, processes: int = 2) -> PdfReport:
    """Every office's leaflet.pdf and terms.pdf, keyed by path relative to the site root.

    `cache` is the folder of PDFs kept from earlier builds (None: render everything).
    """
    check_glyphs(offices)
    warnings: list[str] = []
    jobs = office_jobs(site, offices, env, templates)
    results = {job.slug: _from_cache(cache, job) for job in jobs}
    todo = [job for job in jobs if results[job.slug] is None]
    for job, result in zip(todo, _render_all(todo, processes)):
        results[job.slug] = result
        if cache is not None:
            problem = _store(cache, job, result)
            if problem and problem not in warnings:
                warnings.append(problem)
    files, office_warnings = {}, {}
    for job in jobs:    # rendered or cached alike: the editor should shorten the guide
        if (size := results[job.slug].front_size) < FRONT_SIZES[0]:
            office_warnings[job.slug] = [f"{job.where}: 案内が長いため、リーフレットの表面の文字を"
                                         f"{FRONT_SIZES[0]:g}ptから{size:g}ptに縮めました"]
    for slug, result in sorted(results.items()):
        files[f"{slug}/leaflet.pdf"] = result.leaflet
        files[f"{slug}/terms.pdf"] = result.terms
    sizes = {slug: result.back_size for slug, result in sorted(results.items())}
    return PdfReport(files, 2 * len(todo), 2 * (len(jobs) - len(todo)), sizes, tuple(warnings),
                     office_warnings)
