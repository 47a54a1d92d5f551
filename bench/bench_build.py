"""Build time of the real content (HTML only), median of several runs."""
from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rowtype import Row

from portal.publish.build import build

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


def _median_seconds(content: Path, out: Path, fresh: bool) -> float:
    times = []
    cache = out.parent / "markdown-cache"
    for _ in range(RUNS):
        if fresh:   # from scratch: no output and an empty Markdown cache
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
        started = time.perf_counter()
        build(content, out, pdf=False, markdown_cache=cache)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows() -> list[Row]:
    """Full and no-change builds of content/ (HTML)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        full = _median_seconds(ROOT / "content", out, fresh=True)
        again = _median_seconds(ROOT / "content", out, fresh=False)
    return [
        Row("build: real content, HTML, from scratch (empty Markdown cache)", f"{full * 1000:.1f} ms", "-", "-"),
        Row("build: real content, HTML, nothing changed", f"{again * 1000:.1f} ms", "target 300 ms",
            f"{again / 0.3:.2f}"),
    ]
