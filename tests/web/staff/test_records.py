"""The console as the office's record: bookings taken by phone or at the counter, reschedule,
"are you sure?" before cancel/no-show/completed, undo the same day, and a memo per request."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal import staffrules as sr
from portal.web import db

from ..conftest import rows, soup
from .conftest import FIRST_SLOT, audit_rows, book, request_row, tokyo

SEEKER = {"name": "電話 花子", "kana": "でんわ はなこ", "seeker_number": "１２３４５－６７８９０１２３",
          "phone": "090-1111-2222", "email": "", "channel": "phone", "consent_method": "oral", "consent": "y"}


def take(aki, slug: str = "abashiri", **changes):
    """Post the staff booking form; returns the response."""
    return aki.post(f"/staff/{slug}/new", **{**SEEKER, "slot": FIRST_SLOT[slug], **changes})


def reference_of(response) -> str:
    assert response.status_code == 303, response.status_code
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_phone_booking_is_a_confirmed_request_like_any_other(staff_app, aki):
    ref = reference_of(take(aki))
    req = request_row(staff_app, ref)
    assert (req.status, req.channel, req.kana, req.seeker_number) == (sr.CONFIRMED, "phone", "デンワ　ハナコ",
                                                                      "12345-67890123")
    with db.engine_of(staff_app).connect() as conn:
        method, statement = conn.execute(text("SELECT method, statement FROM consents")).one()
        starts = conn.execute(text("SELECT count(*) FROM appointments WHERE place_no = 1")).scalar()
    assert method == "oral" and statement.endswith("（口頭で確認）") and starts == 1
    page = soup(aki.get(f"/staff/abashiri/requests/{ref}")).get_text()
    assert "予約を登録しました" in page and "受付の方法電話" in page
    assert ref in soup(aki.get("/staff/abashiri/")).get_text()
    assert ref in soup(aki.get("/staff/abashiri/schedule?date=2026-05-07")).get_text()
    assert ref in aki.get("/staff/abashiri/export.csv").get_data(as_text=True)
    assert ("abashiri", "request_book", "phone") in [(r[1], r[2], r[4]) for r in audit_rows(staff_app)]


def test_staff_may_pass_the_seekers_deadline(staff_app, aki, clock):
    clock.now = tokyo(2026, 5, 7, 8, 0)            # the seeker's deadline for 7 May has passed
    ref = reference_of(take(aki, channel="counter", slot="2026-05-07T13:30"))
    assert request_row(staff_app, ref).channel == "counter"


@pytest.mark.parametrize(("changes", "message"), [
    ({"slot": "2026-05-09T09:30"}, "行っていません"),           # Saturday
    ({"slot": "2026-05-07T09:40"}, "時間枠ではありません"),
    ({"slot": "2026-04-30T09:30"}, "すでに過ぎて"),
    ({"slot": "garbage"}, "正しくありません"),
    ({"channel": "portal"}, "受付の方法"),
    ({"consent": ""}, "同意を得たら"),
    ({"consent_method": ""}, "口頭・書面"),
    ({"phone": "12"}, "電話番号"),
    ({"memo": "x" * (sr.MEMO_MAX + 1)}, "メモ"),
])
def test_refused_bookings_store_nothing_and_keep_what_was_typed(staff_app, aki, changes, message):
    page = soup(take(aki, **changes))
    assert message in page.get_text()
    assert "花子" in page.find("input", {"name": "name"})["value"]
    assert rows(staff_app, "booking_requests") == 0


def test_a_full_slot_is_refused(staff_app, aki):
    reference_of(take(aki))
    page = soup(take(aki, name="二人目 太郎"))
    assert "満員" in page.get_text() and rows(staff_app, "booking_requests") == 1


def test_reschedule_frees_the_old_place_and_takes_the_new(staff_app, aki):
    ref = reference_of(take(aki))
    aki.act("abashiri", ref, "details", channel="phone")
    assert "日時を変更しました" in aki.act("abashiri", ref, "reschedule", slot="2026-05-08T09:30")[0]
    with db.engine_of(staff_app).connect() as conn:
        start, place, details = conn.execute(text("SELECT starts_at, place_no, details_channel FROM appointments")).one()
    assert str(start).startswith("2026-05-08 00:30") and place == 1 and details is None   # told again
    reference_of(take(aki, name="空いた枠 次郎"))     # the old 7 May 9:30 place is free again
    assert "同じ日時" in aki.act("abashiri", ref, "reschedule", slot="2026-05-08T09:30")[0]
    assert "満員" in aki.act("abashiri", ref, "reschedule", slot=FIRST_SLOT["abashiri"])[0]


def test_cancel_asks_first_and_changes_nothing_until_confirmed(staff_app, aki):
    ref = reference_of(take(aki))
    asked = aki.post(f"/staff/abashiri/requests/{ref}/cancel", channel="phone")
    # Post/redirect/get: the question is a page of its own, so Back and Reload are harmless.
    assert asked.status_code == 303 and asked.headers["Location"].endswith(f"/requests/{ref}/cancel?channel=phone")
    page = aki.get(asked.headers["Location"])
    assert page.status_code == 200 and "よろしいですか" in page.get_data(as_text=True)
    assert request_row(staff_app, ref).status == sr.CONFIRMED
    form = soup(page).find("form", action=f"/staff/abashiri/requests/{ref}/cancel")
    assert form.find("input", {"name": "channel"})["value"] == "phone"
    assert aki.act("abashiri", ref, "cancel", channel="phone")[0].startswith("キャンセルを記録しました")


def test_undo_a_cancellation_the_same_day_once(staff_app, aki, clock):
    ref = reference_of(take(aki))
    aki.act("abashiri", ref, "cancel", channel="phone")
    page = soup(aki.get(f"/staff/abashiri/requests/{ref}")).get_text()
    assert "「キャンセル（" in page
    assert aki.act("abashiri", ref, "undo") == ["「キャンセル」を取り消しました。"]
    req = request_row(staff_app, ref)
    assert req.status == sr.CONFIRMED
    with db.engine_of(staff_app).connect() as conn:
        assert conn.execute(text("SELECT place_no FROM appointments")).scalar() == 1
    assert "すでに取り消されています" in aki.act("abashiri", ref, "undo")[0]
    aki.act("abashiri", ref, "cancel", channel="phone")
    clock.now = tokyo(2026, 5, 2, 9, 0)
    assert "当日だけ" in aki.act("abashiri", ref, "undo")[0]
    assert request_row(staff_app, ref).status == sr.CANCELLED


def test_undo_of_a_cancellation_refused_when_the_place_was_taken(staff_app, aki):
    ref = reference_of(take(aki))
    aki.act("abashiri", ref, "cancel", channel="counter")
    reference_of(take(aki, name="次の人 三郎"))
    assert "満員" in aki.act("abashiri", ref, "undo")[0]
    assert request_row(staff_app, ref).status == sr.CANCELLED


def test_undo_of_a_confirmation_frees_the_place(staff_app, aki):
    ref = book(staff_app)
    aki.act("abashiri", ref, "confirm", slot=FIRST_SLOT["abashiri"])
    aki.act("abashiri", ref, "undo")
    assert request_row(staff_app, ref).status == sr.REQUESTED and rows(staff_app, "appointments") == 0


def test_no_show_is_offered_from_its_time_and_the_refusal_names_it(staff_app, aki, clock):
    ref = reference_of(take(aki))
    page = soup(aki.get(f"/staff/abashiri/requests/{ref}"))
    assert page.find("form", action=f"/staff/abashiri/requests/{ref}/no-show") is None
    # Times as 網走 writes them (typography.time_separator "："), like its seeker pages.
    assert "2026-05-07 9：40 から記録できます" in page.get_text()
    assert "2026-05-01 10：00" in page.get_text()   # 申し込み日時
    assert "5月7日（木）9：40" in aki.act("abashiri", ref, "no-show")[0]
    clock.now = tokyo(2026, 5, 7, 9, 41)
    assert aki.act("abashiri", ref, "no-show") == ["連絡なしキャンセルとして記録しました。"]


def test_memo_is_kept_never_audited_and_refused_when_too_long(staff_app, aki):
    ref = reference_of(take(aki))
    assert aki.act("abashiri", ref, "memo", memo="父親が同席予定。\n午後希望") == ["メモを保存しました。"]
    assert request_row(staff_app, ref).memo == "父親が同席予定。\n午後希望"
    assert not any("父親" in str(r) for r in audit_rows(staff_app))
    assert "メモ" in aki.act("abashiri", ref, "memo", memo="x" * (sr.MEMO_MAX + 1))[0]
    assert request_row(staff_app, ref).memo == "父親が同席予定。\n午後希望"
    huge = aki.post(f"/staff/abashiri/requests/{ref}/memo", memo="x" * 100_000)
    assert huge.status_code == 413 and "大きすぎます" in huge.get_data(as_text=True)
    assert request_row(staff_app, ref).memo == "父親が同席予定。\n午後希望"


def test_home_counts_what_needs_doing(staff_app, aki):
    untouched, contacted = book(staff_app), book(staff_app, slot1="2026-05-08T09:30")
    aki.act("abashiri", contacted, "contact", outcome="not_reached")
    reference_of(take(aki, slot="2026-05-11T09:30"))          # confirmed, details not sent yet
    row = soup(aki.get("/staff/")).find("a", string="ハローワーク網走").find_parent("tr")
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert cells[1:3] == ["1件", "3件"], cells                 # new: untouched; to do: 2 requested + 1
    assert untouched


def test_week_view_and_companions_on_the_schedule(staff_app, aki):
    ref = reference_of(take(aki, companions=["interpreter"], companion_note="ベトナム語"))
    page = soup(aki.get("/staff/abashiri/week?date=2026-05-07"))
    assert page.h1.get_text() == "2026年5月4日（月）～5月10日（日）の予定"
    day = page.find("section", attrs={"aria-labelledby": "day-2026-05-07"})
    assert ref in day.get_text() and "通訳者" in day.get_text()
    assert "オンライン相談はありません" in page.find("section", attrs={"aria-labelledby": "day-2026-05-09"}).get_text()
    schedule = soup(aki.get("/staff/abashiri/schedule?date=2026-05-07"))
    assert "通訳者" in schedule.find("a", string=ref).find_parent("tr").get_text()


def test_the_same_form_sent_twice_books_once(staff_app, aki):
    key = "ab" * 16
    first, second = take(aki, submission_key=key), take(aki, submission_key=key)
    assert reference_of(first) == reference_of(second) and rows(staff_app, "booking_requests") == 1
    assert "二重には登録していません" in soup(aki.get(second.headers["Location"])).get_text()
    assert soup(aki.get("/staff/abashiri/new")).find("input", {"name": "submission_key"})["value"]
