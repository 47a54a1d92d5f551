"""The booking flow of one office: start, eligibility, request, check answers, confirmation.

Views are thin: validate a form, call one service, redirect (post/redirect/get) or render.
The request is carried from the check page to the final submit in hidden fields and checked
again there, so nothing is stored before the seeker confirms, and any worker can take any step.

The submission key printed on the check page is derived from a secret of the form fill (kept in
the session from the eligibility answers on) and the validated answers: the browser's Back and a
reload (which posts the request form again, or shows a form it restored) meet the same key, so
one fill with the same answers is stored once and the confirmation shows the request made, while
changed answers are a new request.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import secrets

from flask import abort, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import TooManyRequests

from ...offices import Office
from ...release import office_draft
from ...wording import next_steps, request_needs, session_length, who_confirms
from .. import db
from ..errors import render_error
from ..frame import Page, error_list, page
from ..places import taken_open
from ..outbox import enqueue
from ..security import limiter, submit_limit
from ..state import portal_state
from . import mine, pages
from .forms import NO, YES_NO, RequestForm, eligibility_form, question_fields, request_form
from .services import Answers, ReusedKey, StaleTerms, submit_request

_SUBMIT_SCOPE = "booking-post"


def _page(office: Office, title: str) -> Page:
    site = portal_state().site
    return page(office, title, site.title, office_draft(site, office), site.operator)


def _eligible(office: Office) -> list[str] | None:
    answered = session.get("eligible", {}).get(office.slug)
    return answered.split(",") if isinstance(answered, str) else None


def start(slug: str):
    """Start page: what the service is, who can use it, what you need."""
    office = portal_state().office_or_404(slug)
    return render_template("portal/start.html", page=_page(office, "オンライン予約の申し込み"),
                           office=pages.office_facts(office), conditions=office.config.eligibility,
                           session_length=session_length(office.config), tool=office.config.session.tool,
                           needs=request_needs(office.config), confirms=who_confirms(office.config),
                           start_href=url_for(".eligibility", slug=slug), find_href=url_for(".find", slug=slug))


def eligibility(slug: str):
    """Yes/no questions; a "no" leads to an explanation page, not a validation error."""
    office = portal_state().office_or_404(slug)
    form = eligibility_form(office, formdata=request.form if request.method == "POST" else None)
    questions = question_fields(form, office)
    if request.method == "POST" and form.validate():
        for cond_id, field in questions:
            if field.data == NO:
                return redirect(url_for(".not_eligible", slug=slug, condition=cond_id))
        eligible = dict(session.get("eligible", {}))
        eligible[slug] = ",".join(c.id for c in office.config.eligibility)
        session["eligible"] = eligible
        _new_fill(slug)
        _keep(slug, None)
        return redirect(url_for(".request_get", slug=slug))
    return render_template("portal/eligibility.html", page=_page(office, "ご利用の条件"),
                           form=form, questions=[f for _, f in questions], yes_no=YES_NO,
                           errors=error_list(form)), 200


def not_eligible(slug: str, condition: str):
    """Why the seeker cannot use the online service, and how to reach the office instead."""
    office = portal_state().office_or_404(slug)
    cond = next((c for c in office.config.eligibility if c.id == condition and c.question), None)
    if cond is None:
        abort(404)
    return render_template("portal/not_eligible.html", page=_page(office, "オンライン予約をご利用いただけません"),
                           office=pages.office_facts(office), condition=cond,
                           change_href=url_for(".eligibility", slug=slug))


def _new_fill(slug: str) -> str:
    """Start a new form fill of office slug: a new submission key."""
    keys = session.get("fill")
    key = secrets.token_hex(16)
    session["fill"] = {**(keys if isinstance(keys, dict) else {}), slug: key}
    return key


def _keep(slug: str, form: RequestForm | None) -> None:
    """Keep the answers of office slug in the session (None forgets them): the check page and the
    form after 内容を修正する are then answers to a GET, so Back and Reload never post again."""
    kept = session.get("answers")
    kept = dict(kept) if isinstance(kept, dict) else {}
    kept.pop(slug, None)
    if form is not None:
        kept[slug] = [[name, value] for name, value in request.form.items(multi=True)
                      if name not in ("csrf_token", "edit", "website") and isinstance(value, str)]
        if form.submission_key.data:
            kept[slug] = [p for p in kept[slug] if p[0] != "submission_key"] + [["submission_key", form.submission_key.data]]
    session["answers"] = kept


def _kept(slug: str) -> MultiDict | None:
    """The answers kept for office slug, as form data (None when there are none)."""
    kept = session.get("answers")
    pairs = kept.get(slug) if isinstance(kept, dict) else None
    if not isinstance(pairs, list):
        return None
    return MultiDict([(p[0], p[1]) for p in pairs if isinstance(p, list) and len(p) == 2
                      and isinstance(p[0], str) and isinstance(p[1], str)])


def _submission_key(slug: str, answers: Answers) -> str:
    """The key of these answers in the seeker's current form fill at office slug."""
    keys = session.get("fill")
    fill = keys.get(slug) if isinstance(keys, dict) else None
    if not isinstance(fill, str):
        fill = _new_fill(slug)
    content = repr(dataclasses.replace(answers, submission_key=None, link_sha256=None))
    return hmac.new(fill.encode(), content.encode(), hashlib.sha256).hexdigest()[:32]


def _made(slug: str, reference: str, key: str | None, again: bool) -> None:
    """Remember the request made, for the confirmation page (key: its private link's token)."""
    earlier = session.get("done")
    if key is None and isinstance(earlier, dict) and earlier.get("reference") == reference:
        key = earlier.get("key")   # the same request again: the link shown the first time
    session["done"] = {"slug": slug, "reference": reference, "key": key, "again": again}


def _render_request(office: Office, form: RequestForm, notice: str | None = None, status: int = 200):
    state = portal_state()
    now = state.now()
    terms = state.terms(office, now)
    form.terms_sha256.data = terms.sha256
    # Only when printed: costly for a long horizon.
    form.slot_days, form.no_wish = pages.slot_days(form, office, now, state.policy(office), form.taken)
    return render_template("portal/request.html", page=_page(office, "申し込み内容の入力"), form=form,
                           office=pages.office_facts(office), terms=terms, notice=notice,
                           errors=error_list(form)), status


def _request_form(office: Office, now: datetime.datetime, formdata: MultiDict | None = None,
                  csrf: bool = True) -> RequestForm:
    """The request form with the places held now: one grouped count over the bookable span."""
    policy = portal_state().policy(office)
    return request_form(office, now, policy, formdata, taken_open(db.session(), office.slug, policy, now), csrf)


_STALE = ("利用規約が改訂されました。新しい利用規約をお読みのうえ、あらためて同意してください。"
          "入力した内容はそのまま残っています。")
_REUSED = ("この送信は受け付けられませんでした。入力内容をご確認のうえ、もう一度「確認する」を押してください。"
           "入力した内容はそのまま残っています（同意のチェックだけ、もう一度入れてください）。")


def request_get(slug: str):
    """The request form (after the eligibility questions): empty, or as kept for 内容を修正する."""
    state = portal_state()
    office = state.office_or_404(slug)
    if _eligible(office) is None:
        return redirect(url_for(".eligibility", slug=slug))
    return _render_request(office, _request_form(office, state.now(), _kept(slug), csrf=False))


@limiter.shared_limit(submit_limit, scope=_SUBMIT_SCOPE)
def request_post(slug: str):
    """Validate the request: errors → the form again; valid → the check-answers page."""
    state = portal_state()
    office = state.office_or_404(slug)
    if _eligible(office) is None:
        return redirect(url_for(".eligibility", slug=slug))
    now = state.now()
    form = _request_form(office, now, request.form)
    if form.website.data:
        abort(400)
    if request.form.get("edit"):
        _keep(slug, form)
        return redirect(url_for(".request_get", slug=slug))
    terms = state.terms(office, now)
    if form.terms_sha256.data != terms.sha256 and form.consent.data:
        form.consent.data = False
        return _render_request(office, form, notice=_STALE)
    if not form.validate():
        return _render_request(office, form, status=200)
    form.submission_key.data = _submission_key(slug, form.answers(_eligible(office) or []))
    _keep(slug, form)
    return redirect(url_for(".check", slug=slug))


def check(slug: str):
    """The check-answers page, from the answers kept by the last valid post of the form."""
    state = portal_state()
    office = state.office_or_404(slug)
    kept = _kept(slug)
    if _eligible(office) is None or kept is None:
        return redirect(url_for(".request_get", slug=slug))
    now = state.now()
    form = _request_form(office, now, kept, csrf=False)
    if not form.validate():      # e.g. a slot closed meanwhile: the form with its errors
        return _render_request(office, form)
    made = mine.submitted(db.session(), office, form.submission_key.data)
    if made is not None:     # Back and a reload of the check page: this fill is already a request
        _made(slug, made, None, again=True)
        return redirect(url_for(".done", slug=slug))
    return render_template("portal/check.html", page=_page(office, "申し込み内容の確認"), form=form,
                           rows=pages.check_rows(form, office), terms=state.terms(office, now),
                           office=pages.office_facts(office))


@limiter.shared_limit(submit_limit, scope=_SUBMIT_SCOPE)
def submit(slug: str):
    """Check everything again and store the request; then redirect to the confirmation."""
    state = portal_state()
    office = state.office_or_404(slug)
    eligibility = _eligible(office)
    if eligibility is None:
        return redirect(url_for(".eligibility", slug=slug))
    now = state.now()
    form = _request_form(office, now, request.form)
    if form.website.data:
        abort(400)
    if not form.validate():
        return _render_request(office, form)
    token, digest = mine.new_link()
    answers = dataclasses.replace(form.answers(eligibility), link_sha256=digest)
    try:
        reference = submit_request(db.session(), office.slug, answers,
                                   form.terms_sha256.data, state.terms(office, now), now,
                                   notify=enqueue.receipt_hook(office, answers.seeker.name, answers.seeker.email,
                                                               list(answers.slots),
                                                               url_for(".status", slug=slug, key=token, _external=True),
                                                               now))
    except StaleTerms:
        form.consent.data = False
        return _render_request(office, form, notice=_STALE)
    except ReusedKey:
        form.consent.data = False
        return _render_request(office, form, notice=_REUSED, status=400)
    fresh = mine.link_of(db.session(), reference) == digest   # else submitted before: one request
    _made(slug, reference, token if fresh else None, again=not fresh)
    return redirect(url_for(".done", slug=slug))


_TOO_MANY = ("送信の回数が多すぎます。1分ほど待ってから、もう一度「確認する」を押してください。"
             "入力した内容はそのまま残っています（同意のチェックだけ、もう一度入れてください）。")


def too_many(_error: TooManyRequests):
    """Over the submission limit on the request form or its submit: the form again, as typed."""
    state = portal_state()
    office = state.offices.get((request.view_args or {}).get("slug", ""))
    if office is None or request.endpoint not in ("booking.request_post", "booking.submit") \
            or _eligible(office) is None:
        return render_error(429)
    form = _request_form(office, state.now(), request.form)
    form.consent.data = False     # nothing was checked: the seeker confirms again
    return _render_request(office, form, notice=_TOO_MANY, status=429)


def done(slug: str):
    """Confirmation: the reference number and what happens next."""
    office = portal_state().office_or_404(slug)
    finished = session.get("done")
    if not isinstance(finished, dict) or finished.get("slug") != slug:
        return redirect(url_for(".start", slug=slug))
    key = finished.get("key")
    return render_template("portal/done.html", page=_page(office, "申し込みを受け付けました"),
                           reference=finished["reference"], steps=next_steps(office.config),
                           office=pages.office_facts(office), again=bool(finished.get("again")),
                           link=url_for(".status", slug=slug, key=key, _external=True) if key else "",
                           find_href=url_for(".find", slug=slug))
