"""Japanese headings break between phrases (issue 19: 「ご／案内」, 「改／訂）」): on a 320 and a
390 px screen, every line of every h1–h3 and of the site name, as Chromium lays it out (the
character boxes of each line), ends on a phrase boundary of portal.phrases, on every site page and
the booking pages."""
from __future__ import annotations

import pytest

from portal.phrases import phrases

from .conftest import _context

pytestmark = pytest.mark.e2e

# Each heading's text and, per character, the top of its box (a new top is a new line).
LINES = """() => [...document.querySelectorAll('h1, h2, h3, .site-name')].filter(h => h.offsetParent).map(h => {
  const tops = [];
  const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const box = r.getClientRects()[0];
      tops.push([n.data[i], box ? Math.round(box.top) : null]);
    }
  }
  return tops;
})"""


def lines_of(chars: list) -> list[str]:
    """The heading's text cut where Chromium starts a new line."""
    lines, top = [], None
    for char, y in chars:
        if y is None or char.isspace() and not lines:
            continue
        if top is None or y > top + 2:
            lines.append("")
            top = y
        lines[-1] += char
    return lines


def bad_breaks(chars: list) -> str | None:
    """The heading as laid out, when a line break falls inside a phrase."""
    lines = lines_of(chars)
    text = "".join(lines)
    ends, pos = set(), 0
    for phrase in phrases(text):
        pos += len(phrase)
        ends.add(pos)
    breaks = [sum(map(len, lines[:i])) for i in range(1, len(lines))]
    inside = [b for b in breaks if b not in ends and not text[b - 1].isspace() and not text[b].isascii()]
    return "／".join(lines) if inside else None


@pytest.mark.parametrize("width", [320, 390])
def test_headings_break_between_phrases(browser, portal, width):
    context = _context(browser, portal, {"width": width, "height": 800})
    page = context.new_page()
    try:
        urls = ["/" + p.relative_to(portal.site_dir).as_posix().removesuffix("index.html")
                for p in sorted(portal.site_dir.rglob("*.html"))]
        urls += ["/abashiri/booking/", "/mothers-hiroshima/booking/", "/staff/login"]
        bad, wrapped = [], 0
        for url in urls:
            page.goto(url)
            for chars in page.evaluate(LINES):
                wrapped += len(lines_of(chars)) > 1
                found = bad_breaks(chars)
                if found:
                    bad.append(f"{url}: {found}")
        assert wrapped > 10, "too few headings wrap: the test means nothing at this width"
        assert not bad, "\n".join(bad)
    finally:
        context.close()
