"""PDF peer: Chromium's --print-to-pdf of the same leaflet HTML WeasyPrint renders, same run.

The leaflet is two HTML documents (the front, and the back at the font size WeasyPrint's fitting
chose), each with the leaflet CSS; Chromium prints each with a fresh profile, so its figure is
two headless launches (launch included: that is what a build calling Chromium would pay). The
WeasyPrint figure is render_leaflet() of the same office in this process (after a warm-up), which
includes laying out the back page at one or more sizes to fit it.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rowtype import Row

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-pdf-header-footer"]


def _with_css(html: str, css: str) -> str:
    """The document with the leaflet CSS inline and the project root as base (as WeasyPrint gets it)."""
    return html.replace("</head>", f'<base href="{ROOT.as_uri()}/">\n<style>\n{css}\n</style>\n</head>', 1)


def _chromium(binary: str, page: Path, pdf: Path, tmp: Path) -> None:
    profile = Path(tempfile.mkdtemp(dir=tmp, prefix="profile-"))
    subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF for {page.name}")


def rows() -> list[Row]:
    """Seconds and bytes of one leaflet: WeasyPrint against Chromium."""
    from portal.offices import load_offices, load_site
    from portal.publish.pdf import FRONT_SIZES, office_jobs, render_leaflet, render_terms
    from portal.publish.site import TEMPLATES, environment

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    content = ROOT / "content"
    offices = load_offices(content)
    job = office_jobs(load_site(content), offices[:1], environment(TEMPLATES), TEMPLATES)[0]
    render_terms(job)                                   # WeasyPrint's import and first font load
    ours, pdf, back_size, front_size = [], b"", 0.0, FRONT_SIZES[0]
    for _ in range(RUNS):
        began = time.perf_counter()
        pdf, (back_size, front_size) = render_leaflet(job)
        ours.append(time.perf_counter() - began)
    ours_s = statistics.median(ours)
    label = f"pdf peer: one leaflet (front + fitted back) of {job.slug}"
    if binary is None:
        return [Row(f"{label}, WeasyPrint", f"{ours_s:.2f} s, {len(pdf) / 1024:.0f} KiB", "chromium not installed", "-")]
    back = dict(job.backs)[back_size]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pages = []
        for name, html in (("front", job.front_at(FRONT_SIZES.index(front_size))), ("back", back)):
            path = tmp / f"{name}.html"
            path.write_text(_with_css(html, job.css), encoding="utf-8")
            pages.append(path)
        _chromium(binary, pages[0], tmp / "warm.pdf", tmp)   # first launch fills the disk cache
        theirs, front_only, their_bytes = [], [], 0
        for i in range(RUNS):
            began = time.perf_counter()
            _chromium(binary, pages[0], tmp / f"front-{i}.pdf", tmp)
            middle = time.perf_counter()
            _chromium(binary, pages[1], tmp / f"back-{i}.pdf", tmp)
            theirs.append(time.perf_counter() - began)
            front_only.append(middle - began)
            their_bytes = (tmp / f"front-{i}.pdf").stat().st_size + (tmp / f"back-{i}.pdf").stat().st_size
    theirs_s, front_s = statistics.median(theirs), statistics.median(front_only)
    return [
        Row(f"{label}: WeasyPrint (in process) vs Chromium --print-to-pdf (2 launches)", f"{ours_s:.2f} s",
            f"Chromium {theirs_s:.2f} s", f"{ours_s / theirs_s:.2f}"),
        Row("pdf peer: Chromium, one launch printing the front page only", f"{front_s:.2f} s",
            f"WeasyPrint whole leaflet {ours_s:.2f} s", f"{front_s / ours_s:.2f}"),
        Row("pdf peer: bytes of the leaflet", f"WeasyPrint {len(pdf) / 1024:.0f} KiB",
            f"Chromium {their_bytes / 1024:.0f} KiB (2 files)", f"{len(pdf) / max(their_bytes, 1):.2f}"),
    ]
