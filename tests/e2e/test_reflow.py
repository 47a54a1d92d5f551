"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide, as at 400 % zoom on a 1280-pixel screen, no
page of the site nor step of the booking form scrolls sideways."""
from __future__ import annotations

import pytest

from .conftest import _context
from .steps import answer_all, navigate

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def narrow(browser, portal):
    context = _context(browser, portal, NARROW)
    yield context.new_page()
    context.close()


def test_no_page_scrolls_sideways_at_320_pixels(narrow, portal):
    page, wide = narrow, {}
    urls = ["/" + p.relative_to(portal.site_dir).as_posix().removesuffix("index.html")
            for p in sorted(portal.site_dir.rglob("*.html"))]
    for url in urls:
        page.goto(url)
        scroll, width = page.evaluate(WIDTH)
        if scroll > width:
            wide[url] = scroll
    # The booking steps, the form with every error shown, and the staff login.
    page.goto("/abashiri/booking/eligibility")
    answer_all(page)
    navigate(page, lambda: page.click("button[type=submit]"))
    navigate(page, lambda: page.click("button[type=submit]:not([name])"))
    assert page.locator(".error-summary").count() == 1
    for url in [None, "/abashiri/booking/", "/abashiri/booking/eligibility", "/staff/login"]:
        if url is not None:
            page.goto(url)
        scroll, width = page.evaluate(WIDTH)
        if scroll > width:
            wide[page.url] = scroll
    assert not wide, f"wider than {NARROW['width']}px: {wide}"
