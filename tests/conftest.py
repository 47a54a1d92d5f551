"""Shared fixtures: paths of the repository, and a writable copy of the real content."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of content/ that a test may edit freely."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))
