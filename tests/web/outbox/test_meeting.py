"""Meeting details (URL, ID, passcode) from the staff console to the seeker's mail and calendar,
through the app, the outbox sender and a real SMTP server: mailed only where the office's
details_channel is email, refused with a Japanese message when malformed, never audited or
logged, and purged with the request."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import Appointment, AuditEntry, BookingRequest, OutboxMessage

from ..conftest import soup
from ..staff.conftest import FIRST_SLOT, StaffClient, add_staff, book, tokyo
from .conftest import run_sender
from .test_flow import calendar_of, event_of

SEEKER = "hanako@example.jp"
URL, MID, CODE = "https://zoom.example/j/81234567890?pwd=Secret1", "812 3456 7890", "kanary42"
NEW_CODE = "changed77"
DETAILS = {"meeting_url": URL, "meeting_id": MID, "meeting_passcode": CODE}


def _app(make_app, smtp, content, channel: str):
    path = content / "abashiri" / "office.yaml"
    yaml = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"details_channel: \w+", f"details_channel: {channel}", yaml, count=1), encoding="utf-8")
    return make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                    STAFF_MFA_REQUIRED="none", **smtp.config())


def _staff(app) -> StaffClient:
    add_staff(app, "aki", "abashiri:office_admin")
    aki = StaffClient(app)
    aki.login("aki")
    return aki


def _appointment(app, reference: str) -> Appointment | None:
    with Session(db.engine_of(app)) as s:
        request_id = s.scalar(select(BookingRequest.id).where(BookingRequest.reference == reference))
        return s.get(Appointment, request_id)


def _audit_text(app) -> str:
    with Session(db.engine_of(app)) as s:
        return "\n".join(f"{a.action} {a.detail}" for a in s.scalars(select(AuditEntry)))


def _outbox_text(app) -> str:
    with Session(db.engine_of(app)) as s:
        return "\n".join(f"{m.subject} {m.body} {m.ics or ''}" for m in s.scalars(select(OutboxMessage)))


def test_email_office_mails_the_details_at_confirm_and_on_change(make_app, smtp, content, caplog):
    caplog.set_level(logging.DEBUG)
    app = _app(make_app, smtp, content, "email")
    aki = _staff(app)
    reference = book(app, email=SEEKER)
    notes = aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"], **DETAILS)
    assert any("メールでお知らせします" in n for n in notes)
    run_sender(app)
    confirm = smtp.collector.messages[-1]
    body = confirm.get_body(("plain",)).get_content()
    assert URL in body and MID in body and CODE in body
    _, cal = calendar_of(confirm)
    event = event_of(cal)
    assert str(event["URL"]) == URL and str(event["LOCATION"]) == URL
    assert MID in str(event["DESCRIPTION"]) and CODE in str(event["DESCRIPTION"])
    first_sequence = int(event["SEQUENCE"])

    # A change later: one "会議の情報" mail with the new passcode and an updated invitation.
    aki.act("abashiri", reference, "meeting", **{**DETAILS, "meeting_passcode": NEW_CODE})
    run_sender(app)
    change = smtp.collector.messages[-1]
    assert "会議の情報" in change["Subject"] and change["To"] == SEEKER
    text = change.get_body(("plain",)).get_content()
    assert NEW_CODE in text and URL in text and CODE not in text
    event = event_of(calendar_of(change)[1])
    assert int(event["SEQUENCE"]) > first_sequence and NEW_CODE in str(event["DESCRIPTION"])
    count = len(smtp.collector.messages)
    assert "会議の情報は変わっていません。" in aki.act("abashiri", reference, "meeting",
                                                 **{**DETAILS, "meeting_passcode": NEW_CODE})
    run_sender(app)
    assert len(smtp.collector.messages) == count      # nothing changed: no mail

    # A reschedule carries the stored details again.
    aki.act("abashiri", reference, "reschedule", slot="2026-05-07T10:00")
    run_sender(app)
    moved = smtp.collector.messages[-1].get_body(("plain",)).get_content()
    assert "変更" in smtp.collector.messages[-1]["Subject"] and NEW_CODE in moved

    # Never in the audit log, the logs, the staff mail page, or the outbox once sent.
    audit = _audit_text(app)
    assert "meeting_details url=yes id=yes passcode=yes" in audit
    for value in (URL, "zoom.example", MID, CODE, NEW_CODE):
        assert value not in audit and value not in caplog.text and value not in _outbox_text(app)
        assert value not in aki.get("/staff/abashiri/mail").get_data(as_text=True)
    page = soup(aki.get("/staff/abashiri/audit")).get_text()
    assert "会議の情報を登録・変更" in page and CODE not in page


def test_non_email_office_never_mails_the_details(make_app, smtp, content):
    app = _app(make_app, smtp, content, "phone")
    aki = _staff(app)
    reference = book(app, email=SEEKER)
    notes = aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"], **DETAILS)
    assert any("メールで送りません" in n for n in notes)
    aki.act("abashiri", reference, "meeting", **{**DETAILS, "meeting_passcode": NEW_CODE})
    aki.act("abashiri", reference, "reschedule", slot="2026-05-07T10:00", **DETAILS)
    run_sender(app)
    seeker = [m for m in smtp.collector.messages if m["To"] == SEEKER]
    assert len(seeker) == 3                   # receipt, confirmation, reschedule: no details mail
    for message in seeker:
        whole = message.as_string() + "".join(p.get_content() for p in message.walk()
                                              if p.get_content_type() in ("text/plain", "text/calendar"))
        for value in (URL, "zoom.example", MID, CODE, NEW_CODE):
            assert value not in whole
    stored = _appointment(app, reference)
    assert (stored.meeting_url, stored.meeting_id, stored.meeting_passcode) == (URL, MID, CODE)  # staff's record
    form = soup(aki.get(f"/staff/abashiri/requests/{reference}")).find(
        "form", {"action": f"/staff/abashiri/requests/{reference}/meeting"})
    assert form.find("input", {"name": "meeting_passcode"})["value"] == CODE


@pytest.mark.parametrize("bad, message", [
    ({"meeting_url": "javascript:alert(1)"}, "https://"),
    ({"meeting_passcode": "x" * 10_000}, "パスコードは50文字までです"),
    ({"meeting_id": "123\r\nBcc: evil@example.jp"}, "改行や制御文字"),
])
def test_bad_details_are_refused_in_japanese_and_nothing_is_stored(make_app, smtp, content, bad, message):
    app = _app(make_app, smtp, content, "email")
    aki = _staff(app)
    reference = book(app, email=SEEKER)
    posted = {**DETAILS, **bad}
    # At confirmation: refused, the request stays unconfirmed, the typed values come back.
    response = aki.post(f"/staff/abashiri/requests/{reference}/confirm", slot=FIRST_SLOT["abashiri"], **posted)
    assert response.status_code == 400
    page = soup(response)
    assert message in page.get_text()
    field = next(iter(bad))
    assert page.find("input", {"id": "meeting-c-" + {"meeting_url": "url", "meeting_id": "id",
                                                     "meeting_passcode": "passcode"}[field]})["value"] == bad[field]
    assert _appointment(app, reference) is None
    # Later, on the request's page: refused, the stored details unchanged, no mail.
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"], **DETAILS)
    before = _outbox_text(app)
    response = aki.post(f"/staff/abashiri/requests/{reference}/meeting", **posted)
    assert response.status_code == 400 and message in soup(response).get_text()
    stored = _appointment(app, reference)
    assert (stored.meeting_url, stored.meeting_id, stored.meeting_passcode) == (URL, MID, CODE)
    assert _outbox_text(app) == before
    assert bad[field] not in _audit_text(app)


def test_purge_removes_the_details(make_app, smtp, content, clock):
    app = _app(make_app, smtp, content, "email")
    aki = _staff(app)
    reference = book(app, email=SEEKER)
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"], **DETAILS)
    clock.now = tokyo(2027, 5, 8, 10, 0)      # past the 365 days after the session
    result = app.test_cli_runner().invoke(args=["staff", "purge"])
    assert result.exit_code == 0 and "削除しました: 1件" in result.output, result.output
    stored = _appointment(app, reference)
    assert stored is not None and stored.starts_at is not None
    assert (stored.meeting_url, stored.meeting_id, stored.meeting_passcode) == (None, None, None)
    assert CODE not in _outbox_text(app)
