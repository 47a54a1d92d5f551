"""The static build at national scale (544 synthetic offices) against Hugo on the same Markdown.

Rows: full HTML build into an empty folder with 10/100/544 offices and empty caches (Markdown and
content), the 544-office one again with the caches warm (what the daily build does), each against
Hugo building the same pages from the same expanded Markdown (bench/hugopeer.py), timed in the same
run as CPU time (user+sys of the process and its children: both use every core) and wall time;
no-change rebuild, one-office rebuild, PDFs with 2 processes on a sample of offices (per office
and extrapolated), and the build's peak memory.

Both build into a memory file system (/dev/shm, or BENCH_SCALE_DIR): on a virtual machine's disk
creating a file right after deleting others can cost milliseconds of system time (ext4 mounted
with online discard), which measures the disk, not the build, and varied 10× between runs of the
same build. One row repeats the 544-office comparison on the disk (the system's temporary folder).
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rowtype import Row
from hugopeer import hugo_site
from synth import generate


ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 100, 544)
PDF_SAMPLE = int(os.environ.get("BENCH_PDF_OFFICES", "6"))
RUNS = 3


def _scratch() -> str | None:
    """Where the timed builds write: BENCH_SCALE_DIR, else /dev/shm when writable, else the temp folder."""
    chosen = os.environ.get("BENCH_SCALE_DIR") or "/dev/shm"
    return chosen if os.path.isdir(chosen) and os.access(chosen, os.W_OK) else None



@dataclass(frozen=True)
class Timing:
    """Medians over RUNS runs: wall seconds, and CPU seconds (user+sys of the command and its children)."""
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s CPU, {self.wall:.2f} s wall"

    def ratio(self, peer: Timing, target: str = "") -> str:
        """Ours over the peer's, CPU (what the goal is on) and wall."""
        return f"{self.cpu / peer.cpu:.2f} CPU, {self.wall / peer.wall:.2f} wall" + (f" (target {target})" if target else "")


def _timed(cmd: list[str], before: Callable[[], None] | None = None) -> Timing:
    """Run a command RUNS times (`before` runs untimed before each); medians of wall and CPU time."""
    walls, cpus = [], []
    for _ in range(RUNS):
        if before:
            before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - started)
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime)
    return Timing(statistics.median(walls), statistics.median(cpus))


def _seconds(cmd: list[str], before=None) -> float:
    """Median wall time of a command over RUNS runs (`before` runs untimed before each)."""
    return _timed(cmd, before).wall


def _build_cmd(content: Path, out: Path, *extra: str) -> list[str]:
    # Each content set has its own Markdown and content caches: the project's .cache/ is never read or filled.
    return [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "-q",
            "--markdown-cache", str(_caches(content)[0]), "--content-cache", str(_caches(content)[1]), *extra]


def _caches(content: Path) -> tuple[Path, Path]:
    """The Markdown cache and the content cache of a content set."""
    return content.parent / f"markdown-cache-{content.name}", content.parent / f"content-cache-{content.name}"


def _pages(out: Path) -> int:
    """Pages the build wrote: HTML and feeds (stylesheets and the manifest left out)."""
    return sum(1 for p in out.rglob("*") if p.suffix in (".html", ".xml"))


def _empty(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _peak_mb(cmd: list[str]) -> float:
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def _cold(content: Path, tmp: Path, what: str, hugo: str | None) -> tuple[Row, Timing | None]:
    """Our build and Hugo's of the same pages into empty folders under tmp, empty caches; the row
    and Hugo's timing (None without Hugo)."""
    out = tmp / f"site-{content.name}"
    ours = _timed(_build_cmd(content, out, "--no-pdf"), lambda: _empty(out, *_caches(content)))
    peer, ratio, theirs = "-", "-", None
    if hugo:
        site, pages = hugo_site(content, tmp / f"hugo-{content.name}")
        built = tmp / f"hugo-out-{content.name}"
        theirs = _timed([hugo, "--quiet", "-s", str(site), "-d", str(built)], lambda: _empty(built))
        peer, ratio = f"Hugo, {pages} pages: {theirs}", ours.ratio(theirs, "1.2" if "544" in what else "")
        _empty(site, built)
    return Row(f"build HTML from scratch, {what} ({_pages(out)} pages), empty caches", str(ours), peer, ratio), theirs


def rows() -> list[Row]:
    """Every build-at-scale row."""
    found: list[Row] = []
    hugo = shutil.which("hugo")
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        tmp = Path(tmp)
        theirs = None   # Hugo at the last size, for the warm-cache row
        for size in SIZES:
            row, theirs = _cold(generate(tmp / f"content-{size}", size), tmp, f"{size} offices", hugo)
            found.append(row)
        with tempfile.TemporaryDirectory() as disk:   # the same content, build and caches on the disk
            found.append(_cold(generate(Path(disk) / "content-544", SIZES[-1]), Path(disk),
                               f"{SIZES[-1]} offices on disk", hugo)[0])
        content, out = tmp / "content-544", tmp / "site-544"
        subprocess.run(_build_cmd(content, out, "--no-pdf"), check=True, capture_output=True, cwd=ROOT)
        # The daily build: every office rebuilt (new day or --no-incremental), the content unchanged.
        warm = _timed(_build_cmd(content, out, "--no-pdf"), lambda: _empty(out))
        found.append(Row("build HTML from scratch, 544 offices, warm caches", str(warm),
                         "same Hugo run" if theirs else "-", warm.ratio(theirs, "1.2") if theirs else "-"))
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
