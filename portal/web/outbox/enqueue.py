"""Writing messages into the outbox, in the caller's transaction (the caller commits).

Each function is one small hook the services call just before they commit: the message is
composed now, from the office's facts and the request as it stands, and stored whole, so the
sender needs nothing but the row. Seekers get mail only where they gave an address; staff
alerts carry no personal data and go to the office's `notify.staff_email` (or the setting).
"""
from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ... import mailtext
from ...ics import CalendarEvent, calendar
from ...meeting import MeetingDetails, stored
from ...offices import Office
from ..models import Appointment, BookingRequest, OutboxMessage

_INSERT = insert(OutboxMessage.__table__)
STAFF_ALERT = "staff_alert"


def staff_address(office: Office) -> str | None:
    """Where the office's staff alerts go: office.yaml `notify.staff_email`, else the setting."""
    if office.config.notify.staff_email:
        return office.config.notify.staff_email
    return current_app.config.get("NOTIFY_STAFF_EMAIL") if has_app_context() else None


def _add(db: Session, office: Office, request_id: int | None, kind: str, recipient: str, now: datetime.datetime,
         letter: mailtext.Letter | None = None, ics: str | None = None, sequence: int = 0) -> None:
    db.execute(_INSERT, {
        "office_slug": office.slug, "request_id": request_id, "kind": kind, "recipient": recipient,
        "subject": letter.subject if letter else "", "body": letter.body if letter else "", "ics": ics,
        "sequence": sequence, "message_key": secrets.token_hex(16), "status": "pending", "attempts": 0,
        "created_at": now, "next_attempt_at": now, "error": ""})


def request_stored(db: Session, office: Office, request_id: int, reference: str, name: str, email: str | None,
                   wishes: list[datetime.datetime], link: str, now: datetime.datetime) -> None:
    """A seeker's request came in on the portal: their receipt, and a mark for the staff alert."""
    if email:
        _add(db, office, request_id, "receipt", email, now, mailtext.receipt(office.config, reference, name, wishes, link))
    staff = staff_address(office)
    if staff:
        _add(db, office, request_id, STAFF_ALERT, staff, now)


def receipt_hook(office: Office, name: str, email: str | None, wishes: list[datetime.datetime], link: str,
                 now: datetime.datetime) -> Callable[[Session, int, str], None]:
    """request_stored for a request not yet stored: called with its id and reference when it is."""
    def hook(db: Session, request_id: int, reference: str) -> None:
        request_stored(db, office, request_id, reference, name, email, wishes, link, now)
    return hook


def _calendar(db: Session, office: Office, req: tuple[int, str, str], start: datetime.datetime,
              now: datetime.datetime, cancelled: bool, details: MeetingDetails | None = None) -> tuple[str, int]:
    request_id, reference, email = req
    # SEQUENCE grows with every calendar message of the request; UID never changes.
    sequence = (db.scalar(select(func.max(OutboxMessage.sequence)).where(OutboxMessage.request_id == request_id))
                or 0) + 1
    summary, description = mailtext.event_text(office.config, details)
    event = CalendarEvent(uid=f"{reference}.{office.slug}@madoguchi", sequence=sequence, start=start,
                          minutes=office.config.session.minutes, summary=summary, description=description,
                          organizer=office.config.office.email, organizer_name=office.config.office.name,
                          attendee=email, stamp=now, cancelled=cancelled, url=details.url if details else "")
    return calendar(event), sequence


def _seeker(db: Session, request_id: int) -> tuple[str, str, str | None]:
    row = db.execute(select(BookingRequest.reference, BookingRequest.name, BookingRequest.email)
                     .where(BookingRequest.id == request_id)).one()
    return row.reference, row.name, row.email


def mailed_details(db: Session, office: Office, request_id: int) -> MeetingDetails | None:
    """The appointment's meeting details, only where the office sends them by e-mail (else None)."""
    if office.config.booking.details_channel != "email":
        return None
    row = db.execute(select(Appointment.meeting_url, Appointment.meeting_id, Appointment.meeting_passcode)
                     .where(Appointment.request_id == request_id)).one_or_none()
    if row is None:
        return None
    return stored(row.meeting_url, row.meeting_id, row.meeting_passcode) or None


def session_confirmed(db: Session, office: Office, request_id: int, start: datetime.datetime,
                      now: datetime.datetime, moved_from: datetime.datetime | None = None) -> None:
    """A session was confirmed (or moved, or a cancellation undone): date, time and an invitation."""
    reference, name, email = _seeker(db, request_id)
    if not email:
        return
    details = mailed_details(db, office, request_id)
    ics, sequence = _calendar(db, office, (request_id, reference, email), start, now, False, details)
    letter = mailtext.confirmed(office.config, reference, name, start, moved_from, details)
    _add(db, office, request_id, "reschedule" if moved_from else "confirm", email, now, letter, ics, sequence)


def session_cancelled(db: Session, office: Office, request_id: int, start: datetime.datetime | None,
                      now: datetime.datetime) -> None:
    """A request or session was cancelled: a notice, and a calendar CANCEL if a time was confirmed."""
    reference, name, email = _seeker(db, request_id)
    if not email:
        return
    ics, sequence = _calendar(db, office, (request_id, reference, email), start, now, True) if start else (None, 0)
    _add(db, office, request_id, "cancel", email, now, mailtext.cancelled(office.config, reference, name, start),
         ics, sequence)


def details_changed(db: Session, office: Office, request_id: int, start: datetime.datetime,
                    now: datetime.datetime) -> None:
    """Staff set or changed the meeting details after confirmation: a "会議の情報" mail with an
    updated invitation, only where details_channel is email and the seeker gave an address."""
    if office.config.booking.details_channel != "email":
        return
    reference, name, email = _seeker(db, request_id)
    if not email:
        return
    details = mailed_details(db, office, request_id) or MeetingDetails()
    ics, sequence = _calendar(db, office, (request_id, reference, email), start, now, False, details or None)
    _add(db, office, request_id, "details", email, now,
         mailtext.meeting_details(office.config, reference, name, start, details), ics, sequence)
