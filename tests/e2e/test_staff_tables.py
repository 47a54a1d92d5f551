"""The staff console's tables on a 1280 px screen (issues 17 and 19): they use the screen's width,
and times, references and phone numbers never break mid-value ("9：30～10：/00")."""
from __future__ import annotations

import pytest

from .conftest import DESKTOP
from .steps import Keyboard
from .test_staff_journeys import log_in, seeker_request  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

# Per table: its width and the window's; per .nowrap cell: its text and how many lines it takes.
TABLES = """() => ({
  window: window.innerWidth,
  tables: [...document.querySelectorAll('table.staff-table')].map(t => t.getBoundingClientRect().width),
  cells: [...document.querySelectorAll('table.staff-table .nowrap')].filter(c => c.innerText.trim()).map(c => {
    const r = document.createRange(); r.selectNodeContents(c);
    const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
    return [c.innerText.trim(), tops.size];
  }),
})"""


def test_staff_tables_are_wide_and_never_break_a_value(desktop, staff, seeker_request):  # noqa: F811
    page, (reference, wish) = desktop, seeker_request
    assert page.viewport_size == DESKTOP
    page.goto("/staff/abashiri/")
    log_in(Keyboard(page), "aki")
    day = wish[:10]
    checked = tables = 0
    for url in ["/staff/abashiri/", f"/staff/abashiri/schedule?date={day}", f"/staff/abashiri/week?date={day}"]:
        page.goto(url)
        found = page.evaluate(TABLES)
        tables += len(found["tables"])    # the week lists confirmed sessions only: maybe none
        for width in found["tables"]:
            assert width >= found["window"] - 100, (url, width, found["window"])   # not a 46 rem column
        broken = [text for text, lines in found["cells"] if lines > 1]
        assert not broken, (url, broken)
        checked += len(found["cells"])
    assert checked >= 5 and tables >= 2
    assert reference
