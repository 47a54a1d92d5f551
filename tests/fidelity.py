"""Fidelity: every sentence of an office's source document appears in what we publish.

The sources (tests/fixtures/seeds) are plain text extracted from the offices' PDFs. A sentence
counts as published when its text, numbering included (（1）, ①, 第4条), occurs in the rendered
text of the pages and PDFs given. Only layout is forgiven: white space, full/half width (NFKC,
except circled numbers, which NFKC would fold into plain digits), list bullets, and the PDF
extraction's artefacts (doubled bullets "- ・", an item split by a page break, "第 7 条").
"""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SEED_OF = {"abashiri": SEEDS / "000_0beb0c5f82e23cba.txt",
           "mothers-hiroshima": SEEDS / "001_8054c2bbfb8c1e27.txt"}
# The checker the seeds came with, beside the repository in the maintainers' workspace only.
SHARED_CHECKER = ROOT.parent / "shared" / "tools" / "check_fidelity.py"

CIRCLED = re.compile(r"([\u2460-\u2473])")           # ① … ⑳
BULLETS = re.compile(r"^(?:[-*・•]\s*)+")               # "- ・" counts as one bullet
NEW_BLOCK = re.compile(r"^(?:[-*・•（(\u2460-\u2473]|第\s*\d+\s*条)")
SENTENCE_END = re.compile(r"(?<=。)(?![）)」』])")
CLOSERS = ("。", "）", ")", "」", "』")
SEPARATOR = "\x00"  # between files: no sentence may match across two of them
SKIPPED_TAGS = ("head", "script", "style", "template")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source: as written (for the report) and as compared."""

    text: str
    key: str


@dataclass(frozen=True)
class Coverage:
    """Which sentences of one source were found in the rendered output."""

    source: str
    files: int
    sentences: tuple[Sentence, ...]
    missing: tuple[Sentence, ...]

    @property
    def complete(self) -> bool:
        """True when no sentence is missing."""
        return not self.missing

    def report(self) -> str:
        """The count line ("88/88 …") followed by every missing sentence as written."""
        found = len(self.sentences) - len(self.missing)
        lines = [f"{found}/{len(self.sentences)} sentences of {self.source} found in {self.files} file(s)"]
        return "\n".join(lines + [f"missing: {s.text}" for s in self.missing])


def normalise(text: str) -> str:
    """Fold width (NFKC) but keep circled numbers, and drop all white space."""
    parts = CIRCLED.split(text)
    folded = "".join(part if CIRCLED.fullmatch(part) else unicodedata.normalize("NFKC", part)
                     for part in parts)
    return re.sub(r"\s+", "", folded)


def source_lines(text: str) -> list[str]:
    """The source's non-blank lines without bullets; an item a page break split is joined again.

    An item (a bulleted line) that does not end its sentence continues on the next line unless
    that line starts a block of its own (a bullet, a number in brackets, ①, 第N条).
    """
    lines: list[str] = []
    open_item = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        body = BULLETS.sub("", line)
        if open_item and not NEW_BLOCK.match(line):
            lines[-1] += body
        else:
            lines.append(body)
        open_item = line != body and not lines[-1].endswith(CLOSERS)
    return lines


def source_sentences(text: str) -> list[Sentence]:
    """Every sentence of the source, split after 。 (not inside a bracket it closes)."""
    sentences = []
    for line in source_lines(text):
        for part in SENTENCE_END.split(line):
            key = normalise(part)
            if key:
                sentences.append(Sentence(part.strip(), key))
    return sentences


def coverage(source: str, rendered: Iterable[str], name: str = "source") -> Coverage:
    """Compare a source text with the text of rendered files (one string per file)."""
    texts = list(rendered)
    haystack = SEPARATOR.join(normalise(t) for t in texts)
    sentences = tuple(source_sentences(source))
    missing = tuple(s for s in sentences if s.key not in haystack)
    return Coverage(name, len(texts), sentences, missing)


def html_text(markup: str) -> str:
    """The text a reader sees on a page: the body without scripts, styles or hidden elements."""
    doc = BeautifulSoup(markup, "html.parser")
    for tag in doc.find_all([*SKIPPED_TAGS]) + doc.find_all(attrs={"hidden": True}):
        tag.decompose()
    return doc.get_text("\n")


def without_running_lines(pages: Sequence[Sequence[str]]) -> list[list[str]]:
    """Drop running headers and footers: a line among a page's first or last two whose shape
    (digits as #) is at the edge of another page too, such as 「1/4」 or the office's name."""
    def edges(page: Sequence[str]) -> set[int]:
        return {*range(min(2, len(page))), *range(max(0, len(page) - 2), len(page))}

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", normalise(line))

    seen = Counter(s for page in pages for s in {shape(page[i]) for i in edges(page)})
    return [[line for i, line in enumerate(page) if i not in edges(page) or seen[shape(line)] < 2]
            for page in pages]


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext reads it, running headers and footers removed."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in out.split("\f")]
    return "\n".join("\n".join(page) for page in without_running_lines([p for p in pages if p]))


def rendered_files(paths: Iterable[Path]) -> list[Path]:
    """The .html and .pdf files among paths, folders searched, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in {".html", ".pdf"})
        else:
            files.append(path)
    return files


def check(seed: Path, *paths: Path) -> Coverage:
    """Coverage of the seed file by the rendered .html/.pdf files under paths."""
    files = rendered_files(paths)
    assert files, f"no .html or .pdf file under {', '.join(map(str, paths))}"
    texts = (pdf_text(f) if f.suffix == ".pdf" else html_text(f.read_text(encoding="utf-8")) for f in files)
    return coverage(seed.read_text(encoding="utf-8"), texts, seed.name)


def second_opinion(seed: Path, *paths: Path) -> subprocess.CompletedProcess:
    """Run the workspace's own checker (SHARED_CHECKER) on the same files; callers skip without it."""
    return subprocess.run([sys.executable, str(SHARED_CHECKER), str(seed), *map(str, paths)],
                          capture_output=True, text=True, timeout=60)
