"""A slot whose confirmed appointments fill its capacity is neither offered nor accepted
(portal/web/places.py counts the places; portal.rules decides), with staff confirming through the
real console and seekers walking the real booking flow."""
from __future__ import annotations

import datetime

import pytest
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.places import taken_between

from .conftest import Seeker, rows, soup
from .staff.conftest import FIRST_SLOT, StaffClient, add_staff, book, tokyo

SLOT, NEXT = FIRST_SLOT["abashiri"], "2026-05-07T10:00"


def _staff(app) -> StaffClient:
    add_staff(app, "aki", "abashiri:office_admin")
    staff = StaffClient(app)
    assert staff.login("aki").status_code == 303
    return staff


@pytest.fixture
def staff_app(make_app):
    return make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                    STAFF_MFA_REQUIRED="none")


def _offered(seeker: Seeker) -> list[str]:
    page = soup(seeker.form_page())
    return [i["value"] for i in page.find_all("input", {"type": "radio", "name": "slot1"}) if i["value"]]


def _confirm(staff: StaffClient, app, slot: str) -> None:
    notes = staff.act("abashiri", book(app, slot1=slot), "confirm", slot=slot)
    assert "日時を確定しました" in notes[0], notes


def test_a_full_slot_is_not_offered(staff_app):
    staff = _staff(staff_app)
    seeker = Seeker(staff_app.test_client(), "abashiri")
    seeker.pass_eligibility()
    assert SLOT in _offered(seeker)
    _confirm(staff, staff_app, SLOT)            # capacity 1: the place is taken
    offered = _offered(seeker)
    assert SLOT not in offered and NEXT in offered
    with Session(db.engine_of(staff_app)) as s:
        assert taken_between(s, "abashiri", tokyo(2026, 5, 7, 0), tokyo(2026, 5, 8, 0)) == {
            tokyo(2026, 5, 7, 9, 30): 1}


def test_a_slot_filled_before_submit_is_refused_and_the_answers_stay(staff_app):
    staff = _staff(staff_app)
    seeker = Seeker(staff_app.test_client(), "abashiri")
    seeker.pass_eligibility()
    check = seeker.check(slot1=NEXT, name="窓口 太郎")
    assert "申し込み内容の確認" in soup(check).title.get_text()
    _confirm(staff, staff_app, NEXT)            # someone else's request got the last place
    before = rows(staff_app, "booking_requests")
    response = seeker.confirm(check)
    page = soup(response)
    assert response.status_code == 200
    assert "この日時は予約がいっぱいになりました" in page.select_one(".error-summary").get_text()
    assert page.find("input", {"name": "name"})["value"] == "窓口　太郎"   # nothing typed is lost
    assert rows(staff_app, "booking_requests") == before
    # The check page refuses it too, and another slot goes through.
    assert "予約がいっぱい" in soup(seeker.check(slot1=NEXT)).select_one(".error-summary").get_text()
    assert seeker.confirm(seeker.check(slot1=SLOT)).status_code == 302


def test_a_slot_with_capacity_two_stays_offered_until_both_places_are_held(make_app, content):
    path = content / "abashiri" / "office.yaml"
    text = path.read_text(encoding="utf-8")
    assert "capacity: 1" in text
    path.write_text(text.replace("capacity: 1", "capacity: 2", 1), encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024,
                   STAFF_RATELIMIT_LOGIN="1000 per minute", STAFF_MFA_REQUIRED="none")
    staff = _staff(app)
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    _confirm(staff, app, SLOT)
    assert SLOT in _offered(seeker)
    _confirm(staff, app, SLOT)
    assert SLOT not in _offered(seeker)


def test_the_count_is_one_grouped_query_per_page(staff_app):
    from sqlalchemy import event

    seeker = Seeker(staff_app.test_client(), "abashiri")
    seeker.pass_eligibility()
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if "appointments" in statement:
            seen.append(statement)

    engine = db.engine_of(staff_app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        seeker.form_page()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "GROUP BY" in seen[0]
