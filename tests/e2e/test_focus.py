"""Focus indicators (WCAG 2.2 1.4.11 and 2.4.13): every element reached with Tab on the site, the
booking flow (error state included) and the staff login shows an outline at least 2 px wide whose
computed colour has a contrast of at least 3:1 against the background around it, and focused
text keeps 4.5:1 against its own (focus) background. The colours are the browser's computed ones."""
from __future__ import annotations

import re

import pytest

from .conftest import _context
from .steps import answer_all, navigate

pytestmark = pytest.mark.e2e

# The focused element's outline and text colours, and the first opaque background behind the
# outline (its ancestors'; the element's own background is inside the ring).
FOCUS_COLOURS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const opaque = c => !/^rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent';
  let p = e.parentElement, around = 'rgb(255, 255, 255)';
  while (p) { const b = getComputedStyle(p).backgroundColor; if (opaque(b)) { around = b; break; } p = p.parentElement; }
  return {what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.innerText || e.value || '').trim().slice(0, 30),
          outline: s.outlineColor, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          color: s.color, own: opaque(s.backgroundColor) ? s.backgroundColor : around, around: around};
}"""


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a computed rgb()/rgba() colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_of_the_old_focus_colour_was_too_low():
    # The colour issue 19 reported: #ffbf47 on white.
    assert round(contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)"), 2) == 1.64


def tab_through(page, limit: int = 60) -> list[dict]:
    """Press Tab until the focus comes back round (or limit): the focus colours at each stop."""
    seen, out = set(), []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_COLOURS)
        if info["what"].startswith("body") or (info["what"], len(out)) in seen:
            break
        seen.add((info["what"], len(out)))
        out.append(info)
    return out


@pytest.fixture
def tab(browser, portal):
    context = _context(browser, portal, {"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_every_focus_indicator_has_3_to_1(tab, portal):
    bad, stops = [], 0

    def check(where: str) -> None:
        nonlocal stops
        for info in tab_through(tab):
            stops += 1
            ring = contrast(info["outline"], info["around"])
            text = contrast(info["color"], info["own"])
            if info["style"] == "none" or info["width"] < 2 or ring < 3 or text < 4.5:
                bad.append(f"{where} {info['what']}: outline {info['style']} {info['width']}px {info['outline']} "
                           f"on {info['around']} = {ring:.2f}:1, text {text:.2f}:1")

    for url in ["/", "/abashiri/", "/abashiri/terms/", "/mothers-hiroshima/notices/", "/abashiri/booking/",
                "/staff/login"]:
        tab.goto(url)
        check(url)
    # The booking form in its error state: summary links, every kind of field, the buttons.
    tab.goto("/abashiri/booking/eligibility")
    answer_all(tab)
    navigate(tab, lambda: tab.click("button[type=submit]"))
    navigate(tab, lambda: tab.click("button[type=submit]:not([name])"))
    check("request form with errors")
    assert stops > 40
    assert not bad, "\n".join(bad)
