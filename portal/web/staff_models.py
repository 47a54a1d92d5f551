"""Models of the staff console: accounts, server-side sessions, appointments, events, audit log.

Capacity is enforced by the database: an appointment holds one numbered place of its slot, and
(office, start, place) is unique, so two staff can never both take the last place. A cancelled
appointment keeps its start time but gives its place back (place_no NULL never conflicts).
"""
from __future__ import annotations

import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, UTCDateTime


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
