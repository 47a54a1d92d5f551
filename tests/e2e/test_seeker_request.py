"""The seeker's own request in a real browser: Back never books twice (Chromium's own history),
the private link and the search by reference with the keyboard only at both offices, and, at an
office taking online cancellations, "book → open the private link → cancel → staff see it" and
the same-day refusal naming the channels to use instead."""
from __future__ import annotations

import datetime

import pytest
from sqlalchemy import text

from portal.web import db

from .conftest import DESKTOP, NOW, ONLINE_OFFICE, _context
from .steps import REFERENCE, VALID, Keyboard, answer_all, book, fill_valid, h1, navigate
from .test_staff_journeys import log_in

pytestmark = pytest.mark.e2e
UTC = datetime.timezone.utc
SUBMIT = "button[type=submit]:not([name])"


def rows(portal, query: str, **params) -> list:
    with db.engine_of(portal.app).connect() as conn:
        return list(conn.execute(text(query), params))


@pytest.fixture
def online_tab(browser, online_portal):
    """A desktop tab on the portal whose ハローワーク網走 takes online cancellations."""
    context = _context(browser, online_portal, DESKTOP)
    yield context.new_page()
    context.close()


def test_back_and_submit_again_books_once(desktop, portal):
    page = desktop
    page.goto("/abashiri/booking/eligibility")
    answer_all(page, "yes")
    navigate(page, lambda: page.click("button[type=submit]"))
    fill_valid(page, 9)
    page.fill("#name", "戻る 太郎")
    navigate(page, lambda: page.click(SUBMIT))
    navigate(page, lambda: page.click(SUBMIT))
    reference = page.locator(".reference").inner_text().strip()
    # Back: the check page is the answer to a GET (post/redirect/get), so Chromium shows no
    # "confirm form resubmission" page: the check page finds the request made and says so.
    page.go_back()
    page.wait_for_load_state()
    assert h1(page) == "申し込みを受け付けました"
    assert page.locator(".reference").inner_text().strip() == reference
    assert "すでに受け付けています" in page.locator("main").inner_text()
    page.reload()
    assert h1(page) == "申し込みを受け付けました"
    # Back twice: the request form, which Chromium fills in again as it was (but the fields
    # marked autocomplete=off, which the seeker types again); sent again.
    page.go_back()
    assert h1(page) == "申し込み内容の入力" and page.locator("#name").input_value() == "戻る 太郎"
    fill_valid(page, 9)
    page.fill("#name", "戻る 太郎")
    navigate(page, lambda: page.click(SUBMIT))
    assert page.locator(".reference").inner_text().strip() == reference
    assert len(rows(portal, "SELECT id FROM booking_requests WHERE name LIKE '戻る%'")) == 1


@pytest.mark.parametrize("slug", ["abashiri", "mothers-hiroshima"])
def test_keyboard_only_private_page_and_search(desktop, portal, slug):
    tab = desktop
    reference, _wish = book(tab, slug, slot_index=11)
    kb = Keyboard(tab)
    kb.follow(".private-link a")
    assert h1(tab) == "申し込みの状況"
    main = tab.locator("main").inner_text()
    assert reference in main and "受付済み" in main and "末尾4桁 5678" in main
    assert VALID["seeker_number"] not in main and VALID["phone"] not in main
    assert tab.locator('main a[href*="/status/cancel"]').count() == 0   # neither seed office lists online
    kb.follow(".receipt a[href*='/terms/']")
    assert "利用規約" in h1(tab)
    tab.go_back()
    # Without the link: the search by reference and 求職番号, from the start page.
    tab.goto(f"/{slug}/booking/")
    kb.follow(f'a[href="/{slug}/booking/find"]')
    assert h1(tab) == "申し込みを確かめる"
    kb.type_into("#reference", reference.lower())
    kb.type_into("#number", VALID["seeker_number"])
    kb.follow("main button[type=submit]")
    assert h1(tab) == "申し込みの状況" and reference in tab.locator("main").inner_text()
    kb.no_sideways_scroll()
    assert not kb.errors, kb.errors


def test_book_open_link_cancel_and_staff_see_it(online_tab, browser, online_portal):
    tab = online_tab
    reference, _wish = book(tab, ONLINE_OFFICE, slot_index=3)
    kb = Keyboard(tab)
    kb.follow(".private-link a")
    assert "受付済み" in tab.locator("main").inner_text()
    kb.follow('main a[href*="/status/cancel"]')
    assert h1(tab) == "申し込みのキャンセル"
    kb.follow("main button[type=submit]")
    assert h1(tab) == "申し込みの状況"
    main = tab.locator("main").inner_text()
    assert "申し込みをキャンセルしました。" in main and "キャンセル済み" in main
    assert tab.locator('main a[href*="/status/cancel"]').count() == 0
    assert not kb.errors, kb.errors

    staff_context = _context(browser, online_portal, DESKTOP)
    try:
        page = staff_context.new_page()
        skb = Keyboard(page)
        page.goto(f"/staff/{ONLINE_OFFICE}/?status=cancelled")
        log_in(skb, "aki")
        assert page.locator(f'a:text-is("{reference}")').count() == 1
        skb.follow(f'a[href="/staff/{ONLINE_OFFICE}/requests/{reference}"]')
        history = page.locator("main").inner_text()
        assert "キャンセル" in history and "オンライン" in history
    finally:
        staff_context.close()


def test_on_the_session_day_the_page_names_the_same_day_channels(online_tab, online_portal):
    tab = online_tab
    reference, wish = book(tab, ONLINE_OFFICE, slot_index=4)
    link = tab.locator(".private-link a").get_attribute("href")
    start = datetime.datetime.fromisoformat(wish).replace(tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    with db.engine_of(online_portal.app).begin() as conn:
        rid = conn.execute(text("SELECT id FROM booking_requests WHERE reference = :r"), {"r": reference}).scalar_one()
        conn.execute(text("INSERT INTO appointments (request_id, office_slug, starts_at, place_no) "
                          "VALUES (:i, :o, :s, 1)"),
                     {"i": rid, "o": ONLINE_OFFICE, "s": start.astimezone(UTC).replace(tzinfo=None)})
        conn.execute(text("UPDATE booking_requests SET status = 'confirmed' WHERE id = :i"), {"i": rid})
    online_portal.clock.now = start - datetime.timedelta(hours=1)   # that morning
    try:
        kb = Keyboard(tab)
        tab.goto(link)
        main = tab.locator("main").inner_text()
        assert "日時確定" in main
        assert "この画面からはキャンセルできません。電話でご連絡ください" in main   # 網走: 当日は電話のみ
        assert tab.locator('main a[href*="/status/cancel"]').count() == 0
        assert tab.locator('.contact a[href^="tel:"]').count() == 1
        assert not kb.errors, kb.errors
    finally:
        online_portal.clock.now = NOW
    assert rows(online_portal, "SELECT status FROM booking_requests WHERE reference = :r", r=reference) == [("confirmed",)]
    assert REFERENCE.match(reference)
