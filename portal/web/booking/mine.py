"""The seeker's own request after it is made: the private link, finding it by reference, and
cancelling it online (services: the reads and the one write of the seeker's request page).

The link carries a random token; only its SHA-256 is stored (`booking_requests.link_sha256`),
so the database alone never opens anyone's page. The retention purge blanks the hash with the
personal data, and the link stops working. Finding a request by reference and 求職番号 (or phone)
does the same work whether the reference exists or not, and answers the same: no one learns
which references exist.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import staffrules as sr
from ...offices import Office
from ...rules import SlotPolicy
from .. import requests
from ..models import Appointment, BookingRequest

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
# Compared against when the reference is unknown, so that case costs the same as a wrong pair.
_NOBODY = ("00000-00000000", "00000000000")


def new_link() -> tuple[str, str]:
    """A fresh private-link token and the SHA-256 to store (the token goes only to the seeker)."""
    token = secrets.token_urlsafe(24)
    return token, link_sha256(token)


def link_sha256(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def submitted(db: Session, office: Office, submission_key: str) -> str | None:
    """The reference of the request this form fill already made, if any."""
    return db.scalar(select(BookingRequest.reference).where(BookingRequest.submission_key == submission_key,
                                                            BookingRequest.office_slug == office.slug))


def link_of(db: Session, reference: str) -> str | None:
    """The stored hash of a request's link (to tell a new request from one submitted before)."""
    return db.scalar(select(BookingRequest.link_sha256).where(BookingRequest.reference == reference))


def by_token(db: Session, office: Office, token: str) -> BookingRequest | None:
    """The office's request whose private link has this token; None for a malformed, unknown or
    purged one, or another office's."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    return db.scalar(select(BookingRequest).where(BookingRequest.link_sha256 == link_sha256(token),
                                                  BookingRequest.office_slug == office.slug))


def by_reference(db: Session, office: Office, reference: str) -> BookingRequest | None:
    """The office's request with this reference whose personal data is still kept."""
    req = db.scalar(select(BookingRequest).where(BookingRequest.reference == reference,
                                                 BookingRequest.office_slug == office.slug))
    return req if req is not None and req.seeker_number else None


def by_details(db: Session, office: Office, reference: str, seeker_number: str | None,
               phone: str | None) -> str | None:
    """The reference if it and the 求職番号 or phone match; None otherwise, after the same work."""
    # One small row or none, whichever the reference: no object is built before the pair matches.
    row = db.execute(select(BookingRequest.seeker_number, BookingRequest.phone).where(
        BookingRequest.reference == reference, BookingRequest.office_slug == office.slug)).first()
    known = row is not None and bool(row.seeker_number)     # a purged request is not found either
    number, digits = (row.seeker_number, row.phone) if known else _NOBODY
    # Both comparisons always run, in constant time, whatever was typed and found.
    number_ok = hmac.compare_digest((seeker_number or "-").encode(), number.encode())
    phone_ok = hmac.compare_digest((phone or "-").encode(), digits.encode())
    return reference if known and (number_ok or phone_ok) else None


def appointment_start(db: Session, req: BookingRequest) -> datetime.datetime | None:
    """The confirmed start of the request's session, if staff fixed one."""
    appt = db.get(Appointment, req.id)
    return appt.starts_at if appt is not None else None


def cancel_online(db: Session, office: Office, policy: SlotPolicy, req: BookingRequest,
                  now: datetime.datetime) -> None:
    """The seeker cancels on the portal: the office's rules first, then the shared cancellation
    (place freed, event and audit entry with channel online and no staff). Raises StaffRuleError
    with a code the page phrases for the seeker."""
    sr.check_online_cancel(list(office.config.cancellation.channels), policy, req.status,
                           appointment_start(db, req), now)
    requests.cancel(db, office, req, None, "online", now)
