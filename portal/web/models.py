"""SQLAlchemy 2 typed models: booking requests, their preferred slots and pinned consents.

Times are stored as naive UTC and read back as aware UTC (`UTCDateTime`), the same on SQLite
and PostgreSQL. `BookingRequest.status` starts as "requested"; the staff console moves it on.
"""
from __future__ import annotations

import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

UTC = datetime.timezone.utc


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC; naive values are refused (they are ambiguous)."""
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
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

    request: Mapped[BookingRequest] = relationship(back_populates="consent")
    terms: Mapped[TermsVersion] = relationship()
