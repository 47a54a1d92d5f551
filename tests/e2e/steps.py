"""Steps of the booking flow in a real tab, shared by the audit and the journeys."""
from __future__ import annotations

import re

# Valid answers (the same person as in tests/web); the first open slot is Thursday 7 May.
VALID = {"name": "網走 花子", "kana": "アバシリ ハナコ", "seeker_number": "01234-12345678",
         "phone": "090-1234-5678"}
REFERENCE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")   # e.g. K7QM-3FXA


def navigate(page, action):
    """Run action (a click, a key press) and return the response of the page it leads to."""
    with page.expect_navigation() as nav:
        action()
    return nav.value


def answer_all(page, answer: str = "yes") -> None:
    """Choose the same answer (yes/no) for every eligibility question, by mouse."""
    for radio in page.locator(f"input[type=radio][value={answer}]").all():
        radio.check()


def fill_valid(page, slot_index: int = 1) -> None:
    """Fill the request form with valid answers and consent, by mouse."""
    for name, value in VALID.items():
        page.fill(f"#{name}", value)
    if page.locator("#email").count():
        page.fill("#email", "")
    choose_slot(page, "slot1", slot_index)
    page.check("#consent")


def choose_slot(page, wish: str, slot_index: int = 1) -> str:
    """Open the day of the slot_index-th open slot in the slot picker and choose it as wish
    (slot1, slot2, slot3), by mouse: the key of the slot chosen."""
    radio = page.locator(f'input[type=radio][name={wish}]:not([value=""])').nth(slot_index - 1)
    if not radio.is_visible():
        radio.evaluate("e => e.closest('details').querySelector('summary').click()")
    radio.check()
    return radio.input_value()


FOCUS_INFO = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim().slice(0, 60),
          visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
}"""


class Keyboard:
    """A seeker at one tab who moves only with the keyboard."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: m.type in ("error", "warning") and "Failed to load resource" not in m.text
                and self.errors.append(m.text))
        # Every resource a page asks for must exist, the favicon included.
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))

    def tab_to(self, selector: str, limit: int = 80, back: bool = False) -> dict:
        """Press Tab (Shift+Tab) until an element matching selector has the focus."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                info = self.page.evaluate(FOCUS_INFO)
                assert info["visible"], f"no visible focus indicator on {selector}: {info}"
                return info
        raise AssertionError(f"{selector} not reached with {limit} presses of Tab on {self.page.url}")

    def follow(self, selector: str, key: str = "Enter"):
        """Tab to a link or button and press Enter: the response of the page it leads to."""
        self.tab_to(selector)
        with self.page.expect_navigation() as nav:
            self.page.keyboard.press(key)
        return nav.value

    def type_into(self, selector: str, value: str) -> None:
        """Tab to a text field and type value over whatever it holds."""
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)

    def focused(self) -> dict:
        return self.page.evaluate(FOCUS_INFO)

    def no_sideways_scroll(self) -> None:
        width = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{self.page.url} scrolls sideways: {width}"


def h1(page) -> str:
    """The page's heading."""
    return page.locator("h1").inner_text().strip()


def book(page, slug: str, slot_index: int = 1) -> tuple[str, str]:
    """Make a request through the whole flow by mouse, wishing the slot_index-th open slot:
    its reference and the key of the slot wished."""
    page.goto(f"/{slug}/booking/eligibility")
    answer_all(page, "yes")
    navigate(page, lambda: page.click("button[type=submit]"))
    fill_valid(page, slot_index)
    wish = page.locator("input[name=slot1]:checked").input_value()
    navigate(page, lambda: page.click("button[type=submit]:not([name])"))
    navigate(page, lambda: page.click("button[type=submit]:not([name])"))
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    return reference, wish
