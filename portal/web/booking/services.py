"""Services: the only code that writes to the database.

`submit_request` stores a booking request with its preferred slots and the consent pinned to the
terms version shown, in one transaction; the terms text is stored once per SHA-256.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..consent import TermsShown, forget_stored, store_terms
from ..db import writing
from ..models import BookingRequest, Consent, PreferredSlot, new_reference
from ..seekerform import SeekerDetails

log = logging.getLogger(__name__)


class ReusedKey(Exception):
    """A submission key already stored with other answers (or at another office): store nothing."""


class StaleTerms(Exception):
    """The terms changed between showing the form and submitting it: ask for consent again."""

    def __init__(self, current: TermsShown) -> None:
        super().__init__("terms changed")
        self.current = current


@dataclass(frozen=True)
class Answers:
    """A validated, normalised request as typed by the seeker."""
    seeker: SeekerDetails
    slots: tuple[datetime.datetime, ...]
    eligibility: tuple[str, ...]
    submission_key: str | None = None
    link_sha256: str | None = None      # of the seeker's private link (see booking.mine)


# Called with (session, request id, reference) in the request's own transaction: the outbox's hook.
NotifyHook = Callable[[Session, int, str], None]


def submit_request(db: Session, office_slug: str, answers: Answers, shown_sha256: str,
                   current: TermsShown, now: datetime.datetime, notify: NotifyHook | None = None) -> str:
    """Store a request and its consent; returns the reference. Raises StaleTerms or ReusedKey, storing nothing.

    `notify` writes the request's messages (portal.web.outbox) in the same transaction."""
    if shown_sha256 != current.sha256:
        raise StaleTerms(current)
    earlier = _already_submitted(db, office_slug, answers)
    if earlier:
        return earlier
    with writing(db):
        return _store(db, office_slug, answers, current, now, notify)


def _store(db: Session, office_slug: str, answers: Answers, current: TermsShown, now: datetime.datetime,
           notify: NotifyHook | None) -> str:
    store_terms(db, current, now)
    for _attempt in range(5):
        reference = new_reference()
        try:
            request_id = _insert_request(db, reference, office_slug, answers, current, now)
            if notify is not None:
                notify(db, request_id, reference)
            db.commit()
        except IntegrityError:
            db.rollback()
            forget_stored(db, current)
            earlier = _already_submitted(db, office_slug, answers)
            if earlier:  # the same page submitted twice at the same moment
                return earlier
            store_terms(db, current, now)  # else a reference collision (rare): try another
            continue
        log.info("booking request stored: office=%s reference=%s", office_slug, reference)
        return reference
    raise RuntimeError("could not find a free reference")


# Plain inserts of the three rows (a request, its slots, its consent) in the caller's transaction:
# the ORM's unit of work (objects, relationship cascades, dependency sort at flush) cost more than
# the durable commit itself on every submission. Statements are built once and compiled once.
_INSERT_REQUEST = insert(BookingRequest.__table__)
_INSERT_SLOTS = insert(PreferredSlot.__table__)
_INSERT_CONSENT = insert(Consent.__table__)


def _insert_request(db: Session, reference: str, office_slug: str, answers: Answers,
                    current: TermsShown, now: datetime.datetime) -> int:
    conn = db.connection()
    request_id = conn.execute(_INSERT_REQUEST, {
        "reference": reference, "office_slug": office_slug, "status": "requested", "created_at": now,
        **answers.seeker.columns(),
        "eligibility": ",".join(answers.eligibility), "submission_key": answers.submission_key,
        "link_sha256": answers.link_sha256,
    }).inserted_primary_key[0]
    if answers.slots:
        conn.execute(_INSERT_SLOTS, [{"request_id": request_id, "rank": i, "starts_at": s}
                                     for i, s in enumerate(answers.slots, 1)])
    conn.execute(_INSERT_CONSENT, {"request_id": request_id, "terms_sha256": current.sha256,
                                   "revision_label": current.revision_label,
                                   "statement": current.statement, "agreed_at": now})
    return request_id


def _already_submitted(db: Session, office_slug: str, answers: Answers) -> str | None:
    """The reference stored under the answers' key when it holds the same answers; ReusedKey when
    the key holds others: a replayed or hand-made key never reveals or answers for another request."""
    if not answers.submission_key:
        return None
    earlier = db.scalar(select(BookingRequest).where(BookingRequest.submission_key == answers.submission_key))
    if earlier is None:
        return None
    columns = answers.seeker.columns()
    stored = (earlier.office_slug, {k: getattr(earlier, k) for k in columns}, tuple(s.starts_at for s in earlier.slots))
    if stored != (office_slug, columns, tuple(answers.slots)):
        raise ReusedKey()
    return earlier.reference


def find_request(db: Session, reference: str) -> BookingRequest | None:
    """The request with this reference, or None."""
    return db.scalar(select(BookingRequest).where(BookingRequest.reference == reference))
