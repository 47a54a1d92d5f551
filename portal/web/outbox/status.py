"""What the staff console shows of an office's mail: on or off, waiting, and failed messages.

Only what staff already see elsewhere: the request's reference, what kind of message, when, and
the server's reason (the address in it is replaced by 「（宛先）」); never a body or an address.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import BookingRequest, OutboxMessage as Row

KIND_LABELS = {"receipt": "受付のお知らせ", "confirm": "日時確定のお知らせ", "reschedule": "日時変更のお知らせ",
               "cancel": "キャンセルのお知らせ", "details": "会議の情報のお知らせ", "staff_alert": "職員への新着通知"}


@dataclass(frozen=True)
class FailedMail:
    """One message that could not be sent, as staff read it."""
    reference: str
    kind: str
    created_at: datetime.datetime
    attempts: int
    reason: str


@dataclass(frozen=True)
class MailStatus:
    """An office's mail at a glance."""
    mail_on: bool
    waiting: int
    sent: int
    failed: list[FailedMail]


def office_status(db: Session, office_slug: str, mail_on: bool, limit: int = 100) -> MailStatus:
    """Counts and the latest failed messages of one office."""
    counts = dict(db.execute(select(Row.status, func.count()).where(Row.office_slug == office_slug)
                             .group_by(Row.status)).all())
    failed = db.execute(select(BookingRequest.reference, Row.kind, Row.created_at, Row.attempts, Row.error)
                        .outerjoin(BookingRequest, BookingRequest.id == Row.request_id)
                        .where(Row.office_slug == office_slug, Row.status == "failed")
                        .order_by(Row.id.desc()).limit(limit)).all()
    return MailStatus(mail_on, counts.get("pending", 0) + counts.get("sending", 0), counts.get("sent", 0),
                      [FailedMail(r.reference or "", KIND_LABELS.get(r.kind, r.kind), r.created_at, r.attempts, r.error)
                       for r in failed])
