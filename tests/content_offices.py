"""Which offices the tests run over: those under content/, never a fixed list.

A test about every office takes `office_slugs()` (adding an office to content/ keeps the suite
green); a test about what a seed document says names its seed from SEEDS explicitly.
"""
from __future__ import annotations

from pathlib import Path

CONTENT = Path(__file__).resolve().parents[1] / "content"
SEEDS = ("abashiri", "mothers-hiroshima")   # the two seed offices (tests/fixtures/seeds)


def office_slugs(content: Path = CONTENT) -> tuple[str, ...]:
    """The offices under content (every folder holding office.yaml), sorted as the build sorts them."""
    return tuple(sorted(p.parent.name for p in content.glob("*/office.yaml")))
