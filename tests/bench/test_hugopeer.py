"""The build's Hugo peer does equal work: the same pages as the build, counted and, with Hugo, built."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.publish.build import build

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]
from hugopeer import hugo_site  # noqa: E402
from test_versions import add_version  # noqa: E402

DAY = dt.date(2027, 3, 31)   # the added version announced: a notice and a 新旧対照表 on the site


def pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix in (".html", ".xml"))


def test_hugo_builds_the_pages_the_build_writes(content, tmp_path):
    add_version(content / "mothers-hiroshima")
    build(content, tmp_path / "site", today=DAY, pdf=False, publish=False, content_cache=None)
    ours = pages(tmp_path / "site")
    assert "mothers-hiroshima/terms/2027-04-01/compare/index.html" in ours
    site, count = hugo_site(content, tmp_path / "hugo", today=DAY)
    assert count == len(ours)
    hugo = shutil.which("hugo")
    if hugo is None:
        pytest.skip("Debian hugo is installed by scripts/bench, not by scripts/test")
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(tmp_path / "built")], check=True, capture_output=True)
    assert pages(tmp_path / "built") == ours
