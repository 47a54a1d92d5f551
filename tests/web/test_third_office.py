"""An office with its own rules on every axis (tests/fixtures/offices/mikazuki) books through the
portal as its office.yaml says: wording, e-mail, delivery rule, capacity 2, the no-show quote on
the staff page, and the purge by the retention of the terms version each seeker agreed to."""
from __future__ import annotations

import datetime

import pytest
from sqlalchemy import text

from portal.web import db

from tests.conftest import THIRD_OFFICE
from .conftest import Seeker, soup
from .staff.conftest import StaffClient, add_staff, request_row, tokyo

SLOT = "2026-05-11T10:00"   # a Monday; NOW is Friday 2026-05-01, the deadline two open days before


@pytest.fixture
def third_app(make_app, content, third_office):
    app = make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                   STAFF_IDLE_MINUTES=60 * 24 * 60, STAFF_SESSION_HOURS=24 * 30, STAFF_MFA_REQUIRED="none")
    add_staff(app, "mika", f"{THIRD_OFFICE}:office_admin")
    return app


def book(app, **changes) -> str:
    seeker = Seeker(app.test_client(), THIRD_OFFICE)
    changes.setdefault("slot1", SLOT)
    changes.setdefault("email", "seeker@example.jp")
    response = seeker.book(**changes)
    assert response.status_code == 302, response.status_code
    with seeker.client.session_transaction() as s:
        return s["done"]["reference"]


def test_the_portal_speaks_the_offices_own_rules(third_app):
    client = third_app.test_client()
    start = soup(client.get(f"/{THIRD_OFFICE}/booking/")).get_text()
    assert "Webexを使ったオンラインでの職業相談（1回40分）" in start and "程度" not in start
    assert "メールアドレス" in start   # details come by e-mail: the address is needed at hand
    assert "ハローワーク三日月が日時を確定します" in start
    seeker = Seeker(client, THIRD_OFFICE)
    seeker.pass_eligibility()
    done = seeker.confirm(seeker.check(slot1=SLOT, email="seeker@example.jp"))
    page = soup(client.get(done.headers["Location"])).get_text()
    assert "相談日の前開庁日の17時になっても届かない場合は" in page and "前日になっても" not in page
    assert "電話、電子メール又は予約申込みページでご連絡ください（当日は電話のみ）" in page


def test_two_seekers_share_a_slot_and_staff_see_the_no_show_clause(third_app, clock):
    mika = StaffClient(third_app)
    assert mika.login("mika").status_code == 303
    first, second = book(third_app), book(third_app, name="三日月 次郎")
    assert mika.act(THIRD_OFFICE, first, "confirm", slot=SLOT) and mika.act(THIRD_OFFICE, second, "confirm", slot=SLOT)
    assert {request_row(third_app, r).status for r in (first, second)} == {"confirmed"}   # capacity 2
    clock.now = tokyo(2026, 5, 11, 10, 16)   # 15 minutes without contact have passed
    mika.act(THIRD_OFFICE, first, "no-show")
    clock.now = tokyo(2026, 5, 12, 9, 0)
    again = book(third_app, slot1="2026-05-15T10:00")
    page = soup(mika.get(f"/staff/{THIRD_OFFICE}/requests/{again}")).get_text()
    # 「15分を経過」: found by the {{ no_show.minutes }} placeholder, not by a pattern of the words.
    assert "第2条（利用申込み等）：（3）キャンセルの場合は" in page and "15分を経過した場合は、キャンセルとみなします" in page


def test_each_request_is_purged_by_the_retention_of_the_terms_it_agreed_to(third_app, clock):
    old_terms = book(third_app, name="一年 保存")                 # terms of 2025-04-01: 1年
    clock.now = tokyo(2026, 6, 2, 10, 0)
    new_terms = book(third_app, name="半年 保存", slot1="2026-06-08T10:00")   # revision of 2026-06-01: 6か月
    with db.engine_of(third_app).connect() as conn:
        labels = dict(conn.execute(text("SELECT r.reference, c.revision_label FROM consents c JOIN booking_requests r "
                                        "ON r.id = c.request_id")).all())
    assert labels == {old_terms: "令和7年4月1日制定", new_terms: "令和8年6月1日一部改訂"}

    def purge() -> str:
        result = third_app.test_cli_runner().invoke(args=["staff", "purge"])
        assert result.exit_code == 0, result.output
        return result.output

    clock.now = tokyo(2026, 6, 2, 10, 0) + datetime.timedelta(days=183, minutes=1)
    assert "削除しました: 1件" in purge()
    assert request_row(third_app, new_terms).name == "" and request_row(third_app, old_terms).name == "一年　保存"
    clock.now = tokyo(2026, 5, 1, 10, 0) + datetime.timedelta(days=365, minutes=1)
    assert "削除しました: 1件" in purge()
    assert request_row(third_app, old_terms).name == ""


def test_portal_pages_of_a_draft_carry_the_banner(third_app, make_app, content):
    # content/site.yaml has no public_url: every office is a draft, on the portal too.
    banner = soup(third_app.test_client().get(f"/{THIRD_OFFICE}/booking/")).select_one(".draft-banner")
    assert banner is not None and "public_url" in banner.get_text()
    (content / "site.yaml").write_text("public_url: https://madoguchi.example.jp\n", encoding="utf-8")
    ready = make_app(CONTENT_DIR=str(content))
    assert soup(ready.test_client().get(f"/{THIRD_OFFICE}/booking/")).select_one(".draft-banner") is None
    hiroshima = soup(ready.test_client().get("/mothers-hiroshima/booking/")).select_one(".draft-banner")
    assert "office.phone" in hiroshima.get_text()   # its pages tell seekers to call, without a number
