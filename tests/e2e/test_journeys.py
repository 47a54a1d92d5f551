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


def summary_focused(tab) -> None:
    # autofocus is applied once the page has loaded: wait for it rather than read it at once.
    tab.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=10_000)


def test_keyboard_only_booking_with_mistakes(tab, portal):
    kb = Keyboard(tab)

    def in_view(*selectors: str) -> None:
        # Each element lies wholly inside the window (e.g. a field's label after a summary link).
        for selector in selectors:
            box = tab.locator(selector).first.bounding_box()
            height = tab.evaluate("() => window.innerHeight")
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box, height)

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
    # Nothing answered: the focus starts on the error summary, whose links each name their
    # question; a link shows its question's legend and message above the focused radio.
    kb.follow("button[type=submit]")
    summary_focused(tab)
    texts = tab.locator(".error-summary a").all_inner_texts()
    assert len(texts) == questions == len(set(texts)) and "ビデオ通話" in texts[1]
    kb.tab_to('.error-summary a[href="#q_device-0"]')
    tab.keyboard.press("Enter")
    assert kb.focused()["id"] == "q_device-0"
    in_view("fieldset:has(#q_device-0) legend", "#q_device-error")
    tab.goto("/abashiri/booking/eligibility")
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
    summary_focused(tab)   # no script
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
    in_view('label[for="kana"]', "#kana-error")   # with its label and message above it
    tab.keyboard.press("Control+A")
    tab.keyboard.type("あばしり はなこ")       # hiragana is fine: made katakana
    kb.type_into("#seeker_number", "01234-12345678")
    # The slot picker: the first day is open; Tab reaches its first 第1希望 radio, Space chooses it.
    kb.tab_to("#slot1")
    in_view(".slot-day[open] summary", "#slot1-error")
    tab.keyboard.press("Space")
    slot = tab.locator("input[name=slot1]:checked")
    assert slot.input_value() == "2026-05-07T09:30"
    chosen = tab.locator('label[for="slot1"]').inner_text().strip().removeprefix("第1希望：")
    # A second wish: the next day opened with Enter on its name, then the arrow keys in the
    # 第2希望 group, from its 「選ばない」 radio.
    kb.tab_to(".slot-day:not([open]) summary")
    tab.keyboard.press("Enter")
    assert tab.locator(".slot-day[open]").count() == 2
    kb.tab_to("#slot2", back=True)
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowDown")
    second = tab.locator("input[name=slot2]:checked").input_value()
    assert second == "2026-05-07T10:00", second
    kb.tab_to("#consent")
    tab.keyboard.press("Space")
    assert tab.locator("#consent").is_checked()
    kb.follow("button[type=submit]:not([name])")

    # Check answers, then submit.
    assert h1(tab) == "申し込み内容の確認"
    answers = tab.locator(".summary").inner_text()
    assert "アバシリ\u3000ハナコ" in answers and "01234-12345678" in answers and chosen in answers
    assert "第2希望" in answers and "5月7日（木）10：00～10：30" in answers
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
