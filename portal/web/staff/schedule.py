"""The office's schedule as staff work it: a day (printable on A4), a week, and what needs doing.

Read-only queries scoped to one office; labels phrased in Python (portal.wording), times in
Asia/Tokyo. Cancelled appointments hold no place and are left out.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ... import rules
from ... import staffrules as sr
from ... import wording
from ...offices import Office
from .. import normalise as norm
from ..models import Appointment, BookingRequest, RequestEvent
from .queries import UTC, day_bounds


def _companions(req: BookingRequest) -> str:
    return "、".join(wording.COMPANION_LABELS.get(c, c) for c in req.companions.split(",") if c)


@dataclass(frozen=True)
class ScheduleRow:
    """One slot of the day with the appointment holding it (or free)."""
    time: str
    place: int
    reference: str
    name: str
    kana: str
    phone: str
    status_label: str
    details: str
    companions: str     # who comes too (interpreter, caregiver…): staff prepare for them


def of_day(db: Session, office: Office, policy: rules.SlotPolicy, day: datetime.date) -> list[ScheduleRow]:
    """The day's slots, each place with its appointment (cancelled ones are left out)."""
    lo, hi = day_bounds(day)
    found = db.execute(select(Appointment, BookingRequest).join(BookingRequest, BookingRequest.id == Appointment.request_id)
                       .where(Appointment.office_slug == office.slug, Appointment.starts_at >= lo,
                              Appointment.starts_at < hi, Appointment.place_no.is_not(None))).all()
    booked = {(a.starts_at, a.place_no): (a, r) for a, r in found}
    out = []
    for slot in rules.slots_on(policy, day):
        for place in range(1, office.config.booking.capacity + 1):
            a, r = booked.pop((slot.start.astimezone(UTC), place), (None, None))
            time = wording.slot_times(office.config, slot.start)
            if r is None:
                out.append(ScheduleRow(time, place, "", "", "", "", "空き", "", ""))
            else:
                out.append(ScheduleRow(time, place, r.reference, r.name, r.kana, norm.phone_display(r.phone_typed),
                                       wording.STATUS_LABELS.get(r.status, r.status),
                                       wording.DETAILS_CHANNEL_LABELS.get(a.details_channel or "", "未連絡"),
                                       _companions(r)))
    for (start, place), (a, r) in sorted(booked.items()):   # off-grid (e.g. hours changed since)
        out.append(ScheduleRow(wording.slot_times(office.config, start), place, r.reference, r.name, r.kana, norm.phone_display(r.phone_typed),
                               wording.STATUS_LABELS.get(r.status, r.status), wording.DETAILS_CHANNEL_LABELS.get(a.details_channel or "", "未連絡"),
                               _companions(r)))
    return out


@dataclass(frozen=True)
class WeekDay:
    """One day of the week view: its label and its booked places (free ones are only counted)."""
    day: datetime.date
    label: str
    booked: list[ScheduleRow]
    free: int
    open: bool


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of day's week."""
    return day - datetime.timedelta(days=day.weekday())


def of_week(db: Session, office: Office, policy: rules.SlotPolicy, monday: datetime.date) -> list[WeekDay]:
    """Monday to Sunday from monday: each day's booked places and how many are still free."""
    out = []
    for i in range(7):
        day = monday + datetime.timedelta(days=i)
        rows = of_day(db, office, policy, day)
        booked = [r for r in rows if r.reference]
        out.append(WeekDay(day, wording.day_label(day), booked, len(rows) - len(booked),
                           bool(rules.slots_on(policy, day))))
    return out


@dataclass(frozen=True)
class ToDo:
    """What needs doing at one office: requests nobody has touched, and all still open."""
    new: int            # requested, no action recorded yet
    unhandled: int      # requested (no date yet) or confirmed without the details sent


def to_do(db: Session, slugs: list[str]) -> dict[str, ToDo]:
    """The counts of the home page, for each office in slugs (two grouped queries)."""
    touched = exists().where(RequestEvent.request_id == BookingRequest.id)
    new = dict(db.execute(select(BookingRequest.office_slug, func.count()).where(
        BookingRequest.office_slug.in_(slugs), BookingRequest.status == sr.REQUESTED, ~touched)
        .group_by(BookingRequest.office_slug)).all())
    requested = dict(db.execute(select(BookingRequest.office_slug, func.count()).where(
        BookingRequest.office_slug.in_(slugs), BookingRequest.status == sr.REQUESTED)
        .group_by(BookingRequest.office_slug)).all())
    # Driven from the requests' (office, status) index: confirmed ones are few per office.
    undelivered = dict(db.execute(select(BookingRequest.office_slug, func.count()).join(
        Appointment, Appointment.request_id == BookingRequest.id).where(
        BookingRequest.office_slug.in_(slugs), BookingRequest.status == sr.CONFIRMED,
        Appointment.details_channel.is_(None)).group_by(BookingRequest.office_slug)).all())
    return {s: ToDo(new.get(s, 0), requested.get(s, 0) + undelivered.get(s, 0)) for s in slugs}
