"""The staff console's actions on one request: contact, confirm, details, cancel, no-show, done, next.

Each action reads its small form, calls one service (checked by portal.staffrules there) and
returns the message to flash; `act` is the one view that runs them and redirects back.
"""
from __future__ import annotations

import datetime
from typing import TypeVar

from flask import abort, flash, redirect, url_for
from flask_wtf import FlaskForm

from ... import rules
from ... import staffrules as sr
from ...offices import Office
from .. import db
from ..state import portal_state
from . import services
from .access import office_access
from .accounts import Staff
from .forms import CancelForm, ContactForm, DetailsForm, SlotForm

F = TypeVar("F", bound=FlaskForm)


def _posted(form_class: type[F], refusal: str) -> F:
    """The action's posted form, checked; refused with a message naming what to choose."""
    form = form_class()
    if not form.validate():
        raise sr.StaffRuleError("form", refusal)
    return form


def _slot(form: SlotForm) -> datetime.datetime:
    try:
        return rules.parse_slot_key(form.slot.data)
    except rules.SlotError as exc:
        raise sr.StaffRuleError("bad_key", exc.message) from None


def _act_contact(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(ContactForm, "連絡の結果を選んでください。")
    services.record_contact(db.session(), office, ref, staff.id, form.outcome.data, now)
    return "連絡の記録を残しました。"


def _act_confirm(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(SlotForm, "日時を選んでください。")
    services.confirm(db.session(), office, portal_state().policy(office), ref, staff.id, _slot(form), now)
    return "日時を確定しました。接続情報を連絡したら記録してください。"


def _act_details(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(DetailsForm, "連絡の方法を選んでください。")
    services.record_details(db.session(), office, ref, staff.id, form.channel.data, now)
    return "接続情報の連絡を記録しました。"


def _act_cancel(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(CancelForm, "キャンセルの連絡方法を選んでください。")
    note = services.cancel(db.session(), office, ref, staff.id, form.channel.data, now)
    return "キャンセルを記録しました。" + (note or "")


def _act_no_show(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    services.mark_no_show(db.session(), office, ref, staff.id, now)
    return "連絡なしキャンセルとして記録しました。"


def _act_complete(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    services.mark_completed(db.session(), office, ref, staff.id, now)
    return "実施済みにしました。"


def _act_next(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(SlotForm, "次回の日時を選んでください。")
    new = services.book_next(db.session(), office, portal_state().policy(office), ref, staff.id, _slot(form), now)
    return f"次回の予約を確定しました（受付番号 {new}）。"


ACTIONS = {"contact": _act_contact, "confirm": _act_confirm, "details": _act_details, "cancel": _act_cancel,
           "no-show": _act_no_show, "complete": _act_complete, "next": _act_next}


@office_access()
def act(office: Office, staff: Staff, reference: str, action: str):
    """Run one action (checked by portal.staffrules), then back to the detail page."""
    run = ACTIONS.get(action)
    if run is None:
        abort(404)
    try:
        flash(run(office, staff, reference, portal_state().now()), "ok")
    except services.NotFound:
        abort(404)
    except sr.StaffRuleError as exc:
        db.session().rollback()
        flash(exc.message, "error")
    return redirect(url_for("staff.detail", slug=office.slug, reference=reference), code=303)
