"""The CSV export (date range, phones with their leading 0, channel, companions, contacts, memo) and
the audit log as a person reads it (Japanese actions, references, filters, no personal data)."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import BookingRequest
from portal.web.normalise import phone_for_sheet
from portal.wording import AUDIT_ACTION_LABELS, audit_action_label

from ..conftest import soup
from .conftest import FIRST_SLOT, StaffClient, add_staff, audit_rows, book, request_row


def export(client: StaffClient, **query: str) -> list[dict[str, str]]:
    response = client.get("/staff/abashiri/export.csv", query_string=query)
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def set_columns(app, reference: str, **values: str) -> None:
    """Columns the lead's forms write (channel, memo), set directly here."""
    with Session(db.engine_of(app)) as s:
        s.execute(update(BookingRequest).where(BookingRequest.reference == reference).values(**values))
        s.commit()


@pytest.mark.parametrize(("typed", "area", "expected"), [
    ("09012345678", "", "090-1234-5678"), ("０９０ー１２３４ー５６７８", "", "090-1234-5678"),
    ("０１１（８５３）０１０１", "", "011-853-0101"), ("0152 44 6287", "", "0152-44-6287"),
    ("(0152)44-6287", "", "0152-44-6287"), ("+81(0)152-44-6287", "", "0152-44-6287"),
    ("+81 90-1234-5678", "", "090-1234-5678"), ("0152446287", "0152", "0152-44-6287"),
    ("0152446287", "", "015-244-6287"), ("0312345678", "0152", "03-1234-5678"), ("0120123456", "", "0120-123-456"),
])
def test_phone_for_sheet_always_has_hyphens(typed, area, expected):
    assert phone_for_sheet(typed, area) == expected


def test_export_has_channel_companions_contacts_and_memo(staff_app, aki):
    reference = book(staff_app, phone="09012345678", companions=["interpreter", "caregiver"],
                     companion_note="手話通訳の方が同席")
    set_columns(staff_app, reference, channel="counter", memo="=午後に再連絡\n2回目")
    aki.act("abashiri", reference, "contact", outcome="not_reached")
    aki.act("abashiri", reference, "contact", outcome="reached")
    plain = book(staff_app, slot1="2026-05-08T09:30")
    rows = {r["受付番号"]: r for r in export(aki)}
    row = rows[reference]
    assert row["電話番号"] == "090-1234-5678"
    assert row["申し込みの経路"] == "窓口" and row["同席する方"] == "通訳者、介助者"
    assert (row["連絡した回数"], row["うち連絡がついた回数"]) == ("2", "1")
    assert row["メモ"] == "'=午後に再連絡\n2回目"           # a formula never runs, newlines kept
    other = rows[plain]
    assert (other["申し込みの経路"], other["同席する方"], other["連絡した回数"], other["メモ"]) == \
        ("オンライン申込み", "", "0", "")


def test_export_by_date_range(staff_app, aki, clock):
    first = book(staff_app)
    clock.now += datetime.timedelta(days=2)
    second = book(staff_app, slot1="2026-05-08T09:30")
    made = request_row(staff_app, second).created_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    day = made.date().isoformat()
    assert [r["受付番号"] for r in export(aki, **{"from": day})] == [second]
    assert [r["受付番号"] for r in export(aki, to=(made.date() - datetime.timedelta(days=1)).isoformat())] == [first]
    assert [r["受付番号"] for r in export(aki)] == [first, second]
    assert ("abashiri", "export", f"from={day} to= rows=1") in [r[1:3] + (r[4],) for r in audit_rows(staff_app)]


def test_export_range_backwards_or_impossible_is_explained(staff_app, aki):
    response = aki.get("/staff/abashiri/export.csv?from=2026-05-09&to=2026-05-01")
    assert response.status_code == 302
    notice = soup(aki.get(response.headers["Location"])).select_one(".notice--error").get_text()
    assert "開始日（2026-05-09）が終了日（2026-05-01）より後" in notice
    assert "export" not in [r[2] for r in audit_rows(staff_app)]


def test_export_form_in_the_queue_only_for_office_admins(staff_app, aki):
    form = soup(aki.get("/staff/abashiri/")).select_one('form[action="/staff/abashiri/export.csv"]')
    assert form is not None and {i["name"] for i in form.select("input")} == {"from", "to"}
    assert form.select_one("input[name=from]")["type"] == "date"
    add_staff(staff_app, "kei", "abashiri:counsellor")
    kei = StaffClient(staff_app)
    kei.login("kei")
    assert soup(kei.get("/staff/abashiri/")).select_one('form[action$="export.csv"]') is None
    assert kei.get("/staff/abashiri/export.csv?from=2026-05-01").status_code == 403


def test_every_audit_action_has_a_japanese_label():
    assert audit_action_label("request_confirm") == "申し込み：日時の確定"
    assert audit_action_label("request_no_show") == "申し込み：連絡なしキャンセル（無断）"
    assert audit_action_label("something_new") == "something_new"
    assert all(label and label.isascii() is False for label in AUDIT_ACTION_LABELS.values())


def audit_table(client: StaffClient, **query: str) -> list[list[str]]:
    page = soup(client.get("/staff/abashiri/audit", query_string=query))
    return [[td.get_text() for td in tr.find_all("td")] for tr in page.select("tbody tr")]


def test_audit_log_reads_in_japanese_with_references(staff_app, aki):
    reference = book(staff_app, name="監査 読子", phone="090-7777-6666")
    aki.get("/staff/abashiri/?q=090-7777-6666")
    aki.act("abashiri", reference, "contact", outcome="reached")
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    rows = audit_table(aki)
    actions = [r[2] for r in rows]
    assert "申し込み：日時の確定" in actions and "申し込み一覧を表示" in actions
    confirm = rows[actions.index("申し込み：日時の確定")]
    assert confirm[1] == "aki" and confirm[3] == f"受付番号 {reference}"
    contact = rows[actions.index("申し込み：連絡（電話など）")]
    assert contact[4] == "連絡がついた"
    search = rows[actions.index("申し込み一覧を表示")]
    assert "検索：あり" in search[4]
    text = repr(rows)
    for personal in ("監査", "読子", "7777", "01234-12345678"):
        assert personal not in text
    assert str(request_row(staff_app, reference).id) not in [r[3] for r in rows]


def test_audit_log_filters_by_day_and_user(staff_app, aki, clock):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    kei = StaffClient(staff_app)
    kei.login("kei")
    kei.get("/staff/abashiri/schedule")
    clock.now += datetime.timedelta(days=1)
    aki.get("/staff/abashiri/")
    today = clock.now.astimezone(datetime.timezone(datetime.timedelta(hours=9))).date()
    by_kei = audit_table(aki, user="kei")
    assert by_kei and {r[1] for r in by_kei} == {"kei"} and "予定を表示" in [r[2] for r in by_kei]
    on_day = audit_table(aki, date=today.isoformat())
    assert on_day and all(r[0].startswith(today.isoformat()) for r in on_day)
    assert "予定を表示" not in [r[2] for r in on_day]
    assert audit_table(aki, date=today.isoformat(), user="kei") == [["該当する記録はありません。"]]
    page = soup(aki.get("/staff/abashiri/audit?user=nobody&date=2026-02-30"))
    notices = " ".join(n.get_text() for n in page.select(".notice--error"))
    assert "職員「nobody」はこの窓口にいません" in notices and "日付「2026-02-30」は読めませんでした" in notices
    options = [o["value"] for o in page.select("#user option")]
    assert options == ["", "aki", "kei"]   # hiro (another office) is not offered


def test_audit_log_of_another_office_or_a_counsellor_is_refused(staff_app, aki):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    kei = StaffClient(staff_app)
    kei.login("kei")
    assert kei.get("/staff/abashiri/audit?user=aki").status_code == 403
    hiro = StaffClient(staff_app)
    hiro.login("hiro")
    assert hiro.get("/staff/abashiri/audit?date=2026-05-01").status_code == 403
