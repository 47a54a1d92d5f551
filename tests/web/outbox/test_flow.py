"""End to end: a booking → confirmation → reschedule → cancellation, through the Flask app, the
sender and a real SMTP server, gives the seeker exactly four e-mails with the right calendar files,
and the staff one alert without personal data."""
from __future__ import annotations

import datetime

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import OutboxMessage

from ..conftest import soup
from ..staff.conftest import FIRST_SLOT, StaffClient, add_staff, book
from .conftest import run_sender

SEEKER = "hanako@example.jp"
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def calendar_of(message):
    """The message's text/calendar part, parsed by the icalendar library."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0], icalendar.Calendar.from_ical(parts[0].get_content())


def event_of(cal):
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def test_booking_confirm_reschedule_cancel_gives_four_emails(mail_app, smtp):
    add_staff(mail_app, "aki", "abashiri:office_admin")
    aki = StaffClient(mail_app)
    aki.login("aki")
    reference = book(mail_app, email=SEEKER)
    run_sender(mail_app)
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    run_sender(mail_app)
    aki.act("abashiri", reference, "reschedule", slot="2026-05-07T10:00")
    run_sender(mail_app)
    aki.act("abashiri", reference, "cancel", channel="phone")
    run_sender(mail_app)

    got = smtp.collector.messages
    seeker = [m for m in got if m["To"] == SEEKER]
    staff = [m for m in got if m["To"] == "staff@example.jp"]
    assert len(seeker) == 4 and len(staff) == 1
    receipt, confirm, moved, cancel = seeker
    assert len({m["Message-ID"] for m in got}) == 5

    # 1. The receipt: reference, private link, what happens next; UTF-8 plain text, no calendar.
    assert "受け付けました" in receipt["Subject"] and "ハローワーク網走" in receipt["Subject"]
    text = receipt.get_body(("plain",)).get_content()
    assert reference in text and "/abashiri/booking/status?key=" in text and "今後の流れ" in text
    assert receipt.get_body(("plain",)).get_content_charset() == "utf-8"
    assert not any(p.get_content_type() == "text/calendar" for p in receipt.walk())
    assert receipt["From"].addresses[0].addr_spec == "madoguchi@example.jp"

    # 2–4. The calendar: one UID, SEQUENCE growing, REQUEST then CANCEL, Tokyo times.
    uids, sequences = set(), []
    for message, method, start in ((confirm, "REQUEST", (9, 30)), (moved, "REQUEST", (10, 0)),
                                   (cancel, "CANCEL", (10, 0))):
        part, cal = calendar_of(message)
        assert str(cal["METHOD"]) == method and part.get_param("method") == method
        assert any(c.name == "VTIMEZONE" and str(c["TZID"]) == "Asia/Tokyo" for c in cal.walk())
        event = event_of(cal)
        begins = event.decoded("DTSTART")
        assert begins.tzinfo is not None
        assert begins.astimezone(TOKYO).replace(tzinfo=None) == datetime.datetime(2026, 5, 7, *start)
        assert event.decoded("DTEND") - begins == datetime.timedelta(minutes=30)
        uids.add(str(event["UID"]))
        sequences.append(int(event["SEQUENCE"]))
    assert len(uids) == 1 and sequences == sorted(set(sequences))
    assert "確定しました" in confirm["Subject"] and "変更" in moved["Subject"] and "キャンセル" in cancel["Subject"]
    assert "5月7日（木）9：30～10：00" in confirm.get_body(("plain",)).get_content()
    moved_text = moved.get_body(("plain",)).get_content()
    assert "10：00～10：30" in moved_text and "変更前：5月7日（木）9：30～10：00" in moved_text
    # Abashiri gives meeting details by phone: the mail says so and carries none.
    assert "電話でお知らせします" in confirm.get_body(("plain",)).get_content()

    # The staff alert: the count and the queue, never a name, a phone or a 求職番号.
    alert = staff[0]
    assert alert["Subject"] == "【ハローワーク網走】新しい申込みが 1 件あります"
    body = alert.get_body(("plain",)).get_content()
    assert "http://portal.example/staff/abashiri/?status=requested" in body
    for personal in ("網走 花子", "アバシリ", "090", "12345678", SEEKER, reference):
        assert personal not in body and personal not in alert["Subject"]

    # Once sent, nothing personal stays in the outbox.
    with Session(db.engine_of(mail_app)) as s:
        rows = s.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"sent"}
    assert all(r.body == "" and r.ics is None and r.recipient in ("", "staff@example.jp") for r in rows)


def test_no_address_no_seeker_mail(mail_app, smtp):
    reference = book(mail_app, email="")
    run_sender(mail_app)
    assert [m["To"] for m in smtp.collector.messages] == ["staff@example.jp"]
    assert reference


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_undo_follows_the_calendar(mail_app, smtp, action):
    add_staff(mail_app, "aki", "abashiri:office_admin")
    aki = StaffClient(mail_app)
    aki.login("aki")
    reference = book(mail_app, email=SEEKER)
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])
    if action == "cancel":
        aki.act("abashiri", reference, "cancel", channel="phone")
    aki.act("abashiri", reference, "undo")
    run_sender(mail_app)
    seeker = [m for m in smtp.collector.messages if m["To"] == SEEKER]
    methods = [str(calendar_of(m)[1]["METHOD"]) for m in seeker[1:]]
    assert methods == (["REQUEST", "CANCEL"] if action == "confirm" else ["REQUEST", "CANCEL", "REQUEST"])
    sequences = [int(event_of(calendar_of(m)[1])["SEQUENCE"]) for m in seeker[1:]]
    assert sequences == sorted(set(sequences))


def test_bookings_staff_take_and_next_sessions_mail_a_confirmation(mail_app, smtp):
    add_staff(mail_app, "aki", "abashiri:office_admin")
    aki = StaffClient(mail_app)
    aki.login("aki")
    taken = aki.post("/staff/abashiri/new", name="電話 花子", kana="でんわ はなこ", seeker_number="12345-67890123",
                     phone="090-1111-2222", email=SEEKER, channel="phone", consent_method="oral", consent="y",
                     slot=FIRST_SLOT["abashiri"])
    assert taken.status_code == 303
    reference = taken.headers["Location"].rsplit("/", 1)[1]
    aki.act("abashiri", reference, "next", slot="2026-05-07T10:00")
    run_sender(mail_app)
    seeker = [m for m in smtp.collector.messages if m["To"] == SEEKER]
    assert ["確定しました" in m["Subject"] for m in seeker] == [True, True]
    uids = {str(event_of(calendar_of(m)[1])["UID"]) for m in seeker}
    assert len(uids) == 2                       # two sessions, two calendar entries
    assert all(m["To"] != "staff@example.jp" for m in smtp.collector.messages)   # staff took them: no alert


def test_the_receipt_link_opens_the_request_and_an_online_cancellation_is_mailed(make_app, smtp, content):
    path = content / "abashiri" / "office.yaml"
    yaml = path.read_text(encoding="utf-8")
    path.write_text(yaml.replace("channels: [phone, email]\n", "channels: [phone, email, online]\n", 1), encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content), **smtp.config())
    book(app, email=SEEKER)
    run_sender(app)
    text = smtp.collector.messages[0].get_body(("plain",)).get_content()
    link = next(line for line in text.splitlines() if "/status?key=" in line)
    path_query = link.split("://", 1)[1].split("/", 1)[1]
    client = app.test_client()
    assert client.get("/" + path_query).status_code == 200
    step = client.get("/" + path_query.replace("/status?", "/status/cancel?"))
    form = soup(step).find("form", {"action": "cancel"})
    data = {i["name"]: i["value"] for i in form.find_all("input", {"type": "hidden"})}
    assert client.post("/" + path_query.split("?")[0] + "/cancel", data=data).status_code == 302
    run_sender(app)
    notice = smtp.collector.messages[-1]
    assert notice["To"] == SEEKER and "キャンセル" in notice["Subject"]
    assert not any(p.get_content_type() == "text/calendar" for p in notice.walk())   # no time was confirmed
