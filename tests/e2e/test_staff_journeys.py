"""Staff journeys in a real browser: log in, find a seeker's request in the queue, confirm it for
one of the wished slots, and see it on that day's schedule (keyboard only); staff of another
office, who cannot open it; and a week of the office run in the console alone."""
from __future__ import annotations

import datetime

import pytest

from .conftest import NOW as NOW_E2E
from .conftest import STAFF_PASSWORD
from .steps import Keyboard, book, h1

pytestmark = pytest.mark.e2e


def log_in(kb: Keyboard, username: str) -> None:
    """Type the user name and password on the login page and press Enter."""
    assert h1(kb.page) == "職員ログイン"
    kb.type_into("#username", username)
    kb.type_into("#password", STAFF_PASSWORD)
    with kb.page.expect_navigation():
        kb.page.keyboard.press("Enter")


@pytest.fixture
def seeker_request(browser, portal):
    """A request a seeker made at ハローワーク網走 (in a tab of their own): its reference and the
    slot wished (the fifth open one, which no other test takes)."""
    context = browser.new_context(base_url=portal.url)
    try:
        return book(context.new_page(), "abashiri", slot_index=5)
    finally:
        context.close()


def test_staff_confirm_a_request_and_see_it_on_the_schedule(desktop, staff, seeker_request):
    kb, page = Keyboard(desktop), desktop
    seeker_request, wish = seeker_request
    # Opening the queue asks for a login first, then comes back to the queue.
    page.goto("/staff/abashiri/")
    assert "/staff/login" in page.url
    log_in(kb, "aki")
    assert page.url.endswith("/staff/abashiri/") and h1(page) == "申し込み一覧"

    row = page.locator("tr", has=page.locator(f'a:text-is("{seeker_request}")'))
    assert "新規（日時未確定）" in row.inner_text()
    kb.follow(f'a[href="/staff/abashiri/requests/{seeker_request}"]')
    assert h1(page) == f"申し込み {seeker_request}"
    assert "アバシリ" in page.locator("main").inner_text()

    # The wished slots come first in the list: the first is the seeker's first wish.
    kb.tab_to("#slot")
    page.keyboard.press("ArrowDown")
    assert page.locator("#slot").input_value() == wish
    kb.follow('form[action$="/confirm"] button[type=submit]')
    assert "日時を確定しました" in page.locator(".notice--ok").inner_text()
    assert "状態：予約確定" in page.locator(".office-name").inner_text()

    # That day's schedule lists it at its time with the seeker's name and phone.
    day, time = wish.split("T")
    page.goto(f"/staff/abashiri/schedule?date={day}")
    assert f"{int(day[5:7])}月{int(day[8:])}日" in h1(page)
    booked = page.locator("tr", has=page.locator(f'a:text-is("{seeker_request}")'))
    assert booked.count() == 1
    text = booked.inner_text()
    assert time.lstrip("0") in text.replace("：", ":") and "網走" in text and "090-1234-5678" in text
    assert "予約確定" in text
    assert not kb.errors, kb.errors


def test_staff_of_another_office_cannot_open_it(desktop, staff, seeker_request):
    kb, page = Keyboard(desktop), desktop
    seeker_request, wish = seeker_request
    page.goto(f"/staff/abashiri/requests/{seeker_request}")
    log_in(kb, "hiro")   # comes back to the request it asked for: refused
    response = page.goto(f"/staff/abashiri/requests/{seeker_request}")
    assert response.status == 403
    main = page.locator("main").inner_text()
    assert seeker_request not in main and "網走" not in main and "090-1234-5678" not in main
    assert h1(page) == "このページを表示する権限がありません"
    assert page.goto("/staff/abashiri/").status == 403
    assert page.goto(f"/staff/abashiri/schedule?date={wish[:10]}").status == 403
    # Their own console offers only their own office.
    page.goto("/staff/")
    offices = page.locator("main .office-todo").inner_text()
    assert "マザーズハローワーク広島" in offices and "網走" not in offices


def take_booking(page, slot: str, channel: str, method: str, name: str, kana: str, phone: str) -> str:
    """Enter a booking taken by phone or at the counter; returns its reference."""
    page.goto("/staff/abashiri/new")
    assert h1(page) == "予約の登録（電話・窓口・相談中）"
    page.check(f"input[name=channel][value={channel}]")
    page.select_option("#slot", slot)
    page.fill("#name", name)
    page.fill("#kana", kana)
    page.fill("#seeker_number", "12345-12345678")
    page.fill("#phone", phone)
    page.check(f"input[name=consent_method][value={method}]")
    page.check("#consent")
    with page.expect_navigation():
        page.click("form button[type=submit]:text('予約を登録する')")
    notice = page.locator(".notice--ok").inner_text()
    assert "予約を登録しました" in notice, notice
    return notice.split("受付番号 ")[1].rstrip("）。")


def act(page, action: str, **choices: str) -> str:
    """Submit an action's form on the detail page (confirming where asked); the flashed message."""
    form = page.locator(f'form[action$="/{action}"]')
    for name, value in choices.items():
        if name == "slot":
            form.locator("select").select_option(value or None, index=None if value else 1)
        else:
            form.locator(f"input[name={name}][value={value}]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if page.locator('input[name=confirmed]').count():        # "are you sure?" first
        assert "よろしいですか" in page.locator("main").inner_text()
        with page.expect_navigation():
            page.click("form:has(input[name=confirmed]) button[type=submit]")
    return page.locator(".notice--ok, .notice--error").first.inner_text()


def test_a_week_of_the_office_runs_in_the_console(desktop, staff, seeker_request, portal):
    """Portal, phone and counter bookings, a reschedule, a cancellation undone and a no-show."""
    kb, page = Keyboard(desktop), desktop
    reference, _wish = seeker_request
    page.goto("/staff/")
    log_in(kb, "aki")
    assert "未着手の申し込み" in page.locator("main").inner_text()
    page.goto(f"/staff/abashiri/requests/{reference}")
    assert "日時を確定しました" in act(page, "confirm", slot="")     # the first free slot (wishes first)

    phone = take_booking(page, "2026-05-26T09:30", "phone", "oral", "電話 一郎", "デンワ イチロウ", "090-2222-3333")
    counter = take_booking(page, "2026-05-26T10:00", "counter", "paper", "窓口 二郎", "マドグチ ジロウ", "0152-44-0000")

    page.goto(f"/staff/abashiri/requests/{phone}")
    assert "日時を変更しました" in act(page, "reschedule", slot="2026-05-27T09:30")
    assert "キャンセルを記録しました" in act(page, "cancel", channel="phone")
    assert "状態：キャンセル" in page.locator(".office-name").inner_text()
    assert "取り消しました" in act(page, "undo")
    assert "状態：予約確定" in page.locator(".office-name").inner_text()

    page.goto(f"/staff/abashiri/requests/{counter}")
    assert page.locator('form[action$="/no-show"]').count() == 0          # not before 10:10
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    portal.clock.now = datetime.datetime(2026, 5, 26, 10, 11, tzinfo=tokyo)
    try:
        page.reload()
        log_in(kb, "aki")           # the session idled out over the weeks the clock jumped
        assert page.url.endswith(f"/requests/{counter}")
        assert "連絡なしキャンセルとして記録しました" in act(page, "no-show")
        page.goto("/staff/abashiri/week?date=2026-05-26")
        week = page.locator("main").inner_text()
        assert phone in week and counter in week and "連絡なしキャンセル" in week
        day = page.locator('section[aria-labelledby="day-2026-05-27"]').inner_text()
        assert phone in day and "予約確定" in day
    finally:
        portal.clock.now = NOW_E2E


def test_an_office_admin_adds_a_colleague_who_changes_the_password(browser, portal, desktop, staff):
    """In the browser only: kanri adds an account, the colleague logs in and sets their own
    password, and kanri disables it again."""
    kb, page = Keyboard(desktop), desktop
    page.goto("/staff/abashiri/accounts")
    log_in(kb, "kanri")
    assert h1(page) == "職員アカウント"
    first = "first password 2026"
    kb.type_into("#username", "shinnin")
    kb.type_into("#display_name", "網走 新任")
    kb.tab_to("#role-0")
    page.keyboard.press("Space")
    kb.type_into("#password", first)
    kb.type_into("#again", first)
    kb.follow('form[aria-labelledby="add-title"] button[type=submit]')
    assert "職員「shinnin」を追加しました" in page.locator(".notice--ok").inner_text()
    assert "shinnin" in page.locator("main table").inner_text()

    context = browser.new_context(base_url=portal.url)
    try:
        colleague = context.new_page()
        other = Keyboard(colleague)
        colleague.goto("/staff/password")
        assert h1(colleague) == "職員ログイン"
        other.type_into("#username", "shinnin")
        other.type_into("#password", first)
        with colleague.expect_navigation():
            colleague.keyboard.press("Enter")
        assert h1(colleague) == "パスワードの変更"
        own = "my own passphrase 2026"
        other.type_into("#current", first)
        other.type_into("#new", own)
        other.type_into("#again", own)
        other.follow("main form[novalidate] button[type=submit]")
        assert "パスワードを変更しました" in colleague.locator(".notice--ok").inner_text()
        assert not other.errors, other.errors

        kb.follow('a[href="/staff/abashiri/accounts/shinnin"]')
        kb.follow('form[action$="/disable"] button[type=submit]')
        assert "無効にしました" in page.locator(".notice--ok").inner_text()
        assert "/staff/login" in colleague.goto("/staff/abashiri/").url   # the session ended at once
    finally:
        context.close()
    assert not kb.errors, kb.errors
