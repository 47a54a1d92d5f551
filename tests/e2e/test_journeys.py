"""A seeker's journeys in a real browser, with the keyboard only (Tab, Shift+Tab, Space, Enter,
arrow keys), on a desktop and on a phone-sized screen: read the office list, the guide and the
terms, make mistakes, follow the error summary, fix them and get a reference; and an ineligible
seeker who is told why and how to reach the office.

Every element reached with Tab must show a visible focus indicator, no page may scroll sideways
on the phone, and no page may log an error (a CSP violation would show up here).
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.web import db

from .steps import REFERENCE, Keyboard, h1

pytestmark = pytest.mark.e2e


def stored(portal, reference: str) -> dict:
    """The stored request with its first preferred slot, read straight from the database."""
    with db.engine_of(portal.app).connect() as conn:
        row = conn.execute(text("SELECT * FROM booking_requests WHERE reference = :r"), {"r": reference}).mappings().one()
    return dict(row)


@pytest.fixture(params=["desktop", "phone"])
def tab(request):
    """The seeker's tab: a desktop window, then a 390×844 phone screen."""
    return request.getfixturevalue(request.param)


def test_keyboard_only_booking_with_mistakes(tab, portal):
    kb = Keyboard(tab)
    assert tab.goto("/").status == 200
    kb.no_sideways_scroll()

    # The office list → the guide → the terms → back to the guide by its breadcrumb.
    kb.follow('.office-list h2 a[href="abashiri/"]')
    assert h1(tab) == "オンラインによる職業相談のご案内"
    kb.no_sideways_scroll()
    kb.follow('.next a[href="terms/"]')
    assert "利用規約" in h1(tab)
    kb.no_sideways_scroll()
    kb.follow('.breadcrumbs a[href="../"]')
    assert tab.url.endswith("/abashiri/")

    # The guide → the booking start page → the eligibility questions, all answered はい.
    kb.follow('a.button[href="booking/"]')
    assert "予約申し込み" in h1(tab)
    kb.no_sideways_scroll()
    kb.follow("a.button")
    assert h1(tab) == "ご利用の条件"
    questions = tab.locator("fieldset").count()
    assert questions == 4
    for i in range(questions):
        # Tab enters each radio group on its first option (はい); Space chooses it.
        info = kb.tab_to("input[type=radio]")
        assert info["id"].endswith("-0")
        tab.keyboard.press("Space")
    assert tab.locator("input[type=radio][value=yes]:checked").count() == questions
    kb.follow("button[type=submit]")
    assert h1(tab) == "申し込み内容の入力"
    kb.no_sideways_scroll()

    # Mistakes: フリガナ in kanji, a short 求職番号, no slot chosen, no consent.
    kb.type_into("#name", "網走 花子")
    kb.type_into("#kana", "網走 花子")
    kb.type_into("#seeker_number", "1234-5678")
    kb.type_into("#phone", "090-1234-5678")
    kb.follow("button[type=submit]")
    assert tab.title().startswith("エラー：")
    summary = tab.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#kana", "#seeker_number", "#slot1", "#consent"]
    assert tab.locator("#kana").get_attribute("aria-invalid") == "true"
    assert "kana-error" in tab.locator("#kana").get_attribute("aria-describedby")
    assert tab.locator("#name").input_value() == "網走\u3000花子"   # what was right is kept
    kb.no_sideways_scroll()

    # Fix each one, starting from its link in the error summary.
    kb.tab_to('.error-summary a[href="#kana"]')
    tab.keyboard.press("Enter")
    assert tab.url.endswith("#kana")
    assert kb.focused()["id"] == "kana"      # the link takes the focus to the field itself
    tab.keyboard.press("Control+A")
    tab.keyboard.type("あばしり はなこ")       # hiragana is fine: made katakana
    kb.type_into("#seeker_number", "01234-12345678")
    kb.tab_to("#slot1")
    tab.keyboard.press("ArrowDown")          # the first open slot
    slot = tab.locator("#slot1")
    assert slot.input_value() == "2026-05-07T09:30"
    chosen = slot.locator("option:checked").inner_text().strip()
    kb.tab_to("#consent")
    tab.keyboard.press("Space")
    assert tab.locator("#consent").is_checked()
    kb.follow("button[type=submit]:not([name])")

    # Check answers, then submit.
    assert h1(tab) == "申し込み内容の確認"
    answers = tab.locator(".summary").inner_text()
    assert "アバシリ\u3000ハナコ" in answers and "01234-12345678" in answers and chosen.replace(" ", "") in answers
    kb.no_sideways_scroll()
    kb.follow("button[type=submit]:not([name])")

    # The reference, and the request stored as requested for the chosen slot.
    assert h1(tab) == "申し込みを受け付けました"
    reference = tab.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    row = stored(portal, reference)
    assert (row["office_slug"], row["status"], row["kana"]) == ("abashiri", "requested", "アバシリ\u3000ハナコ")
    kb.no_sideways_scroll()
    assert not kb.errors, kb.errors


def test_ineligible_seeker_is_told_why_and_whom_to_call(tab, portal):
    kb = Keyboard(tab)
    tab.goto("/mothers-hiroshima/booking/")
    kb.follow("a.button")
    groups = tab.locator("fieldset").count()
    # The first question answered いいえ (arrow keys move within a radio group and choose).
    kb.tab_to("input[type=radio]")
    tab.keyboard.press("ArrowRight")
    assert kb.focused()["text"] == "no"
    for _ in range(groups - 1):
        kb.tab_to("input[type=radio]")
        tab.keyboard.press("Space")
    kb.follow("button[type=submit]")
    assert "/not-eligible/" in tab.url
    assert h1(tab) == "オンライン予約をご利用いただけません"
    assert "19歳以下のお子さんを子育て中" in tab.locator("main").inner_text()
    contact = tab.locator(".contact").inner_text()
    assert "マザーズハローワーク広島" in contact
    kb.no_sideways_scroll()
    kb.follow('main a[href="/mothers-hiroshima/"]')
    assert tab.url.endswith("/mothers-hiroshima/")
    assert not kb.errors, kb.errors
