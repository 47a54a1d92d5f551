"""Bookings staff take themselves: by phone, at the counter, or during a session.

The same request, consent and appointment rows as a portal request, written in one transaction:
the seeker's details normalised as on the portal (portal.web.seekerform), the slot checked by the
same grid as a staff confirmation (the seeker's deadline does not bind staff; capacity, closures
and the grid do), and the consent recorded as given orally or on paper, pinned to the terms
version in force at that moment.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import staffrules as sr
from ...offices import Office
from ...rules import SlotPolicy
from ...wording import CONSENT_METHOD_LABELS
from ..consent import TermsShown, forget_stored, store_terms
from ..models import Appointment, BookingRequest, Consent, PreferredSlot, new_reference
from ..outbox import enqueue
from ..seekerform import SeekerDetails
from .services import audit, record_event, take_place


@dataclass(frozen=True)
class StaffBooking:
    """A booking as staff typed it, validated and normalised by the form."""
    seeker: SeekerDetails        # the same details as a portal request's
    start: datetime.datetime
    channel: str                 # phone, counter or session (staffrules.STAFF_CHANNELS)
    consent_method: str          # oral or paper
    memo: str
    submission_key: str | None = None    # printed in the form: a second press stores nothing more


def take_booking(db: Session, office: Office, policy: SlotPolicy, booking: StaffBooking, terms: TermsShown,
                 staff_id: int, now: datetime.datetime) -> tuple[str, bool]:
    """Store a booking taken by staff, confirmed at its slot: (its reference, whether it is new).

    The same form sent twice (a double click, the browser's back and resend) is found by its
    submission key and stored once.
    """
    if booking.submission_key:
        earlier = db.scalar(select(BookingRequest.reference).where(
            BookingRequest.submission_key == booking.submission_key, BookingRequest.office_slug == office.slug))
        if earlier:
            return earlier, False
    sr.check_staff_channel(booking.channel)
    if booking.consent_method not in ("oral", "paper"):
        raise sr.StaffRuleError("consent", "利用規約への同意を確認した方法（口頭・書面）を選んでください。")
    slot = sr.check_confirm(policy, now, booking.start)
    made: list[str] = []

    def make(place: int) -> None:
        store_terms(db, terms, now)
        req = BookingRequest(
            reference=new_reference(), office_slug=office.slug, status=sr.CONFIRMED, created_at=now,
            **booking.seeker.columns(), eligibility="", channel=booking.channel, memo=booking.memo,
            submission_key=booking.submission_key,
            slots=[PreferredSlot(rank=1, starts_at=slot.start)],
            consent=Consent(terms_sha256=terms.sha256, revision_label=terms.revision_label,
                            statement=f"{terms.statement}（{CONSENT_METHOD_LABELS[booking.consent_method]}）",
                            agreed_at=now, method=booking.consent_method))
        db.add(req)
        db.flush()
        db.add(Appointment(request_id=req.id, office_slug=office.slug, starts_at=slot.start, place_no=place))
        db.flush()
        record_event(db, req.id, staff_id, now, "book", booking.channel, starts_at=slot.start)
        enqueue.session_confirmed(db, office, req.id, slot.start, now)
        audit(db, now, staff_id, office.slug, "request_book", req.id, booking.channel, commit=False)
        db.commit()
        made.append(req.reference)

    try:
        take_place(db, office, policy, slot.start, make)
    except Exception:
        forget_stored(db, terms)
        raise
    return made[-1], True
