"""Titles in the PDFs break between Japanese phrases (issue 19: the leaflet back title ended
「利用規／約」): the title lines pdftotext reads from a leaflet whose terms title needs two lines."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from portal.phrases import phrases
from portal.publish.build import build

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parents[2]
TITLE = "ハローワーク網走オンラインによる職業相談及び職業紹介の利用規約に関する定め"


def title_lines(pdf: Path, page: int, title: str) -> list[str]:
    """The lines pdftotext -layout reads at the top of page that together spell title."""
    text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    rows = [line.strip().split("  ")[0] for line in text.splitlines() if line.strip()]   # not a column beside it
    for start in range(len(rows)):
        lines, joined = [], ""
        for line in rows[start:]:
            if not title.startswith(joined + line):
                break
            lines.append(line)
            joined += line
            if joined == title:
                return lines
    raise AssertionError(f"title not found on page {page}: {rows[:8]}")


def test_long_titles_break_between_phrases_in_the_leaflet_and_terms_pdf(tmp_path):
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    yaml = content / "abashiri" / "office.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("  title: ハローワーク網走オンライン職業相談利用規約\n", f"  title: {TITLE}\n", 1),
                    encoding="utf-8")
    build(content, tmp_path / "site", ["abashiri"], pdf_cache=None, markdown_cache=None, processes=1)
    ends, pos = set(), 0
    for phrase in phrases(TITLE):
        pos += len(phrase)
        ends.add(pos)
    for pdf, page in [("leaflet.pdf", 2), ("terms.pdf", 1)]:
        lines = title_lines(tmp_path / "site" / "abashiri" / pdf, page, TITLE)
        assert len(lines) >= 2, (pdf, lines)      # the title needs two lines: the test means something
        breaks = [sum(map(len, lines[:i])) for i in range(1, len(lines))]
        assert set(breaks) <= ends, (pdf, lines)
        assert min(map(len, lines)) > 1, (pdf, lines)
