"""Slot rules enforced by the portal with a fixed clock: closed days, the cut-off on the previous
business day, and each office's windows. (The pure rules have their own tables in
tests/test_rules.py; here the same cases go through the form and the slot list.)"""
from __future__ import annotations

import datetime

import pytest

from portal.web import db

from ..conftest import Seeker, soup

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
OK = None


@pytest.fixture
def database_url(tmp_path):
    """Slot rules do not depend on the database: a SQLite file is enough here."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    db.migrate(url)
    return url


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


CASES = [
    # (office, now in Tokyo, slot asked for, None or part of the message)
    ("abashiri", at(2026, 5, 1, 10), "2026-05-06T09:30", "閉庁日"),              # 振替休日
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T09:30", OK),                   # cut-off Fri 5/1 17:00
    ("abashiri", at(2026, 5, 1, 17), "2026-05-07T09:30", "前日（閉庁日を除く）の17：00まで"),
    ("abashiri", at(2026, 5, 1, 17), "2026-05-08T09:30", OK),
    ("abashiri", at(2026, 9, 18, 10), "2026-09-21T10:00", "閉庁日"),             # 敬老の日
    ("abashiri", at(2026, 9, 18, 10), "2026-09-22T10:00", "閉庁日"),             # 国民の休日
    ("abashiri", at(2026, 9, 18, 10), "2026-09-23T10:00", "閉庁日"),             # 秋分の日
    ("abashiri", at(2026, 9, 18, 16, 59), "2026-09-24T10:00", OK),
    ("abashiri", at(2026, 9, 18, 17), "2026-09-24T10:00", "前日（閉庁日を除く）の17：00まで"),
    *[("abashiri", at(2025, 12, 26, 10), f"{d}T10:00", "閉庁日")
      for d in ("2025-12-29", "2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02")],
    ("abashiri", at(2025, 12, 26, 16, 59), "2026-01-05T10:00", OK),
    ("abashiri", at(2025, 12, 26, 17), "2026-01-05T10:00", "前日（閉庁日を除く）の17：00まで"),
    ("abashiri", at(2025, 12, 26, 17), "2026-01-06T10:00", OK),
    # Abashiri: 9:30-12:00 and 13:30-16:00; Hiroshima: 10:00-16:00
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T09:30", OK),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T09:30", "受付時間外"),
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T12:00", "受付時間外"),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T12:00", OK),
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T13:00", "受付時間外"),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T13:00", OK),
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T15:30", OK),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T15:30", OK),
    ("abashiri", at(2026, 5, 1, 10), "2026-05-07T16:00", "受付時間外"),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T16:00", "受付時間外"),
    ("mothers-hiroshima", at(2026, 5, 1, 10), "2026-05-07T10:15", "30分ごと"),
]


@pytest.mark.parametrize(("slug", "now", "slot", "message"), CASES)
def test_slot_rules_through_the_form(app, clock, slug, now, slot, message):
    clock.now = now
    seeker = Seeker(app.test_client(), slug)
    seeker.pass_eligibility()
    page = soup(seeker.check(slot1=slot))
    if message is OK:
        assert page.h1.get_text() == "申し込み内容の確認", page.select_one(".error-summary")
    else:
        assert message in page.select_one(".error-summary").get_text()
        form = soup(seeker.form_page())
        assert slot not in {o["value"] for o in form.select("input[type=radio]")}, "a refused slot must not be listed"


@pytest.mark.parametrize(("now", "first_day"), [
    (at(2026, 5, 1, 10), "2026-05-07"),     # GW: 5/4-5/6 closed
    (at(2026, 5, 1, 17), "2026-05-08"),
    (at(2026, 9, 18, 10), "2026-09-24"),    # シルバーウィーク 9/19-9/23
    (at(2025, 12, 26, 10), "2026-01-05"),   # 年末年始
    (at(2025, 12, 26, 17), "2026-01-06"),
])
def test_first_listed_day(app, clock, now, first_day):
    clock.now = now
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    values = [""] + [o["value"] for o in soup(seeker.form_page()).select('input[name="slot1"]')]
    assert values[1].startswith(first_day)
    last = datetime.date.fromisoformat(values[-1][:10])
    assert last <= now.date() + datetime.timedelta(days=28)


def test_office_open_on_saturdays_lists_and_takes_saturday_slots(make_app, clock, saturday_office):
    # Sessions Tue, Thu and Sat; requests close 3 open days before, Saturdays counted.
    app = make_app(CONTENT_DIR=str(saturday_office.parent))
    clock.now = at(2026, 5, 15, 16, 59)   # Friday: Tuesday 5/19 closes now (Mon, Sat, Fri)
    seeker = Seeker(app.test_client(), saturday_office.name)
    seeker.pass_eligibility()
    form = soup(seeker.form_page())
    values = [o["value"] for o in form.select('input[name="slot1"]')]
    assert values[0] == "2026-05-19T10:00"
    assert any(v.startswith("2026-05-23T") for v in values)   # a Saturday
    assert {datetime.date.fromisoformat(v[:10]).weekday() for v in values} == {1, 3, 5}
    assert "相談日の3開庁日前（開庁日は月曜日から土曜日まで）17:00まで" in form.get_text()
    assert soup(seeker.check(slot1="2026-05-23T10:00")).h1.get_text() == "申し込み内容の確認"
    clock.now = at(2026, 5, 15, 17)
    page = soup(seeker.check(slot1="2026-05-19T10:00"))
    assert "予約は3開庁日前（開庁日は月曜日から土曜日まで）の17:00までです" in page.select_one(".error-summary").get_text()
