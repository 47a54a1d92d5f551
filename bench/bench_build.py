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
    cache, loaded = out.parent / "markdown-cache", out.parent / "content-cache"
    for _ in range(RUNS):
        if fresh:   # from scratch: no output and empty Markdown and content caches
            for folder in (out, cache, loaded):
                shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        build(content, out, pdf=False, markdown_cache=cache, content_cache=loaded)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows() -> list[Row]:
    """Full and no-change builds of content/ (HTML)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        full = _median_seconds(ROOT / "content", out, fresh=True)
        again = _median_seconds(ROOT / "content", out, fresh=False)
    return [
        Row("build: real content, HTML, from scratch (empty caches)", f"{full * 1000:.1f} ms", "-", "-"),
        Row("build: real content, HTML, nothing changed", f"{again * 1000:.1f} ms", "target 300 ms",
            f"{again / 0.3:.2f}"),
    ]
