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
    page.select_option("#slot1", index=slot_index)
    page.check("#consent")


def first_open_slot_label(page) -> str:
    """Label of the first real option of the first-choice slot list."""
    return page.locator("#slot1 option").nth(1).inner_text().strip()
