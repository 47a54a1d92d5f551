"""The seeker's own request after it is made: its page (status and printable receipt), finding it
without the link, and cancelling it online where the office takes online cancellations.

A request is identified by the private link's key (`?key=`, in the query so access logs, which
leave out query strings, never record it), or, after a search by reference and 求職番号, by the
reference kept in the seeker's session for that office. Nothing here reveals whether a reference
exists: an unknown link, a purged request and another office's request all get the same page.
"""
from __future__ import annotations

import logging

from flask import abort, redirect, render_template, request, session, url_for

from ... import staffrules as sr
from ... import wording
from ...offices import Office
from ...release import office_draft
from .. import db
from ..frame import error_list, page
from ..models import BookingRequest
from ..security import limiter, submit_limit
from ..state import portal_state
from . import mine, pages, receipt
from .lookup import CancelForm, FindForm

log = logging.getLogger(__name__)
_FOUND, _NOTICE = "found", "mine_notice"


def _render(template: str, office: Office, title: str, status: int = 200, **context: object):
    return render_template(template, page=page(office, title, portal_state().site.title, office_draft(portal_state().site, office)),
                           office=pages.office_facts(office), **context), status


def _identified(office: Office) -> tuple[BookingRequest | None, str]:
    """The request the seeker may see, and the link key to carry on (empty after a search)."""
    key = request.values.get("key", "")
    if key:
        return mine.by_token(db.session(), office, key), key
    found = session.get(_FOUND)
    reference = found.get(office.slug) if isinstance(found, dict) else None
    if isinstance(reference, str):
        return mine.by_reference(db.session(), office, reference), ""
    return None, ""


def _missing(office: Office):
    """The one answer for a malformed, unknown or purged link, or another office's request."""
    return _render("portal/mine_missing.html", office, "申し込みが見つかりません", 404,
                   find_href=url_for(".find", slug=office.slug))


def _render_status(office: Office, req: BookingRequest, key: str, notice: str | None = None, status: int = 200):
    state = portal_state()
    now = state.now()
    view = receipt.request_status(office, state.policy(office), req, mine.appointment_start(db.session(), req), now)
    return _render("portal/mine.html", office, "申し込みの状況", status, mine=view, notice=notice,
                   cancel_href=url_for(".cancel_get", slug=office.slug, key=key or None))


def status(slug: str):
    """The seeker's own request: status, wishes, what happens next, how to cancel; printable."""
    office = portal_state().office_or_404(slug)
    req, key = _identified(office)
    if req is None:
        return _missing(office)
    notice = session.pop(_NOTICE, None)
    return _render_status(office, req, key, notice if isinstance(notice, str) else None)


@limiter.limit(submit_limit, methods=["POST"])
def find(slug: str):
    """Find a request by reference and 求職番号 (or phone): one answer for any mismatch."""
    office = portal_state().office_or_404(slug)
    form = FindForm(formdata=request.form if request.method == "POST" else None)
    failed = False
    if request.method == "POST" and form.validate():
        reference = mine.by_details(db.session(), office, form.reference_normalised, form.seeker_number, form.phone)
        if reference is not None:
            found = session.get(_FOUND)
            session[_FOUND] = {**(found if isinstance(found, dict) else {}), slug: reference}
            return redirect(url_for(".status", slug=slug))
        failed = True
    return _render("portal/find.html", office, "申し込みを確かめる", 200, form=form, errors=error_list(form),
                   failed=failed)


def cancel_get(slug: str):
    """The confirmation step: what will be cancelled, and a button to do it."""
    state = portal_state()
    office = state.office_or_404(slug)
    req, key = _identified(office)
    if req is None:
        return _missing(office)
    view = receipt.request_status(office, state.policy(office), req, mine.appointment_start(db.session(), req),
                                  state.now())
    if view.cancel != receipt.ONLINE:   # the status page says why and how instead
        return redirect(url_for(".status", slug=slug, key=key or None))
    form = CancelForm()
    form.key.data = key
    return _render("portal/cancel.html", office, "申し込みのキャンセル", 200, mine=view, form=form,
                   back_href=url_for(".status", slug=slug, key=key or None))


def _refusal(office: Office, req: BookingRequest, code: str) -> str:
    if code == "closed":
        return wording.same_day_cancel_text(office.config) + "。"
    if code == "not_online":
        return f"この窓口では、この画面からはキャンセルできません。{wording.cancellation_text(office.config)}。"
    label = wording.SEEKER_STATUS_LABELS.get(req.status, req.status)
    return f"この申し込みは「{label}」のため、キャンセルできません。"


def cancel_post(slug: str):
    """Cancel the request (CSRF checked); refused with the reason on the page, never half done."""
    state = portal_state()
    office = state.office_or_404(slug)
    if not CancelForm(formdata=request.form).validate():
        abort(400)
    req, key = _identified(office)
    if req is None:
        return _missing(office)
    try:
        mine.cancel_online(db.session(), office, state.policy(office), req, state.now())
    except sr.StaffRuleError as exc:
        db.session().rollback()
        return _render_status(office, req, key, _refusal(office, req, exc.code), 409)
    log.info("booking request cancelled online: office=%s reference=%s", office.slug, req.reference)
    session[_NOTICE] = "申し込みをキャンセルしました。"
    return redirect(url_for(".status", slug=slug, key=key or None))
