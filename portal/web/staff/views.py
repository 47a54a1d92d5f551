"""The staff console: login, per-office queue, request detail and actions, schedule, CSV, audit.

Every office route checks access first: anonymous → the login page, staff of another office →
403. Views are thin: a form, one service or query call, an audit entry, then a redirect or a page.
"""
from __future__ import annotations

import datetime

from flask import (Response, abort, current_app, flash, g, get_flashed_messages, redirect, render_template, request,
                   session, url_for)

from ... import rules
from ... import staffrules as sr
from ... import wording
from ...offices import Office
from ...publish.context import Crumb
from .. import db
from ..frame import Page, error_list, staff_page
from ..security import limiter
from ..state import portal_state
from . import accounts, office_accounts, queries, reports, services
from . import schedule as schedule_of
from .access import TOKEN, logged_in, office_access, safe_next
from .forms import LoginForm, to_csv


def _page(title: str, office: Office | None = None) -> Page:
    crumbs = [Crumb("職員用", url_for("staff.home"))]
    if office is not None:
        crumbs.append(Crumb(office.name, url_for("staff.queue", slug=office.slug)))
    return staff_page(title, portal_state().site.title, crumbs, office, portal_state().site.operator)


def render(template: str, title: str, office: Office | None = None, code: int = 200,
           **context: object) -> tuple[str, int]:
    """A staff page: the frame, who is logged in, whether they administer the office, flashed messages."""
    staff = g.get("staff")
    admin = bool(staff and office and staff.is_admin(office.slug))
    return render_template(template, page=_page(title, office), office=office, staff=staff, admin=admin,
                           messages=get_flashed_messages(with_categories=True), **context), code


def _now() -> datetime.datetime:
    return portal_state().now()


@limiter.limit(lambda: current_app.config["STAFF_RATELIMIT_LOGIN"], methods=["POST"])
def login():
    """Log in; a new server-side session each time (the old token, if any, ends)."""
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        c = current_app.config
        try:
            token = accounts.login(db.session(), form.username.data, form.password.data, _now(),
                                   portal_state().hasher, c["STAFF_LOCK_AFTER"],
                                   c["STAFF_LOCK_MINUTES"], request.remote_addr or "")
        except accounts.AccountError as exc:
            error = exc.message
        else:
            old = session.get(TOKEN)
            if isinstance(old, str):
                accounts.logout(db.session(), old, _now())
            session.clear()
            session[TOKEN] = token
            return redirect(safe_next(request.args.get("next")), code=303)
    return render("staff/login.html", "ログイン", form=form, error=error,
                   errors=error_list(form) if request.method == "POST" else [])


def logout():
    """End the session on the server and forget the cookie (CSRFProtect has checked the token)."""
    token = session.get(TOKEN)
    if isinstance(token, str):
        accounts.logout(db.session(), token, _now())
    session.clear()
    flash("ログアウトしました。", "ok")
    return redirect(url_for("staff.login"), code=303)


@logged_in
def home():
    """The offices this staff member may see."""
    known = portal_state().offices
    mine = [s for s in sorted(g.staff.roles) if s in known]
    counts = schedule_of.to_do(db.session(), mine)
    offices = [(known[s], wording.ROLE_LABELS.get(g.staff.roles[s], g.staff.roles[s]), counts[s]) for s in mine]
    return render("staff/home.html", "職員用ページ", offices=offices)


FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def _day_arg(name: str) -> datetime.date | None:
    """The date in query argument `name` (None when empty); a wrong one is flashed and ignored."""
    raw = request.args.get(name, "")
    try:
        day = datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        flash(f"日付「{raw[:20]}」は読めませんでした。「2026-05-07」のように年-月-日で指定してください。", "error")
        return None
    # Days next to date.min/max overflow once shifted or given a time zone (a 500 before).
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        flash(f"日付は{FIRST_DAY.year}年から{LAST_DAY.year}年までの間で指定してください。", "error")
        return None
    return day


@office_access()
def queue(office: Office, staff: accounts.Staff):
    """The office's requests: new first; filter by status and day."""
    status = request.args.get("status") or None
    if status is not None and status not in wording.STATUS_LABELS:
        abort(400)
    day = _day_arg("date")
    search = request.args.get("q", "")[:100]
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400)
    if not 1 <= page <= 100_000:
        abort(400)
    found = queries.queue(db.session(), office, status, day, search, page)
    # The search text may be a name or a phone number: the audit log says only that there was one.
    services.audit(db.session(), _now(), staff.id, office.slug, "view_queue", None,
                   f"status={status or ''} date={day or ''} search={'yes' if search.strip() else 'no'} "
                   f"page={page} rows={len(found.rows)}")
    filters = {k: v for k, v in (("status", status), ("date", day.isoformat() if day else None),
                                 ("q", search.strip() or None)) if v}
    pages = {"prev": url_for(".queue", slug=office.slug, page=page - 1, **filters) if page > 1 else None,
             "next": url_for(".queue", slug=office.slug, page=page + 1, **filters) if found.has_next else None}
    return render("staff/queue.html", "申し込み一覧", office, rows=found.rows, result=found, pages=pages,
                   per_page=queries.PER_PAGE,
                   statuses=wording.STATUS_LABELS, status=status or "", day=day.isoformat() if day else "",
                   search=search, today=_now().astimezone(rules.TOKYO).date().isoformat())


@office_access()
def detail(office: Office, staff: accounts.Staff, reference: str):
    """A request: the seeker's answers, consent record, history flag, events and actions."""
    return detail_page(office, staff, reference)


def detail_page(office: Office, staff: accounts.Staff, reference: str, typed: dict[str, str] | None = None,
                code: int = 200) -> tuple[str, int]:
    """The detail page; `typed` holds meeting details just refused, shown again as typed."""
    view = queries.detail(db.session(), office, reference, _now())
    if view is None:
        abort(404)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_request", view.id)
    free = queries.free_slots(db.session(), office, portal_state().policy(office), _now())
    wished = {k for k, _ in view.wishes}
    choices = [("", "選択してください")] + [c for c in free if c[0] in wished] + [c for c in free if c[0] not in wished]
    return render("staff/detail.html", f"申し込み {view.reference}", office, req=view, slot_choices=choices,
                   contact_outcomes=wording.CONTACT_OUTCOME_LABELS, details_channels=wording.DETAILS_CHANNEL_LABELS,
                   cancel_channels=wording.CHANNEL_LABELS, default_details=office.config.booking.details_channel,
                   same_day=sr.is_same_day(view.starts_at, _now()),
                   memo_max=sr.MEMO_MAX, code=code, meeting=typed or {
                       "meeting_url": view.meeting.url, "meeting_id": view.meeting.meeting_id,
                       "meeting_passcode": view.meeting.passcode})


@office_access()
def terms(office: Office, staff: accounts.Staff, sha256: str):
    """The exact terms text a consent is pinned to, as stored in the database."""
    tv = queries.terms_text(db.session(), office, sha256)
    if tv is None:
        abort(404)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_terms", None, sha256[:16])
    return render("staff/terms.html", "同意した利用規約", office, terms=tv)


@office_access()
def schedule(office: Office, staff: accounts.Staff):
    """The day's schedule (printable)."""
    day = _day_arg("date") or _now().astimezone(rules.TOKYO).date()
    found = schedule_of.of_day(db.session(), office, portal_state().policy(office), day)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_schedule", None, day.isoformat())
    return render("staff/schedule.html", f"{wording.day_label(day)}の予定", office, rows=found,
                   day=day.isoformat(), day_label=f"{day.year}年{wording.day_label(day)}",
                   prev=(day - datetime.timedelta(days=1)).isoformat(),
                   next=(day + datetime.timedelta(days=1)).isoformat(),
                   week=schedule_of.week_of(day).isoformat())


@office_access()
def week(office: Office, staff: accounts.Staff):
    """The week's schedule, Monday to Sunday: booked places by day, free places counted."""
    monday = schedule_of.week_of(_day_arg("date") or _now().astimezone(rules.TOKYO).date())
    days = schedule_of.of_week(db.session(), office, portal_state().policy(office), monday)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_week", None, monday.isoformat())
    sunday = monday + datetime.timedelta(days=6)
    return render("staff/week.html", f"{wording.day_label(monday)}{wording.RANGE}{wording.day_label(sunday)}の予定", office,
                  days=days, prev=(monday - datetime.timedelta(days=7)).isoformat(),
                  next=(monday + datetime.timedelta(days=7)).isoformat(),
                  year=monday.year)


@office_access(admin=True)
def export(office: Office, staff: accounts.Staff):
    """The office's requests as CSV (UTF-8 with BOM, formula cells neutralised)."""
    lo, hi = _day_arg("from"), _day_arg("to")
    if any(request.args.get(k) and d is None for k, d in (("from", lo), ("to", hi))):
        return redirect(url_for(".queue", slug=office.slug))   # the flashed message says why
    if lo and hi and lo > hi:
        flash(f"開始日（{lo}）が終了日（{hi}）より後になっています。期間を指定し直してください。", "error")
        return redirect(url_for(".queue", slug=office.slug))
    found = reports.export_rows(db.session(), office, lo, hi)
    services.audit(db.session(), _now(), staff.id, office.slug, "export", None,
                   f"from={lo or ''} to={hi or ''} rows={len(found) - 1}")
    name = f"{office.slug}-requests-{_now().astimezone(rules.TOKYO):%Y%m%d}.csv"
    return Response(to_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@office_access(admin=True)
def audit_log(office: Office, staff: accounts.Staff):
    """The newest audit entries of the office, by day and by staff member (office admins only)."""
    day, user = _day_arg("date"), request.args.get("user", "")[:64]
    people = office_accounts.office_accounts(db.session(), office.slug, _now())
    if user and user not in {p.username for p in people}:
        flash(f"職員「{user}」はこの窓口にいません。一覧から選んでください。", "error")
        user = ""
    entries = reports.audit_entries(db.session(), office, day, user or None)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_audit", None, f"date={day or ''} user={user}")
    return render("staff/audit.html", "操作記録", office, entries=entries, people=people, user=user,
                  day=day.isoformat() if day else "", limit=reports.AUDIT_LIMIT)
