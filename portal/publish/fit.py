"""Fitting the leaflet's two pages: the font size of each side, found by laying the page out.

Pure searches over candidate sizes. The caller (pdf.py, the only module that imports WeasyPrint)
passes `layout(html) -> document`; a document has `.pages`, each with `.height` and `.anchors`.
The front (the guide) starts at its design size and steps down only when the guide runs onto a
second page; the back (the terms in two columns) takes the largest size that keeps one page.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import BuildError

if TYPE_CHECKING:   # the layout step is passed in: this module never imports WeasyPrint
    from weasyprint.document import Document

Layout = Callable[[str], object]


def _front_guess(doc: Document, sizes: Sequence[float]) -> int:
    """The index of the size to try after the design size overflowed, from how far it overflowed.

    The guide and the contact box flow from the top of the guide (`leaflet-guide`) to the bottom
    of the contact box (`leaflet-end`, on the last page); the title band (`leaflet-top`, whose top
    is the page's top margin) keeps its size. A guide is mostly one-line items whose height goes
    with the size, and its millimetre gaps do not shrink, so the flow fits the room left on page 1
    at about size × room / flow or a step below; measured on Hiroshima's guide lengthened by 1 to
    14 items, the guess is right or one step high, which costs the same (a guess that fits must
    show that the step above does not). Only the number of layouts depends on this guess (1 when
    the anchors are missing), never the result.
    """
    pages = doc.pages
    top, guide = pages[0].anchors.get("leaflet-top", ()), pages[0].anchors.get("leaflet-guide", ())
    end = pages[-1].anchors.get("leaflet-end", ())
    if len(top) != 4 or len(guide) != 4 or len(end) != 4:     # (x1, y1, x2, y2) since WeasyPrint 63
        return 1
    margin = top[1]
    room = pages[0].height - margin - guide[1]                  # the bottom margin taken as the top one
    # What each page holds: down to the lowest box with an id on it (a split box has one per page).
    flow = sum(max(box[3] for box in page.anchors.values() if len(box) == 4) - (guide[1] if n == 0 else margin)
               for n, page in enumerate(pages) if page.anchors)
    if room <= 0 or flow <= room:
        return 1
    target = sizes[0] * room / flow
    return next((i for i in range(1, len(sizes)) if sizes[i] <= target + 0.05), len(sizes) - 1)


def fit_front(sizes: Sequence[float], html_at: Callable[[int], str], layout: Layout, where: str):
    """The front page at the first of `sizes` (largest first) that keeps it to one page, and that size.

    The design size costs one layout. A longer guide starts at a size guessed from the overflow
    (_front_guess) and walks to the largest size that fits: usually one or two more layouts.
    """
    first = layout(html_at(0))
    if len(first.pages) == 1:
        return first, sizes[0]
    laid_out = {0: first}

    def fits(i: int) -> bool:
        if i not in laid_out:
            laid_out[i] = layout(html_at(i))
        return len(laid_out[i].pages) == 1

    i = _front_guess(first, sizes)
    if fits(i):
        while i > 1 and fits(i - 1):
            i -= 1
        return laid_out[i], sizes[i]
    while i + 1 < len(sizes):
        i += 1
        if fits(i):
            return laid_out[i], sizes[i]
    raise BuildError(f"{where}: 案内がリーフレットの表面（A4 1ページ）に{sizes[-1]:g}ptでも"
                     f"収まりません（{len(first.pages)}ページ）。guide.md を短くしてください")


def too_tall(probe: Document, size: float, page_height: float) -> bool:
    """Whether the probe proves that the back page overflows at `size` pt (False: no proof).

    The probe lays the terms out in one column a hair wider than the real ones (so never in more
    lines) on a page too tall to break them, with the back page's width and margins: about 60% of
    the work of the real page, whose two columns are laid out twice. Two columns can hold the terms
    only if that one column is at most twice as tall as a real column, plus the margins a column
    break drops (under 1em); 2em are allowed. `page_height` is the real page's, in CSS px.
    """
    anchors = probe.pages[0].anchors
    terms, foot = anchors.get("probe-terms", ()), anchors.get("probe-bottom", ())
    if len(probe.pages) != 1 or len(terms) != 4 or len(foot) < 2:   # (x1, y1, x2, y2) since WeasyPrint 63
        return False
    column = page_height - (probe.pages[0].height - foot[1]) - terms[1]   # page bottom less its margin
    return terms[3] - terms[1] > 2 * column + 2 * size * 96 / 72


def fit_back(sizes: Sequence[float], first: int, back_at: Callable[[int], str],
             probe_at: Callable[[int], str], layout: Layout, where: str):
    """The back page at the largest of `sizes` (smallest first) that keeps it to one page, and that size.

    The search starts at `first` (estimated from the HTML, backsize.py), lays the page out there,
    and walks up or down one size at a time. A size is ruled out by its probe when that proves the
    terms too tall (too_tall), else by laying the page out. The result does not depend on the
    estimate, only the number of layouts does: a right one costs one layout and one probe.
    """
    laid_out: dict[int, object] = {}

    def fits(i: int) -> bool:
        if i not in laid_out:
            laid_out[i] = layout(back_at(i))
        return len(laid_out[i].pages) == 1

    def ruled_out(i: int) -> bool:
        return too_tall(layout(probe_at(i)), sizes[i], laid_out[first].pages[0].height) or not fits(i)

    i = first
    if fits(i):
        while i + 1 < len(sizes) and not ruled_out(i + 1):
            i += 1
    else:
        i -= 1
        while i >= 0 and ruled_out(i):
            i -= 1
        if i < 0:
            raise BuildError(f"{where}: 利用規約がリーフレットの裏面（A4 1ページ、2段組）に"
                             f"{sizes[0]:g}ptでも収まりません。文字をこれより小さくはできません。"
                             "リーフレットを作るには利用規約を短くする必要があります"
                             "（PDF を作らずにサイトだけ更新するには --no-pdf を付けてビルドします）")
    return laid_out[i], sizes[i]
