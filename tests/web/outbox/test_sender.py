"""The sender against a real SMTP server: refusals, retries with backoff, header injection, two
senders at once, batched staff alerts, mail off, and the purge."""
from __future__ import annotations

import datetime
import threading

import pytest

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import OutboxMessage
from portal.web.outbox import enqueue
from portal.web.outbox.sender import SendPolicy, seeker_units
from portal.web.retention import purge
from portal.web.state import state_of

from ..conftest import soup
from ..staff.conftest import StaffClient, add_staff, book
from .conftest import run_sender
from .smtpserver import free_port


def rows(app) -> list[OutboxMessage]:
    with Session(db.engine_of(app)) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def seeker_row(app) -> OutboxMessage:
    return next(r for r in rows(app) if r.kind != "staff_alert")


def test_an_address_the_server_refuses_fails_and_staff_see_why(mail_app, smtp):
    smtp.collector.refuse.add("nobody@example.jp")
    reference = book(mail_app, email="nobody@example.jp")
    report = run_sender(mail_app)
    assert report.failed == 1
    row = seeker_row(mail_app)
    assert row.status == "failed" and "550" in row.error and "nobody@example.jp" not in row.error
    add_staff(mail_app, "aki", "abashiri:office_admin")
    aki = StaffClient(mail_app)
    aki.login("aki")
    page = aki.get("/staff/abashiri/mail")
    assert page.status_code == 200
    text = soup(page).get_text()
    assert reference in text and "550" in text and "受付のお知らせ" in text
    assert "nobody@example.jp" not in page.get_data(as_text=True)
    assert "送信は有効" in text


def test_mail_page_is_per_office(mail_app, smtp):
    add_staff(mail_app, "hiro", "mothers-hiroshima:office_admin")
    hiro = StaffClient(mail_app)
    hiro.login("hiro")
    assert hiro.get("/staff/abashiri/mail").status_code == 403
    assert hiro.get("/staff/mothers-hiroshima/mail").status_code == 200


def test_a_busy_server_is_tried_again_with_backoff_then_fails(make_app, smtp, clock):
    app = make_app(NOTIFY_MAX_ATTEMPTS=3, **smtp.config())
    smtp.collector.busy.add("later@example.jp")
    book(app, email="later@example.jp")
    waits = []
    for _ in range(3):
        report = run_sender(app)
        row = seeker_row(app)
        if row.status == "pending":
            assert report.retried == 1 and "451" in row.error
            waits.append(row.next_attempt_at - clock.now)
            assert run_sender(app).retried == 0          # not due yet: nothing is tried
            clock.now = row.next_attempt_at
    assert waits == [datetime.timedelta(minutes=1), datetime.timedelta(minutes=2)]
    assert seeker_row(app).status == "failed" and seeker_row(app).attempts == 3
    smtp.collector.busy.clear()
    assert run_sender(app).sent == 0 and smtp.collector.messages == []


def test_no_server_means_try_later_and_nothing_lost(make_app, clock, smtp):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_FROM="m@example.jp")
    book(app, email="hanako@example.jp")
    assert run_sender(app).retried == 1
    row = seeker_row(app)
    assert row.status == "pending" and "接続できません" in row.error
    # The server comes back (the same outbox, sent through the running one).
    later = make_app(**smtp.config())
    clock.now = row.next_attempt_at
    assert run_sender(later).sent == 1
    assert [m["To"] for m in smtp.collector.messages] == ["hanako@example.jp"]


def _enqueue(app, **fields) -> None:
    """A receipt written by the enqueue hook itself, with a name and an address as given."""
    state = state_of(app)
    office = state.offices["abashiri"]
    with Session(db.engine_of(app)) as s:
        enqueue.request_stored(s, office, None, fields.get("reference", "ABCD-EFGH"), fields.get("name", "花子"),
                               fields["email"], [], "", state.now())
        s.commit()


def test_header_injection_is_impossible(mail_app, smtp):
    _enqueue(mail_app, name="花子\r\nBcc: evil@example.com\r\n", email="ok@example.jp")
    _enqueue(mail_app, email="ok@example.jp\r\nBcc: evil@example.com")
    with Session(db.engine_of(mail_app)) as s:     # a subject as long and as hostile as can be
        s.execute(OutboxMessage.__table__.update().where(OutboxMessage.id == 1).values(
            subject="件名\r\nBcc: evil@example.com\n" + "長" * 170))
        s.commit()
    run_sender(mail_app)
    got = smtp.collector.messages
    assert len(got) == 1
    message = got[0]
    assert message["Bcc"] is None and smtp.collector.envelopes[0][1] == ["ok@example.jp"]
    assert "\n" not in str(message["Subject"]) and len(str(message["Subject"])) <= 150
    assert message.get_body(("plain",)).get_content().startswith("花子 Bcc: evil@example.com 様")
    statuses = [r.status for r in rows(mail_app) if r.kind == "receipt"]
    assert statuses == ["sent", "failed"]
    assert "形が正しくありません" in [r for r in rows(mail_app) if r.status == "failed"][0].error


def test_two_senders_never_send_the_same_row(mail_app, smtp):
    for _ in range(3):
        book(mail_app, email="hanako@example.jp")
    with Session(db.engine_of(mail_app)) as s:
        first = seeker_units(s, state_of(mail_app).now(), SendPolicy())
        second = seeker_units(s, state_of(mail_app).now(), SendPolicy())
    assert len(first) == 3 and second == []


def test_two_senders_at_once_send_each_message_once(mail_app, smtp):
    for _ in range(12):
        book(mail_app, email="hanako@example.jp")
    for _ in range(3):
        threads = [threading.Thread(target=run_sender, args=(mail_app,), kwargs={"batch": 4}) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ids = smtp.collector.ids()
    assert len(ids) == len(set(ids)) == 13      # 12 receipts and one staff alert


def test_staff_alerts_are_batched_per_office(mail_app, smtp, clock):
    for _ in range(3):
        book(mail_app, email="")
    run_sender(mail_app)
    book(mail_app, email="")
    run_sender(mail_app)
    subjects = [str(m["Subject"]) for m in smtp.collector.messages]
    assert subjects == ["【ハローワーク網走】新しい申込みが 3 件あります"]
    clock.now += datetime.timedelta(minutes=5)
    run_sender(mail_app)
    assert [str(m["Subject"]) for m in smtp.collector.messages][1:] == ["【ハローワーク網走】新しい申込みが 1 件あります"]


def test_mail_off_fills_the_outbox_and_the_console_says_so(make_app):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_MFA_REQUIRED="none")
    book(app, email="hanako@example.jp")
    assert [r.status for r in rows(app)] == ["pending"]
    add_staff(app, "aki", "abashiri:office_admin")
    aki = StaffClient(app)
    aki.login("aki")
    text = soup(aki.get("/staff/abashiri/mail")).get_text()
    assert "メールの送信は停止中です" in text and "1件" in text


def test_purge_deletes_the_requests_messages(mail_app, smtp, clock):
    book(mail_app, email="hanako@example.jp")
    run_sender(mail_app)
    book(mail_app, email="second@example.jp")      # not sent yet
    assert len(rows(mail_app)) == 4
    state = state_of(mail_app)
    purge(db.engine_of(mail_app), list(state.offices.values()), clock.now + datetime.timedelta(days=400))
    with Session(db.engine_of(mail_app)) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_malformed_addresses_are_refused_before_sending():
    from portal.web.outbox.message import BadAddress, address

    for bad in ("a@b@c", "x", "a b@example.jp", "a@example.jp\r\nBcc: e@x", "@example.jp", "a@", "<a@example.jp>"):
        with pytest.raises(BadAddress):
            address(bad)
    assert address("hanako.y+1@example.jp").addr_spec == "hanako.y+1@example.jp"
