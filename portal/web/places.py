"""How many places of each slot are held: one grouped query over a span of slot starts.

A place is held by an appointment with a place number (`Appointment.place_no`); a cancelled or
moved appointment gives its place back by clearing the number. The unique constraint
uq_appointment_place (office_slug, starts_at, place_no) is an index whose leading columns are
exactly this query's filter, so the count reads the index alone, without a table lookup.
"""
from __future__ import annotations

import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..rules import SlotPolicy, open_slots
from .models import Appointment


def taken_between(db: Session, office_slug: str, first: datetime.datetime,
                  last: datetime.datetime) -> dict[datetime.datetime, int]:
    """Places held per slot start (aware UTC) for starts from first to last, both included."""
    held = func.count(Appointment.place_no)
    query = (select(Appointment.starts_at, held)
             .where(Appointment.office_slug == office_slug, Appointment.starts_at >= first,
                    Appointment.starts_at <= last, Appointment.place_no.is_not(None))
             .group_by(Appointment.starts_at))
    return {start: count for start, count in db.execute(query)}


def taken_open(db: Session, office_slug: str, policy: SlotPolicy,
               now: datetime.datetime) -> dict[datetime.datetime, int]:
    """Places held per start over the slots a seeker may request at now (empty when there are none)."""
    slots = open_slots(policy, now)
    if not slots:
        return {}
    return taken_between(db, office_slug, slots[0].start, slots[-1].start)
