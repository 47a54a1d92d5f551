"""Writes on a request that both the seeker's pages and the staff console make: cancellation.

Here, not in either package, so the booking flow and the console share one cancellation (place
freed, event, audit entry, one transaction) without importing each other. The status moves by a
conditional UPDATE (`WHERE status = the status checked`), so of two cancellations at once exactly
one succeeds; the other gets StaffRuleError("conflict").
"""
from __future__ import annotations

import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import staffrules as sr
from ..offices import Office
from .models import Appointment, AuditEntry, BookingRequest, RequestEvent
from .outbox import enqueue

CONFLICT = "ほかの操作と同時にこの申し込みが更新されました。画面を開き直してください。"


def cancel(db: Session, office: Office, req: BookingRequest, staff_id: int | None, channel: str,
           now: datetime.datetime, conflict: str = CONFLICT) -> str | None:
    """Cancel req, recording the channel and whether it was the same day, and free its place.

    staff_id is None when the seeker cancelled on the portal. Returns a note when the channel is
    not one the terms name (recorded anyway: the seeker did cancel).
    """
    expected = req.status
    new = sr.next_status(expected, "cancel")
    sr.check_cancel_channel(channel)
    appt = db.get(Appointment, req.id)
    start = appt.starts_at if appt else None
    same_day = sr.is_same_day(start, now)
    c = office.config.cancellation
    note = sr.cancel_note(channel, same_day, list(c.channels), list(c.same_day_channels or []) or None)
    done = db.execute(update(BookingRequest).where(BookingRequest.id == req.id, BookingRequest.status == expected)
                      .values(status=new).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.rollback()
        raise sr.StaffRuleError("conflict", conflict)
    if appt is not None:
        appt.place_no = None     # the place goes back to the slot
    # from_status lets staff undo it the same day, as any status change.
    db.add(RequestEvent(request_id=req.id, at=now, staff_id=staff_id, action="cancel", outcome=channel,
                        starts_at=start, same_day=same_day, from_status=expected))
    db.add(AuditEntry(at=now, staff_id=staff_id, office_slug=office.slug, action="request_cancel",
                      record_id=req.id, detail=channel))
    enqueue.session_cancelled(db, office, req.id, start, now)
    db.commit()
    return note
