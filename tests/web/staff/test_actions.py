"""Staff actions through the real app and database: confirm, details, cancel, no-show, completed,
next session, history flag, schedule and CSV; each refused when the office rules say no."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.web.state import state_of
from portal import staffrules as sr
from portal.web import db
from portal.web.staff import services
from portal.web.models import Appointment

from ..conftest import soup
from .conftest import FIRST_SLOT, StaffClient, add_staff, audit_rows, book, request_row, tokyo


def appointments(app) -> list[tuple]:
    with db.engine_of(app).connect() as conn:
        return list(conn.execute(text("SELECT request_id, place_no, details_channel FROM appointments ORDER BY request_id")))


def test_queue_lists_new_requests_first_and_filters(staff_app, aki, clock):
    first = book(staff_app)
    clock.now += datetime.timedelta(minutes=5)
    second = book(staff_app, slot1="2026-05-08T09:30")
    aki.act("abashiri", first, "confirm", slot=FIRST_SLOT["abashiri"])
    page = soup(aki.get("/staff/abashiri/"))
    refs = [a.get_text() for a in page.select("tbody a")]
    assert refs == [second, first]   # the new one first, the confirmed one after
    only_new = soup(aki.get("/staff/abashiri/?status=requested"))
    assert [a.get_text() for a in only_new.select("tbody a")] == [second]
    by_day = soup(aki.get("/staff/abashiri/?date=2026-05-08"))
    assert [a.get_text() for a in by_day.select("tbody a")] == [second]
    wrong = aki.get("/staff/abashiri/?date=yesterday")   # the whole queue, and why the day was ignored
    assert wrong.status_code == 200 and len(soup(wrong).select("tbody a")) == 2
    assert "日付「yesterday」は読めませんでした" in soup(wrong).select_one(".notice--error").get_text()


def test_an_impossible_date_on_the_schedule_or_the_export_is_explained(staff_app, aki, clock):
    page = soup(aki.get("/staff/abashiri/schedule?date=2026-02-30"))
    assert "日付「2026-02-30」は読めませんでした" in page.select_one(".notice--error").get_text()
    assert page.h1 is not None   # today's schedule instead
    response = aki.get("/staff/abashiri/export.csv?from=x")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/abashiri/")
    assert "日付「x」は読めませんでした" in soup(aki.get("/staff/abashiri/")).select_one(".notice--error").get_text()


def test_detail_shows_answers_and_consent_with_stored_text(staff_app, aki):
    reference = book(staff_app, name="網走 花子")
    page = soup(aki.get(f"/staff/abashiri/requests/{reference}"))
    text_ = page.get_text()
    assert "網走　花子" in text_ and "01234-12345678" in text_ and "09012345678" not in text_
    assert "090-1234-5678" in text_
    assert "利用規約の版" in text_ and "同意した日時" in text_
    link = page.find("a", string="保存されている利用規約の全文を見る")["href"]
    terms = soup(aki.get(link))
    assert "第4条（利用申込み等）" in terms.find("pre").get_text()


def test_a_phone_typed_full_width_reads_half_width_on_every_staff_page(staff_app, aki):
    reference = book(staff_app, name="全角 電話", phone="０１１（８５３）０１０１")
    detail = soup(aki.get(f"/staff/abashiri/requests/{reference}")).get_text()
    assert "011(853)0101" in detail and "０１１（８５３）０１０１" in detail   # what was typed, beside it
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    assert "011(853)0101" in soup(aki.get("/staff/abashiri/schedule?date=2026-05-07")).get_text()
    csv = aki.get("/staff/abashiri/export.csv").get_data().decode("utf-8-sig")
    assert "011-853-0101" in csv and "０１１" not in csv   # hyphens only: spreadsheets keep the 0


def test_full_course_confirm_details_complete(staff_app, aki, clock):
    reference = book(staff_app)
    assert aki.act("abashiri", reference, "contact", outcome="not_reached") == ["連絡の記録を残しました。"]
    assert "日時を確定しました" in aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])[0]
    assert aki.act("abashiri", reference, "details", channel="phone") == ["接続情報の連絡を記録しました。"]
    assert appointments(staff_app)[0][1:] == (1, "phone")
    clock.now = tokyo(2026, 5, 7, 9, 29)
    assert "開始時刻より前" in aki.act("abashiri", reference, "complete")[0]
    clock.now = tokyo(2026, 5, 7, 9, 31)
    assert aki.act("abashiri", reference, "complete") == ["実施済みにしました。"]
    assert request_row(staff_app, reference).status == sr.COMPLETED
    events = soup(aki.get(f"/staff/abashiri/requests/{reference}")).select("tbody tr")
    assert [tr.find_all("td")[2].get_text() for tr in events] == [
        "連絡（電話など）", "日時の確定", "接続情報の連絡", "実施済み"]
    assert all(tr.find_all("td")[1].get_text() == "aki" for tr in events)


@pytest.mark.parametrize(("minute", "allowed"), [(30, False), (39, False), (40, True), (55, True)])
def test_no_show_only_from_start_plus_ten_minutes(staff_app, aki, clock, minute, allowed):
    reference = book(staff_app)
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    clock.now = tokyo(2026, 5, 7, 9, minute)
    messages = aki.act("abashiri", reference, "no-show")
    status = request_row(staff_app, reference).status
    if allowed:
        assert status == sr.NO_SHOW and messages == ["連絡なしキャンセルとして記録しました。"]
    else:
        assert status == sr.CONFIRMED and "10分後" in messages[0] and "9：40" in messages[0]


@pytest.mark.parametrize(("status_steps", "action", "data"), [
    ([], "no-show", {}),                           # not confirmed yet
    ([], "complete", {}),
    ([], "details", {"channel": "phone"}),
    ([], "next", {"slot": "2026-05-08T09:30"}),
    (["cancel"], "confirm", {"slot": FIRST_SLOT["abashiri"]}),
    (["cancel"], "cancel", {"channel": "phone"}),
    (["confirm"], "confirm", {"slot": "2026-05-08T09:30"}),
])
def test_refused_transitions_change_nothing(staff_app, aki, status_steps, action, data):
    reference = book(staff_app)
    for step in status_steps:
        aki.act("abashiri", reference, step, slot=FIRST_SLOT["abashiri"], channel="phone")
    before = request_row(staff_app, reference).status
    messages = aki.act("abashiri", reference, action, **data)
    assert "はできません" in messages[0]
    assert request_row(staff_app, reference).status == before


@pytest.mark.parametrize(("slot", "message"), [
    ("2026-05-01T09:30", "すでに過ぎて"),
    ("2026-05-09T09:30", "行っていません"),          # Saturday
    ("2026-05-07T12:00", "時間枠ではありません"),
    ("garbage", "正しくありません"),
])
def test_confirm_refused_outside_the_rules(staff_app, aki, slot, message):
    reference = book(staff_app)
    assert message in aki.act("abashiri", reference, "confirm", slot=slot)[0]
    assert request_row(staff_app, reference).status == sr.REQUESTED


def test_cancel_records_channel_and_same_day_and_frees_the_place(staff_app, aki, clock):
    first, second = book(staff_app), book(staff_app)
    aki.act("abashiri", first, "confirm", slot=FIRST_SLOT["abashiri"])
    assert "満員" in aki.act("abashiri", second, "confirm", slot=FIRST_SLOT["abashiri"])[0]
    clock.now = tokyo(2026, 5, 7, 8, 0)
    messages = aki.act("abashiri", first, "cancel", channel="email")
    # ハローワーク網走 takes same-day cancellations by phone only: recorded, with a note.
    assert "当日のキャンセルの連絡方法に「メール」は含まれていません" in messages[0]
    with db.engine_of(staff_app).connect() as conn:
        ev = conn.execute(text("SELECT outcome, same_day FROM request_events WHERE action='cancel'")).one()
    assert ev == ("email", True)
    assert "日時を確定しました" in aki.act("abashiri", second, "confirm", slot=FIRST_SLOT["abashiri"])[0]


def test_next_session_for_the_same_seeker(staff_app, aki, clock):
    reference = book(staff_app)
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    clock.now = tokyo(2026, 5, 7, 9, 45)   # during the session
    message = aki.act("abashiri", reference, "next", slot="2026-05-14T09:30")[0]
    new = message.split("受付番号 ")[1].rstrip("）。")
    row = request_row(staff_app, new)
    assert row.status == sr.CONFIRMED and row.seeker_number == "01234-12345678"
    page = soup(aki.get(f"/staff/abashiri/requests/{new}"))
    assert page.find("a", string=reference)
    assert "利用規約の版" in page.get_text()   # the consent record came along


def test_history_flag_cites_the_terms_clause(staff_app, aki, clock):
    earlier = book(staff_app, seeker_number="０１２３４ー１２３４５６７８")  # full-width: same number
    aki.act("abashiri", earlier, "confirm", slot=FIRST_SLOT["abashiri"])
    clock.now = tokyo(2026, 5, 7, 9, 41)
    aki.act("abashiri", earlier, "no-show")
    later = book(staff_app, slot1="2026-05-11T09:30")
    flag = soup(aki.get(f"/staff/abashiri/requests/{later}")).select_one(".notice--flag")
    assert flag is not None
    assert "第4条（利用申込み等）" in flag.get_text() and earlier in flag.get_text()
    assert "担当者が判断" in flag.get_text()
    # nothing is refused: the request can still be confirmed
    assert "日時を確定しました" in aki.act("abashiri", later, "confirm", slot="2026-05-11T09:30")[0]


def test_schedule_lists_the_day_with_free_places(staff_app, aki):
    reference = book(staff_app, name="予定 一郎")
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    page = soup(aki.get("/staff/abashiri/schedule?date=2026-05-07"))
    rows = page.select("tbody tr")
    assert len(rows) == 10   # 9:30–12:00 and 13:30–16:00 in 30-minute slots, capacity 1
    cells = [td.get_text() for td in rows[0].find_all("td")]
    assert cells[0] == "9：30～10：00" and cells[2] == reference and cells[3] == "予定　一郎"
    assert "free" in rows[1]["class"]
    assert page.find("link", href="/assets/staff.css")


def test_export_holds_only_the_office_rows_with_bom_and_neutralised_cells(staff_app, aki):
    own = book(staff_app, name="=HYPERLINK(1)", companion_note="")
    other = book(staff_app, "mothers-hiroshima", name="広島 他子")
    response = aki.get("/staff/abashiri/export.csv")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "受付番号" and [r[0] for r in rows[1:]] == [own]
    assert rows[1][4] == "'=HYPERLINK(1)"
    assert other not in body.decode("utf-8-sig") and "広島" not in body.decode("utf-8-sig")


def test_capacity_is_held_by_the_database(staff_app, database_url):
    """Even a service that skipped the count check cannot put two seekers in a one-place slot."""
    a, b = book(staff_app), book(staff_app)
    office = state_of(staff_app).offices["abashiri"]
    start = tokyo(2026, 5, 7, 9, 30)
    now = tokyo(2026, 5, 1, 10, 0)
    with Session(db.engine_of(staff_app)) as s:
        services.confirm(s, office, state_of(staff_app).policy(office), a, 1, start, now)
    with Session(db.engine_of(staff_app)) as s, pytest.raises(IntegrityError):
        s.add(Appointment(request_id=request_row(staff_app, b).id, office_slug="abashiri", starts_at=start,
                          place_no=1))
        s.commit()


def test_queue_search_finds_by_reference_number_phone_or_name(staff_app, aki, clock):
    first = book(staff_app)
    row = request_row(staff_app, first)
    number, phone = row.seeker_number, row.phone
    clock.now += datetime.timedelta(minutes=5)
    second = book(staff_app, slot1="2026-05-08T09:30")

    def found(q: str) -> list[str]:
        return [a.get_text() for a in soup(aki.get("/staff/abashiri/", query_string={"q": q})).select("tbody a")]

    assert found(first.lower().replace("-", "")) == [first]            # reference, any case, dash optional
    digits = number.replace("-", "")
    assert found(digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == [second, first]
    assert found(phone) == [second, first]
    assert found("網走　花子") == found("花子 網走") == found("あばしり") == found("ﾊﾅｺ") == [second, first]
    assert found("存在しない名前") == []
    assert found("%") == []                                            # LIKE wildcards are plain text
    assert not [r for r in audit_rows(staff_app) if phone in (r.detail or "")]   # the audit says only that a search ran


def test_queue_pages_through_more_than_a_page(staff_app, aki, clock, monkeypatch):
    from portal.web.staff import queries as staff_queries

    monkeypatch.setattr(staff_queries, "PER_PAGE", 2)
    refs = []
    for _ in range(5):
        refs.append(book(staff_app))
        clock.now += datetime.timedelta(minutes=1)
    newest_first = refs[::-1]
    seen, url = [], "/staff/abashiri/?status=requested"
    while url:
        page = soup(aki.get(url))
        seen += [a.get_text() for a in page.select("tbody a")]
        nxt = page.select_one("a[rel=next]")
        url = nxt["href"] if nxt else None
        if url:
            assert "status=requested" in url
    assert seen == newest_first
    assert aki.get("/staff/abashiri/?page=0").status_code == 400
    assert aki.get("/staff/abashiri/?page=x").status_code == 400


def test_a_longer_horizon_reaches_the_staff_console(make_app, content):
    # Abashiri offers 42 days ahead: a wish 40 days out must be confirmable, not cut at 28 days.
    yaml_path = content / "abashiri" / "office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("horizon_days: 28", "horizon_days: 42", 1),
                         encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                   STAFF_MFA_REQUIRED="none")
    add_staff(app, "aki", "abashiri:office_admin")
    staff = StaffClient(app)
    assert staff.login("aki").status_code == 303
    day_40 = "2026-06-10T09:30"   # Wednesday, 40 days after NOW (Friday 1 May)
    reference = book(app, slot1=day_40)
    page = soup(staff.get(f"/staff/abashiri/requests/{reference}"))
    offered = [o["value"] for o in page.select("select#slot option")]
    assert offered[1] == day_40   # the seeker's wish first
    assert max(offered) == "2026-06-12T15:30"   # the 42nd day's last slot, and nothing after
    assert "日時を確定しました" in staff.act("abashiri", reference, "confirm", slot=day_40)[0]


def test_a_hand_made_confirm_beyond_the_horizon_is_refused(staff_app, aki):
    """The slot list stops at the office's horizon; a POST typed by hand cannot go past it (issue 14)."""
    reference = book(staff_app)
    beyond = "2026-06-30T09:30"   # a Tuesday on the grid, 60 days after NOW: past the 28-day horizon
    messages = aki.act("abashiri", reference, "confirm", slot=beyond)
    assert any("日先までの枠です" in m for m in messages), messages
    assert request_row(staff_app, reference).status == "requested"
