"""The staff console's actions on one request: contact, confirm, details, cancel, no-show, done, next.

Each action reads its small form, calls one service (checked by portal.staffrules there) and
returns the message to flash; `act` is the one view that runs them and redirects back.
"""
from __future__ import annotations

import datetime
from typing import TypeVar

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response
from flask_wtf import FlaskForm

from ... import rules
from ... import staffrules as sr
from ... import meeting, wording
from ...offices import Office
from .. import db
from ..state import portal_state
from . import queries, services
from .access import office_access
from .accounts import Staff
from .forms import MEETING_FIELDS, CancelForm, ContactForm, DetailsForm, MeetingForm, MemoForm, SlotForm
from .views import detail_page, render

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


def _meeting_posted() -> meeting.MeetingDetails | None:
    """The meeting details posted with a confirmation or a reschedule (None when the form had
    none: the stored ones stay); DetailsError when one is refused."""
    if not any(name in request.form for name in MEETING_FIELDS):
        return None
    return meeting.parse(*(request.form.get(name, "") for name in MEETING_FIELDS))


def _meeting_note(office: Office, details: meeting.MeetingDetails | None) -> str:
    if not details:
        return ""
    if office.config.booking.details_channel == "email":
        return "会議の情報は、求職者のメールアドレスがあればメールでお知らせします。"
    return "この窓口では会議の情報をメールで送りません。決められた方法で連絡してください。"


def _act_contact(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(ContactForm, "連絡の結果を選んでください。")
    services.record_contact(db.session(), office, ref, staff.id, form.outcome.data, now)
    return "連絡の記録を残しました。"


def _act_confirm(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(SlotForm, "日時を選んでください。")
    details = _meeting_posted()
    services.confirm(db.session(), office, portal_state().policy(office), ref, staff.id, _slot(form), now, details)
    return "日時を確定しました。" + (_meeting_note(office, details) or "接続情報を連絡したら記録してください。")


def _act_meeting(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(MeetingForm, "送信内容が正しくありません。画面を開き直してください。")
    details = meeting.parse(form.meeting_url.data, form.meeting_id.data, form.meeting_passcode.data)
    if not services.set_meeting(db.session(), office, ref, staff.id, details, now):
        return "会議の情報は変わっていません。"
    note = _meeting_note(office, details) if details else ""
    return ("会議の情報を保存しました。" if details else "会議の情報を消しました。") + note


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


def _act_reschedule(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = _posted(SlotForm, "変更後の日時を選んでください。")
    details = _meeting_posted()
    services.reschedule(db.session(), office, portal_state().policy(office), ref, staff.id, _slot(form), now, details)
    return "日時を変更しました。新しい日時と接続情報を、あらためて求職者に連絡してください。" + _meeting_note(office, details)


def _act_undo(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    undone = services.undo(db.session(), office, portal_state().policy(office), ref, staff.id, now)
    return f"「{wording.ACTION_LABELS.get(undone, undone)}」を取り消しました。"


def _act_memo(office: Office, staff: Staff, ref: str, now: datetime.datetime) -> str:
    form = MemoForm()
    if not form.validate():
        raise sr.StaffRuleError("form", form.memo.errors[0] + "。メモは保存していません。")
    services.save_memo(db.session(), office, ref, staff.id, form.memo.data, now)
    return "メモを保存しました。"


ACTIONS = {"contact": _act_contact, "confirm": _act_confirm, "details": _act_details, "cancel": _act_cancel,
           "no-show": _act_no_show, "complete": _act_complete, "next": _act_next, "reschedule": _act_reschedule,
           "undo": _act_undo, "memo": _act_memo, "meeting": _act_meeting}
# URL names of the actions that ask "are you sure?" before they run (staffrules.ASK_FIRST).
_ASK_FIRST = {"cancel": "cancel", "no-show": "no_show", "complete": "complete"}
assert set(_ASK_FIRST.values()) == sr.ASK_FIRST


def _question(office: Office, reference: str, action: str) -> Response | None:
    """For an action that asks first and is not yet confirmed: the redirect to its "are you
    sure?" page (a GET, so Back and Reload are harmless); None once confirmed (or never asked)."""
    if action not in _ASK_FIRST or request.form.get("confirmed") == "yes":
        return None
    if action == "cancel":
        _posted(CancelForm, "キャンセルの連絡方法を選んでください。")
    _askable(office, reference, action)
    fields = {k: v for k, v in request.form.items() if k not in ("csrf_token", "confirmed")}
    return redirect(url_for("staff.ask", slug=office.slug, reference=reference, action=action, **fields), code=303)


def _askable(office: Office, reference: str, action: str) -> tuple[object, str]:
    # The request and the rule of an action that asks first; raises what would refuse it anyway.
    now = portal_state().now()
    view = queries.detail(db.session(), office, reference, now)
    if view is None:
        raise services.NotFound(reference)
    rule = _ASK_FIRST[action]
    sr.next_status(view.status, rule)       # never ask about what would be refused anyway
    if rule == "no_show":
        sr.check_no_show(view.starts_at, office.config.no_show.minutes, now, office.config.typography.time_separator)
    elif rule == "complete":
        sr.check_complete(view.starts_at, now)
    return view, rule


@office_access()
def ask(office: Office, staff: Staff, reference: str, action: str):
    """The "are you sure?" page of cancel, no-show and completed, with the posted choices."""
    if action not in _ASK_FIRST:
        abort(404)
    try:
        view, rule = _askable(office, reference, action)
    except services.NotFound:
        abort(404)
    except sr.StaffRuleError as exc:
        flash(exc.message, "error")
        return redirect(url_for("staff.detail", slug=office.slug, reference=reference), code=303)
    label = wording.ACTION_LABELS[rule]
    return render("staff/confirm.html", f"{label}の確認", office, req=view, action=action, label=label,
                  fields={k: v for k, v in request.args.items() if k not in ("csrf_token", "confirmed")})


@office_access()
def act(office: Office, staff: Staff, reference: str, action: str):
    """Run one action (checked by portal.staffrules), then back to the detail page; cancel,
    no-show and completed ask for confirmation first."""
    run = ACTIONS.get(action)
    if run is None:
        abort(404)
    try:
        question = _question(office, reference, action)
        if question is not None:
            return question
        flash(run(office, staff, reference, portal_state().now()), "ok")
    except services.NotFound:
        abort(404)
    except meeting.DetailsError as exc:
        # Nothing stored; the page comes back with what was typed, so nothing is lost either.
        db.session().rollback()
        flash(exc.message, "error")
        return detail_page(office, staff, reference, {k: request.form.get(k, "") for k in MEETING_FIELDS}, 400)
    except sr.StaffRuleError as exc:
        db.session().rollback()
        flash(exc.message, "error")
    return redirect(url_for("staff.detail", slug=office.slug, reference=reference), code=303)
