"""Staff actions on requests (services: the only code writing requests, appointments and the log).

Every action is checked by `portal.staffrules` first, then written in one transaction together
with its event and its audit entry. Status changes are conditional UPDATEs (`WHERE status = the
status we checked`), and a confirmation takes a numbered place of its slot under a unique
constraint, so two staff acting at once can never both succeed where only one may.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import staffrules as sr
from ... import wording
from ...meeting import MeetingDetails, stored
from ...offices import Office
from ...rules import SlotPolicy
from .. import requests
from ..outbox import enqueue
from ..models import Appointment, AuditEntry, BookingRequest, Consent, PreferredSlot, RequestEvent, new_reference


class NotFound(LookupError):
    """No such request in this office (another office's request is not found either)."""


def audit(db: Session, now: datetime.datetime, staff_id: int | None, office_slug: str | None,
          action: str, record_id: int | None = None, detail: str = "", commit: bool = True) -> None:
    """Log a view, export or change: staff, time, office, record id; never personal values."""
    db.add(AuditEntry(at=now, staff_id=staff_id, office_slug=office_slug, action=action,
                      record_id=record_id, detail=detail))
    if commit:
        db.commit()


def load(db: Session, office: Office, reference: str) -> BookingRequest:
    """The request with reference in office, or NotFound."""
    req = db.scalar(select(BookingRequest).where(BookingRequest.reference == reference,
                                                 BookingRequest.office_slug == office.slug))
    if req is None:
        raise NotFound(reference)
    return req


def _appointment(db: Session, req: BookingRequest) -> Appointment | None:
    return db.get(Appointment, req.id)


def _set_status(db: Session, req: BookingRequest, expected: str, new: str) -> None:
    if new == expected:
        return
    done = db.execute(update(BookingRequest).where(BookingRequest.id == req.id, BookingRequest.status == expected)
                      .values(status=new).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.rollback()
        raise sr.StaffRuleError("conflict", "ほかの職員が同時にこの申し込みを更新しました。画面を開き直してください。")


def record_event(db: Session, req_id: int, staff_id: int, now: datetime.datetime, action: str,
                 outcome: str = "", starts_at: datetime.datetime | None = None, same_day: bool | None = None,
                 from_status: str | None = None) -> None:
    """Add one event to a request's history, in the caller's transaction."""
    db.add(RequestEvent(request_id=req_id, at=now, staff_id=staff_id, action=action, outcome=outcome,
                        starts_at=starts_at, same_day=same_day, from_status=from_status))


def _finish(db: Session, office: Office, req: BookingRequest, staff_id: int, now: datetime.datetime,
            action: str, expected: str, outcome: str = "", **event: datetime.datetime | bool | None) -> None:
    new = sr.next_status(expected, action)
    _set_status(db, req, expected, new)
    # A status change remembers what it changed, so it can be undone (staffrules.UNDOABLE).
    record_event(db, req.id, staff_id, now, action, outcome, from_status=expected if new != expected else None,
                 **event)
    audit(db, now, staff_id, office.slug, f"request_{action}", req.id, outcome, commit=False)
    db.commit()


def record_contact(db: Session, office: Office, reference: str, staff_id: int, outcome: str,
                   now: datetime.datetime) -> None:
    """Record a contact attempt: reached or not reached."""
    req = load(db, office, reference)
    sr.next_status(req.status, "contact")
    if outcome not in wording.CONTACT_OUTCOME_LABELS:
        raise sr.StaffRuleError("outcome", "連絡の結果を選んでください。")
    _finish(db, office, req, staff_id, now, "contact", req.status, outcome)


def _taken(db: Session, office: Office, start: datetime.datetime) -> int:
    return db.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.office_slug == office.slug, Appointment.starts_at == start,
        Appointment.place_no.is_not(None))) or 0


def take_place(db: Session, office: Office, policy: SlotPolicy, start: datetime.datetime,
                make: Callable[[int], None]) -> None:
    """Try each place of the slot in turn; `make(place)` writes and commits. Raises when full."""
    sr.check_capacity(policy, _taken(db, office, start))
    db.rollback()  # end the read: the writes below start their own transaction
    for place in range(1, policy.capacity + 1):
        try:
            make(place)
            return
        except IntegrityError:
            db.rollback()   # that place was taken (or the request was confirmed) meanwhile
    raise sr.slot_full(policy.capacity)


def _meeting_values(details: MeetingDetails) -> dict[str, str | None]:
    return {"meeting_url": details.url or None, "meeting_id": details.meeting_id or None,
            "meeting_passcode": details.passcode or None}


def _audit_meeting(db: Session, office: Office, req_id: int, staff_id: int, now: datetime.datetime,
                   details: MeetingDetails) -> None:
    # Only which parts are set: the values are personal data and never reach the audit log.
    audit(db, now, staff_id, office.slug, "meeting_details", req_id, details.summary(), commit=False)


def confirm(db: Session, office: Office, policy: SlotPolicy, reference: str, staff_id: int,
            start: datetime.datetime, now: datetime.datetime, details: MeetingDetails | None = None) -> None:
    """Confirm a request at one slot, taking a place of the slot (capacity held by the database);
    the meeting details, when staff typed them, are stored with it and mailed where the office
    sends them by e-mail."""
    req = load(db, office, reference)
    sr.next_status(req.status, "confirm")
    slot = sr.check_confirm(policy, now, start)
    req_id, expected = req.id, req.status

    def make(place: int) -> None:
        # The INSERT comes first so the transaction holds the write lock before anything else.
        db.add(Appointment(request_id=req_id, office_slug=office.slug, starts_at=slot.start, place_no=place,
                           **_meeting_values(details or MeetingDetails())))
        db.flush()
        if details:
            _audit_meeting(db, office, req_id, staff_id, now, details)
        enqueue.session_confirmed(db, office, req_id, slot.start, now)
        _finish(db, office, req, staff_id, now, "confirm", expected, starts_at=slot.start)

    take_place(db, office, policy, slot.start, make)


def record_details(db: Session, office: Office, reference: str, staff_id: int, channel: str,
                   now: datetime.datetime) -> None:
    """Record how the date, time and meeting details went out (phone / 求職者マイページ)."""
    req = load(db, office, reference)
    sr.next_status(req.status, "details")
    if channel not in wording.DETAILS_CHANNEL_LABELS:
        raise sr.StaffRuleError("channel", "連絡の方法を選んでください。")
    appt = _appointment(db, req)
    appt.details_channel, appt.details_sent_at = channel, now
    _finish(db, office, req, staff_id, now, "details", req.status, channel)


def cancel(db: Session, office: Office, reference: str, staff_id: int, channel: str,
           now: datetime.datetime) -> str | None:
    """Cancel, recording the channel and whether it was the same day; frees the place.

    Returns a note when the channel is not one the terms name (it is recorded anyway: the
    seeker did cancel). The write is shared with the seeker's online cancellation.
    """
    req = load(db, office, reference)
    return requests.cancel(db, office, req, staff_id, channel, now,
                           "ほかの職員が同時にこの申し込みを更新しました。画面を開き直してください。")


def mark_no_show(db: Session, office: Office, reference: str, staff_id: int, now: datetime.datetime) -> None:
    """Mark a no-show: only from the start plus the office's no-show minutes."""
    req = load(db, office, reference)
    sr.next_status(req.status, "no_show")
    appt = _appointment(db, req)
    sr.check_no_show(appt.starts_at, office.config.no_show.minutes, now, office.config.typography.time_separator)
    _finish(db, office, req, staff_id, now, "no_show", req.status, starts_at=appt.starts_at)


def mark_completed(db: Session, office: Office, reference: str, staff_id: int, now: datetime.datetime) -> None:
    """Mark the session held (only once it has started)."""
    req = load(db, office, reference)
    sr.next_status(req.status, "complete")
    appt = _appointment(db, req)
    sr.check_complete(appt.starts_at, now)
    _finish(db, office, req, staff_id, now, "complete", req.status, starts_at=appt.starts_at)


def book_next(db: Session, office: Office, policy: SlotPolicy, reference: str, staff_id: int,
              start: datetime.datetime, now: datetime.datetime) -> str:
    """Book the next session for the same seeker, confirmed at start; returns its reference.

    The new request carries a copy of the consent record (same terms version and time), since
    the seeker agreed to those terms; its detail page links to the earlier request.
    """
    req = load(db, office, reference)
    sr.next_status(req.status, "next")
    slot = sr.check_confirm(policy, now, start)
    consent = req.consent
    fields = {k: getattr(req, k) for k in ("name", "kana", "seeker_number", "seeker_number_typed", "phone",
                                           "phone_typed", "email", "companions", "companion_note", "eligibility")}
    consent_fields = {"terms_sha256": consent.terms_sha256, "revision_label": consent.revision_label,
                      "statement": consent.statement, "agreed_at": consent.agreed_at}
    prev_id = req.id
    made: list[str] = []

    def make(place: int) -> None:
        new = BookingRequest(reference=new_reference(), office_slug=office.slug, status=sr.CONFIRMED,
                             created_at=now, slots=[PreferredSlot(rank=1, starts_at=slot.start)],
                             consent=Consent(**consent_fields), **fields)
        db.add(new)
        db.flush()
        db.add(Appointment(request_id=new.id, office_slug=office.slug, starts_at=slot.start, place_no=place,
                           previous_request_id=prev_id))
        db.flush()
        record_event(db, prev_id, staff_id, now, "next", new.reference[:20], starts_at=slot.start)
        record_event(db, new.id, staff_id, now, "confirm", "next", starts_at=slot.start)
        enqueue.session_confirmed(db, office, new.id, slot.start, now)
        audit(db, now, staff_id, office.slug, "request_next", prev_id, f"new={new.id}", commit=False)
        db.commit()
        made.append(new.reference)

    take_place(db, office, policy, slot.start, make)
    return made[-1]


def reschedule(db: Session, office: Office, policy: SlotPolicy, reference: str, staff_id: int,
               start: datetime.datetime, now: datetime.datetime, details: MeetingDetails | None = None) -> None:
    """Move a confirmed appointment: the old place is freed and a new one taken in one transaction.

    The meeting details must go out again for the new time, so the record of sending them is
    cleared; the stored details are replaced when staff typed new ones (None keeps them).
    """
    req = load(db, office, reference)
    sr.next_status(req.status, "reschedule")
    appt = _appointment(db, req)
    sr.check_reschedule(appt.starts_at, start)
    slot = sr.check_confirm(policy, now, start)
    req_id, expected, old = req.id, req.status, appt.starts_at
    current = stored_details(appt)

    def make(place: int) -> None:
        # One UPDATE moves the row: the unique (office, start, place) checks the new place.
        db.execute(update(Appointment).where(Appointment.request_id == req_id)
                   .values(starts_at=slot.start, place_no=place, details_channel=None, details_sent_at=None,
                           **(_meeting_values(details) if details is not None else {}))
                   .execution_options(synchronize_session=False))
        if details is not None and details != current:
            _audit_meeting(db, office, req_id, staff_id, now, details)
        enqueue.session_confirmed(db, office, req_id, slot.start, now, moved_from=old)
        _finish(db, office, req, staff_id, now, "reschedule", expected, wording.slot_label(office.config, old)[:20],
                starts_at=slot.start)

    take_place(db, office, policy, slot.start, make)


def undo(db: Session, office: Office, policy: SlotPolicy, reference: str, staff_id: int,
         now: datetime.datetime) -> str:
    """Take back the request's last status change (same day, once); returns what was undone.

    Undoing a cancellation or a no-show takes the place of the slot back (refused if it has been
    taken meanwhile); undoing a confirmation frees it.
    """
    req = load(db, office, reference)
    last = db.scalar(select(RequestEvent).where(RequestEvent.request_id == req.id,
                                                RequestEvent.from_status.is_not(None))
                     .order_by(RequestEvent.id.desc()).limit(1))
    if last is None:
        raise sr.StaffRuleError("not_undoable", "取り消せる操作がありません。")
    sr.check_undo(last.action, last.at, last.undone_at is not None, now)
    appt = _appointment(db, req)
    current, back, action = req.status, last.from_status, last.action
    if action == "confirm" and appt is not None:
        db.delete(appt)
    elif action == "cancel" and appt is not None and back == sr.CONFIRMED:
        held = _places(db, office, appt.starts_at)
        free = [place for place in range(1, policy.capacity + 1) if place not in held]
        if not free:
            raise sr.slot_full(policy.capacity)
        appt.place_no = free[0]
    _set_status(db, req, current, back)
    _undo_mail(db, office, req.id, action, back, appt, now)
    last.undone_at = now
    record_event(db, req.id, staff_id, now, "undo", action)
    audit(db, now, staff_id, office.slug, "request_undo", req.id, action, commit=False)
    try:
        db.commit()
    except IntegrityError:    # the freed place was taken at this very moment
        db.rollback()
        raise sr.slot_full(policy.capacity) from None
    return action


def _undo_mail(db: Session, office: Office, req_id: int, action: str, back: str | None,
               appt: Appointment | None, now: datetime.datetime) -> None:
    # The seeker's calendar follows the undo: a confirmation taken back cancels the event,
    # a cancellation taken back invites again (higher SEQUENCE, same UID).
    if appt is None:
        return
    if action == "confirm":
        enqueue.session_cancelled(db, office, req_id, appt.starts_at, now)
    elif action == "cancel" and back == sr.CONFIRMED:
        enqueue.session_confirmed(db, office, req_id, appt.starts_at, now)


def _places(db: Session, office: Office, start: datetime.datetime) -> set[int]:
    return set(db.scalars(select(Appointment.place_no).where(
        Appointment.office_slug == office.slug, Appointment.starts_at == start, Appointment.place_no.is_not(None))))


def save_memo(db: Session, office: Office, reference: str, staff_id: int, memo: str, now: datetime.datetime) -> None:
    """Keep staff's notes on a request (personal data: purged with it; never in the audit log)."""
    req = load(db, office, reference)
    req.memo = memo
    record_event(db, req.id, staff_id, now, "memo")
    audit(db, now, staff_id, office.slug, "request_memo", req.id, f"length={len(memo)}", commit=False)
    db.commit()


def stored_details(appt: Appointment | None) -> MeetingDetails:
    """The meeting details stored with an appointment (empty when none)."""
    if appt is None:
        return MeetingDetails()
    return stored(appt.meeting_url, appt.meeting_id, appt.meeting_passcode)


def set_meeting(db: Session, office: Office, reference: str, staff_id: int, details: MeetingDetails,
                now: datetime.datetime) -> bool:
    """Set or change the meeting details of a confirmed appointment; False when nothing changed.

    A change is one transaction: the columns, an event, an audit entry naming only which parts
    are set, and (where details_channel is email) the "会議の情報" mail to the seeker.
    """
    req = load(db, office, reference)
    sr.next_status(req.status, "details")      # only a confirmed request has an appointment
    appt = _appointment(db, req)
    if stored_details(appt) == details:
        return False
    db.execute(update(Appointment).where(Appointment.request_id == req.id).values(**_meeting_values(details))
               .execution_options(synchronize_session=False))
    record_event(db, req.id, staff_id, now, "meeting")
    _audit_meeting(db, office, req.id, staff_id, now, details)
    enqueue.details_changed(db, office, req.id, appt.starts_at, now)
    db.commit()
    return True
