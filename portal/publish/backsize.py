"""A first estimate of the leaflet back page's font size, from its HTML alone (no layout).

The build lays the back page out at the estimate and rules out the next size up, then walks on
until it has the largest size that fits (pdf.py): the answer never depends on the estimate, only
the number of layouts it takes, so this is a rough model of leaflet.css, not a copy of it. If the
CSS changes, the estimate gets worse, never the result. On the real terms cut to every length it
is right 12 times out of 13 and one step low otherwise.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from html.parser import HTMLParser

_PT_PER_MM = 72 / 25.4
PAGE_WIDTH = (210 - 2 * 13) * _PT_PER_MM     # A4 less the side margins of @page, in pt
PAGE_HEIGHT = (297 - 2 * 10) * _PT_PER_MM    # and less the top and bottom margins
COLUMN_WIDTH = (PAGE_WIDTH - 6 * _PT_PER_MM) / 2
LINE_HEIGHT = 1.45          # body.back line-height
TITLE_SCALE = 1.7           # .back h1 font size, in em
BLOCK_GAP = 0.15            # margin between paragraphs and items, in em
HEADING_GAP = 0.25          # what an article heading adds to it
BREAK_WASTE = 2             # lines lost at the foot of the first column, on average


class _Blocks(HTMLParser):
    """The text of each line-breaking block (h1, h2, p, li) with its list depth."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, int, str]] = []
        self._current: tuple[str, int, list[str]] | None = None
        self._depth = 0

    def _close(self) -> None:
        if self._current and "".join(self._current[2]).strip():
            tag, depth, parts = self._current
            self.blocks.append((tag, depth, " ".join("".join(parts).split())))
        self._current = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._close()
            self._depth += 1
        elif tag in ("h1", "h2", "p", "li"):
            self._close()
            self._current = (tag, self._depth, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._close()
            self._depth -= 1
        elif tag in ("h1", "h2", "p", "li"):
            self._close()

    def handle_data(self, data: str) -> None:
        if self._current:
            self._current[2].append(data)


def _width(text: str) -> float:
    """Width of the text in em: full-width characters 1, the rest (Latin, digits) about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def _lines(width: float, first: float, rest: float) -> int:
    return 1 if width <= first else 1 + math.ceil((width - first) / max(rest, 1))


def _heights(blocks: list[tuple[str, int, str]], size: float) -> tuple[float, float]:
    """The title's height and the height of everything in the columns, in pt, at this size."""
    title = body = 0.0
    line = math.floor(PAGE_WIDTH / (size * TITLE_SCALE))
    column = COLUMN_WIDTH / size
    for tag, depth, text in blocks:
        if tag == "h1":
            title += (_lines(_width(text), line, line) * LINE_HEIGHT + 0.6) * TITLE_SCALE
            continue
        # .terms li hangs its label: the first line is 1em wider than the rest; nested lists indent.
        indent = 2.5 * max(0, depth - 1) + (1 if tag == "li" else 0)
        first, rest = math.floor(column - indent + (1 if tag == "li" else 0)), math.floor(column - indent)
        body += _lines(_width(text), first, rest) * LINE_HEIGHT + BLOCK_GAP + (HEADING_GAP if tag == "h2" else 0)
    return title * size, body * size


def estimate(html: str, sizes: Sequence[float]) -> int:
    """Index into `sizes` (smallest first) of the largest size at which the terms seem to fit."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._close()
    best = 0
    for i, size in enumerate(sizes):
        title, body = _heights(parser.blocks, size)
        if body <= 2 * (PAGE_HEIGHT - title) - BREAK_WASTE * LINE_HEIGHT * size:
            best = i
    return best
