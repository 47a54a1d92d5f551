"""PDF leaflets of the real content: render time per office (cache disabled), cache hits, sizes."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rowtype import Row

from portal.offices import load_offices, load_site
from portal.publish.pdf import check_glyphs, office_jobs, pdf_files, render_leaflet, render_terms
from portal.publish.site import TEMPLATES, environment

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def _median_seconds(run) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows() -> list[Row]:
    """Seconds per office (leaflet.pdf + terms.pdf) in one and two processes, cache hits, bytes per PDF."""
    content = ROOT / "content"
    site, offices, env = load_site(content), load_offices(content), environment(TEMPLATES)
    n = len(offices)
    jobs = office_jobs(site, offices, env, TEMPLATES)
    render_terms(jobs[0])  # WeasyPrint's import and first font load are not part of a leaflet
    leaflet = statistics.median(_median_seconds(lambda j=j: render_leaflet(j)) for j in jobs)
    terms = statistics.median(_median_seconds(lambda j=j: render_terms(j)) for j in jobs)
    check = _median_seconds(lambda: check_glyphs(offices))
    single = _median_seconds(lambda: pdf_files(site, offices, env, TEMPLATES, None, processes=1)) / n
    double = _median_seconds(lambda: pdf_files(site, offices, env, TEMPLATES, None, processes=2)) / n
    with tempfile.TemporaryDirectory() as tmp:
        report = pdf_files(site, offices, env, TEMPLATES, Path(tmp), processes=2)
        cached = _median_seconds(lambda: pdf_files(site, offices, env, TEMPLATES, Path(tmp)))
    out = [
        Row("pdf: one leaflet.pdf (guide + fitted terms), median over offices", f"{leaflet:.2f} s", "-", "-"),
        Row("pdf: one terms.pdf, median over offices", f"{terms:.2f} s", "-", "-"),
        Row(f"pdf: glyph check of {n} offices", f"{check * 1000:.0f} ms", "-", "-"),
        Row("pdf: leaflet + terms.pdf per office, cache disabled, 1 process", f"{single:.2f} s", "-", "-"),
        Row("pdf: leaflet + terms.pdf per office, cache disabled, 2 processes", f"{double:.2f} s",
            f"1 process {single:.2f} s", f"{double / single:.2f}"),
        Row(f"pdf: whole PDF step, nothing changed (cache hit, {n} offices)", f"{cached * 1000:.0f} ms", "-", "-"),
    ]
    for slug, size in report.back_sizes.items():
        out.append(Row(f"pdf: {slug} leaflet back page font size", f"{size:g} pt", "min 7 pt", f"{size / 7:.2f}"))
    for rel, data in sorted(report.files.items()):
        out.append(Row(f"pdf: bytes of {rel}", f"{len(data) / 1024:.0f} KiB", "-", "-"))
    return out
