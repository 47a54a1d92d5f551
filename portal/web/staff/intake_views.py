"""The page where staff enter a booking taken by phone, at the counter or during a session.

Thin: the form (portal.web.staff.forms.BookingForm) checks the seeker's details as the portal
does, the service (portal.web.staff.intake) checks the slot and writes; a refusal shows the
form again as typed, with the reason.
"""
from __future__ import annotations

import secrets

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ... import staffrules as sr
from ... import wording
from ...offices import Office
from .. import db
from ..frame import error_list
from ..state import portal_state
from . import queries
from .access import office_access
from .accounts import Staff
from .forms import BookingForm
from .intake import take_booking
from .views import render


def _form(office: Office) -> BookingForm:
    form = BookingForm(formdata=request.form if request.method == "POST" else None)
    form.set_companions(list(office.config.companions))
    return form


@office_access()
def new_booking(office: Office, staff: Staff) -> ResponseReturnValue:
    """Enter a booking taken by phone, at the counter or during a session (confirmed at once)."""
    state = portal_state()
    now = state.now()
    form = _form(office)
    problem = None
    if request.method == "POST" and form.validate():
        try:
            reference, new = take_booking(db.session(), office, state.policy(office), form.booking(),
                                          state.terms(office, now), staff.id, now)
        except sr.StaffRuleError as exc:
            db.session().rollback()
            problem = exc.message
        else:
            flash(f"予約を登録しました（受付番号 {reference}）。" if new
                  else f"この予約はすでに登録されています（受付番号 {reference}）。二重には登録していません。", "ok")
            return redirect(url_for("staff.detail", slug=office.slug, reference=reference), code=303)
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_hex(16)
    free = queries.free_slots(db.session(), office, state.policy(office), now)
    terms = state.terms(office, now)
    return render("staff/new.html", "予約の登録（電話・窓口・相談中）", office, form=form, problem=problem,
                  errors=error_list(form) if request.method == "POST" else [],
                  slot_choices=[("", "選択してください")] + free,
                  channel_choices=[(c, wording.REQUEST_CHANNEL_LABELS[c]) for c in sr.STAFF_CHANNELS],
                  consent_choices=[(m, wording.CONSENT_METHOD_LABELS[m]) for m in ("oral", "paper")], terms=terms)
