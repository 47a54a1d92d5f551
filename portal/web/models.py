"""SQLAlchemy 2 typed models: booking requests, preferred slots, pinned consents; staff accounts,
sessions, appointments, events and the audit log.

Times are stored as naive UTC and read back as aware UTC (`UTCDateTime`), the same on SQLite
and PostgreSQL. `BookingRequest.status` starts as "requested"; the staff console moves it on.
Capacity is enforced by the database: an appointment holds one numbered place of its slot, and
(office, start, place) is unique, so two staff can never both take the last place. A cancelled
appointment keeps its start time but gives its place back (place_no NULL never conflicts).
"""
from __future__ import annotations

import datetime
import secrets

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = datetime.timezone.utc
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a reference is read out over the phone.
_ALPHABET = "3467ACDEFGHJKMNPQRTUVWXY"


def new_reference() -> str:
    """A random request reference such as "K7QM-3FXA" (24^8 ≈ 1.1e11 values)."""
    chars = [secrets.choice(_ALPHABET) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC; naive values are refused (they are ambiguous)."""
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime.datetime | None, dialect: Dialect) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime.datetime | None, dialect: Dialect) -> datetime.datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base of every model."""


class TermsVersion(Base):
    """One exact terms text, stored once per SHA-256, so any consent can be shown with its text."""
    __tablename__ = "terms_versions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_slug: Mapped[str] = mapped_column(String(64), index=True)
    revision_label: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class BookingRequest(Base):
    """A seeker's request for an online counselling session, before staff fix the time."""
    __tablename__ = "booking_requests"
    __table_args__ = (Index("ix_booking_requests_office_status", "office_slug", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    office_slug: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100))
    seeker_number: Mapped[str] = mapped_column(String(20))          # normalised: 12345-12345678
    seeker_number_typed: Mapped[str] = mapped_column(String(40))    # exactly as typed
    phone: Mapped[str] = mapped_column(String(20))                  # digits only
    phone_typed: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    companions: Mapped[str] = mapped_column(String(100), default="")  # e.g. "family,interpreter"
    companion_note: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(String(400), default="")  # condition ids answered yes
    # Random key printed in the check-answers page: pressing submit twice stores one request.
    submission_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    # How the request came in: "portal" (the seeker), or taken by staff: phone, counter, session.
    channel: Mapped[str] = mapped_column(String(20), default="portal", server_default="portal")
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")   # staff's notes: personal data
    # SHA-256 of the token in the seeker's private link (the token is never stored); NULL once purged.
    link_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    slots: Mapped[list[PreferredSlot]] = relationship(
        back_populates="request", order_by="PreferredSlot.rank", cascade="all, delete-orphan")
    consent: Mapped[Consent] = relationship(back_populates="request", cascade="all, delete-orphan")


class PreferredSlot(Base):
    """One of up to three preferred session starts of a request, by rank (1 = first choice)."""
    __tablename__ = "preferred_slots"
    __table_args__ = (UniqueConstraint("request_id", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)

    request: Mapped[BookingRequest] = relationship(back_populates="slots")


class Consent(Base):
    """The seeker's consent, pinned to the terms version shown: label, hash, time and statement."""
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), unique=True)
    terms_sha256: Mapped[str] = mapped_column(ForeignKey("terms_versions.sha256"), index=True)
    revision_label: Mapped[str] = mapped_column(String(100))
    statement: Mapped[str] = mapped_column(Text)
    agreed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(20), default="portal", server_default="portal")  # oral, paper

    request: Mapped[BookingRequest] = relationship(back_populates="consent")
    terms: Mapped[TermsVersion] = relationship()


class StaffUser(Base):
    """A staff member; the password is an argon2id hash, never stored or logged in clear."""
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    # TOTP (RFC 6238): the base32 secret, set when enrolment starts; in force once enabled_at is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)   # a code is accepted once

    offices: Mapped[list[StaffOffice]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="StaffOffice.office_slug")


class StaffOffice(Base):
    """A staff member's access to one office, with the role held there."""
    __tablename__ = "staff_offices"
    __table_args__ = (UniqueConstraint("user_id", "office_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    office_slug: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[StaffUser] = relationship(back_populates="offices")


class StaffSession(Base):
    """A login held on the server: the cookie carries a random token, the table its SHA-256."""
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    mfa_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)   # when the one-time code passed
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0)


class StaffRecoveryCode(Base):
    """A one-time recovery code of a staff member's MFA, stored as its SHA-256 (50 random bits)."""
    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class StaffLoginLock(Base):
    """Failed logins of one typed name from one client address, and the lock they led to.

    Per name *and* address: an outsider who fails on purpose locks only their own pair, never the
    staff member at their own desk. Kept for unknown names too, so a lock tells nothing either.
    """
    __tablename__ = "staff_login_locks"
    __table_args__ = (UniqueConstraint("username", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class Appointment(Base):
    """The confirmed time of a request, holding place `place_no` of its slot while it stands."""
    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("office_slug", "starts_at", "place_no", name="uq_appointment_place"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), primary_key=True)
    office_slug: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)
    place_no: Mapped[int | None] = mapped_column(Integer)
    details_channel: Mapped[str | None] = mapped_column(String(20))
    details_sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    previous_request_id: Mapped[int | None] = mapped_column(ForeignKey("booking_requests.id", ondelete="SET NULL"))
    # Meeting details (migration 0010): personal data, blanked by the retention purge.
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    meeting_id: Mapped[str | None] = mapped_column(String(50))
    meeting_passcode: Mapped[str | None] = mapped_column(String(50))


class RequestEvent(Base):
    """One staff action on a request: what, when, by whom, and its non-personal outcome."""
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20), default="")   # reached, phone, mypage…
    starts_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    same_day: Mapped[bool | None] = mapped_column(Boolean)
    from_status: Mapped[str | None] = mapped_column(String(20))    # before this action: what undo restores
    undone_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[StaffUser | None] = relationship()


class RequestPurge(Base):
    """A request whose personal data was deleted by the retention purge (consent kept)."""
    __tablename__ = "request_purges"

    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), primary_key=True)
    purged_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who viewed, exported or changed what and when: ids only, never personal values."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    office_slug: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")

    staff: Mapped[StaffUser | None] = relationship()


class RateLimitCounter(Base):
    """One fixed-window rate-limit counter (portal.web.ratelimit): a limit and client as `key`."""
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)   # Unix time: compared with time.time() only


class OutboxMessage(Base):
    """One e-mail to send (portal.web.outbox), written in the transaction of the event causing it.

    status: pending → sending (claimed by one sender) → sent, or back to pending with a later
    next_attempt_at, or failed with its reason. A seeker's message holds personal data (address,
    body) until it is sent; then body and address are blanked, and the purge deletes the rows of a
    purged request. A staff alert (kind "staff_alert", one row per new request, no personal data)
    is sent in batches: one e-mail for every pending alert of an office.
    """
    __tablename__ = "outbox"
    # Few indexes: each one is written in every booking's transaction. The message key is 128
    # random bits, unique without a constraint to check.
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_office_status", "office_slug", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_slug: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))       # receipt, confirm, reschedule, cancel, staff_alert
    recipient: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer, default=0)      # the calendar's SEQUENCE
    message_key: Mapped[str] = mapped_column(String(64))   # the stable Message-ID's left part
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(300), default="")    # the server's reason, no personal data
