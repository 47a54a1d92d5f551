"""The static build at national scale (544 synthetic offices) against Hugo on the same Markdown.

Rows: full HTML build with 10/100/544 offices and an empty Markdown cache, the 544-office one
again with the cache warm (each against Hugo building the same expanded Markdown with an equally
minimal layout, timed in the same run), no-change rebuild, one-office rebuild, PDFs with 2
processes on a sample of offices (per office and extrapolated), and the build's peak memory.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rowtype import Row
from synth import generate

from portal.offices import load_offices

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 100, 544)
PDF_SAMPLE = int(os.environ.get("BENCH_PDF_OFFICES", "6"))
RUNS = 3

HUGO_LAYOUT = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""


def _hugo_site(content: Path, folder: Path) -> Path:
    """A Hugo project holding the same guide and terms Markdown (placeholders expanded)."""
    (folder / "layouts/_default").mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (folder / "layouts/_default" / name).write_text(HUGO_LAYOUT, encoding="utf-8")
    (folder / "layouts/index.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (folder / "hugo.toml").write_text('baseURL = "http://127.0.0.1/"\ndisableKinds = ["taxonomy", "term", "RSS", '
                                      '"sitemap", "robotsTXT", "404"]\n', encoding="utf-8")
    for office in load_offices(content):
        target = folder / "content" / office.slug
        target.mkdir(parents=True)
        for name, doc in (("_index.md", office.guide), ("terms.md", office.terms)):
            (target / name).write_text(f'---\ntitle: "{doc.title}"\n---\n\n{doc.markdown}', encoding="utf-8")
    return folder


def _seconds(cmd: list[str], before=None) -> float:
    """Median wall time of a command over RUNS runs (`before` runs untimed before each)."""
    times = []
    for _ in range(RUNS):
        if before:
            before()
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _build_cmd(content: Path, out: Path, *extra: str) -> list[str]:
    # Each content set has its own Markdown cache: the project's .cache/ is never read or filled.
    cache = content.parent / f"markdown-cache-{content.name}"
    return [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "-q",
            "--markdown-cache", str(cache), *extra]


def _empty(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _peak_mb(cmd: list[str]) -> float:
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def rows() -> list[Row]:
    """Every build-at-scale row."""
    found: list[Row] = []
    hugo = shutil.which("hugo")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        peer, theirs = "-", 0.0   # Hugo at the last size, for the warm-cache row
        for size in SIZES:
            content = generate(tmp / f"content-{size}", size)
            out, cache = tmp / f"site-{size}", tmp / f"markdown-cache-content-{size}"
            ours = _seconds(_build_cmd(content, out, "--no-pdf"), lambda: _empty(out, cache))
            peer, ratio = "-", "-"
            if hugo:
                site = _hugo_site(content, tmp / f"hugo-{size}")
                theirs = _seconds([hugo, "--quiet", "-s", str(site), "-d", str(tmp / f"hugo-out-{size}")])
                peer, ratio = f"Hugo {theirs:.2f} s", f"{ours / theirs:.2f} (target 1.5)"
            found.append(Row(f"build HTML from scratch, {size} offices, empty Markdown cache", f"{ours:.2f} s",
                             peer, ratio))
        content, out = tmp / "content-544", tmp / "site-544"
        subprocess.run(_build_cmd(content, out, "--no-pdf"), check=True, capture_output=True, cwd=ROOT)
        # The daily build: every office rebuilt (new day or --no-incremental), the Markdown unchanged.
        warm = _seconds(_build_cmd(content, out, "--no-pdf"), lambda: _empty(out))
        found.append(Row("build HTML from scratch, 544 offices, warm Markdown cache", f"{warm:.2f} s", peer,
                         f"{warm / theirs:.2f} (target 1.5)" if hugo else "-"))
        again = _seconds(_build_cmd(content, out, "--no-pdf"))
        found.append(Row("rebuild, nothing changed, 544 offices", f"{again:.2f} s", "target 0.30 s", f"{again / 0.3:.2f}"))
        guide = content / "office-100" / "guide.md"

        def touch_one() -> None:
            guide.write_text(guide.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")

        one = _seconds(_build_cmd(content, out, "--no-pdf"), touch_one)
        found.append(Row("rebuild, one office changed, 544 offices", f"{one:.2f} s", "target 0.50 s", f"{one / 0.5:.2f}"))
        found.append(Row("peak memory, HTML build of 544 offices", f"{_peak_mb(_build_cmd(content, tmp / 'mem', '--no-pdf')):.0f} MB", "-", "-"))
        sample = generate(tmp / "content-pdf", PDF_SAMPLE)
        cache = tmp / "pdf-cache"
        pdf_cmd = _build_cmd(sample, tmp / "site-pdf") + ["--no-incremental", "--pdf-cache", str(cache)]
        with_pdf = _seconds(pdf_cmd, lambda: shutil.rmtree(cache, ignore_errors=True))
        per_office = with_pdf / PDF_SAMPLE
        found.append(Row(f"build with PDFs, 2 processes, {PDF_SAMPLE} offices", f"{with_pdf:.2f} s "
                         f"({per_office:.2f} s/office)", f"544 offices ≈ {per_office * 544 / 60:.1f} min", "-"))
        found.append(Row(f"peak memory, build with PDFs of {PDF_SAMPLE} offices",
                         f"{_peak_mb(pdf_cmd):.0f} MB", "-", "-"))
    return found
