"""The staff console: login, per-office queue, request detail and actions, schedule, CSV, audit.

Every office route checks access first: anonymous → the login page, staff of another office →
403. Views are thin: a form, one service or query call, an audit entry, then a redirect or a page.
"""
from __future__ import annotations

import datetime
import functools

from flask import (Blueprint, Response, abort, current_app, flash, g, get_flashed_messages, redirect,
                   render_template, request, session, url_for)

from .. import rules
from .. import staffrules as sr
from .. import wording
from ..offices import Office
from ..publish.context import Crumb
from . import config, db, pages
from . import staff_accounts as accounts
from . import staff_queries as queries
from . import staff_services as services
from .security import limiter
from .staff_forms import CancelForm, ContactForm, DetailsForm, LoginForm, SlotForm, to_csv

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group="staff")
_TOKEN = "staff_token"

# Staff settings: (config key, environment variable, default, parser, help); read with the
# others by config.py, so the environment overrides instance/config.py for them too.
SETTINGS = tuple((st.key, st.env, st.default, st.parse, st.help) for st in config.STAFF_SETTINGS)


@bp.record_once
def _setup(state) -> None:
    app = state.app
    for key, _env, default, _parse, _help in SETTINGS:
        app.config.setdefault(key, default)   # an app assembled without config.defaults
    app.extensions["madoguchi.argon2"] = accounts.hasher(app.config["STAFF_ARGON2_MEMORY_KIB"])
    from . import staff_cli  # noqa: F401  (registers the `flask staff …` commands on bp.cli)


def _now() -> datetime.datetime:
    return current_app.config["NOW"]()


def _offices() -> dict[str, Office]:
    return current_app.extensions["madoguchi.offices"]


def _page(title: str, office: Office | None = None):
    crumbs = [Crumb("職員用", url_for("staff.home"))]
    if office is not None:
        crumbs.append(Crumb(office.name, url_for("staff.queue", slug=office.slug)))
    crumbs.append(Crumb(title, None))
    suffix = f"｜{office.name}" if office else ""
    return pages.Page(title + suffix + "（職員用）", current_app.extensions["madoguchi.site"].title, tuple(crumbs))


def _render(template: str, title: str, office: Office | None = None, code: int = 200, **context):
    staff = g.get("staff")
    admin = bool(staff and office and staff.is_admin(office.slug))
    return render_template(template, page=_page(title, office), office=office, staff=staff, admin=admin,
                           messages=get_flashed_messages(with_categories=True), **context), code


@bp.before_request
def _load_staff() -> None:
    g.staff = None
    token = session.get(_TOKEN)
    if isinstance(token, str):
        g.staff = accounts.resume(db.session(), token, _now(), current_app.config["STAFF_IDLE_MINUTES"])
        if g.staff is None:
            session.pop(_TOKEN, None)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"   # every staff page and file holds personal data
    return response


def _login_redirect():
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("staff.login", next=target.rstrip("?")))


def logged_in(view):
    """Anonymous visitors go to the login page."""
    @functools.wraps(view)
    def wrapper(**kwargs):
        if g.staff is None:
            return _login_redirect()
        return view(**kwargs)
    return wrapper


def office_access(admin: bool = False):
    """Anonymous → login; staff not bound to the office (or not its admin when needed) → 403."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(slug: str, **kwargs):
            staff = g.staff
            if staff is None:
                return _login_redirect()
            office = _offices().get(slug)
            if office is None:
                abort(404)
            if not staff.can_see(slug) or (admin and not staff.is_admin(slug)):
                services.audit(db.session(), _now(), staff.id, slug, "forbidden", None, request.endpoint or "")
                abort(403)
            return view(office, staff, **kwargs)
        return wrapper
    return decorate


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STAFF_RATELIMIT_LOGIN"], methods=["POST"])
def login():
    """Log in; a new server-side session each time (the old token, if any, ends)."""
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        c = current_app.config
        try:
            token = accounts.login(db.session(), form.username.data, form.password.data, _now(),
                                   current_app.extensions["madoguchi.argon2"], c["STAFF_LOCK_AFTER"],
                                   c["STAFF_LOCK_MINUTES"])
        except accounts.AccountError as exc:
            error = exc.message
        else:
            old = session.get(_TOKEN)
            if isinstance(old, str):
                accounts.logout(db.session(), old, _now())
            session.clear()
            session[_TOKEN] = token
            return redirect(_safe_next(request.args.get("next")), code=303)
    return _render("staff/login.html", "ログイン", form=form, error=error,
                   errors=pages.error_list(form) if request.method == "POST" else [])


@bp.post("/logout")
def logout():
    """End the session on the server and forget the cookie (CSRFProtect has checked the token)."""
    token = session.get(_TOKEN)
    if isinstance(token, str):
        accounts.logout(db.session(), token, _now())
    session.clear()
    flash("ログアウトしました。", "ok")
    return redirect(url_for("staff.login"), code=303)


@bp.get("/")
@logged_in
def home():
    """The offices this staff member may see."""
    offices = [(_offices()[s], wording.ROLE_LABELS.get(r, r)) for s, r in sorted(g.staff.roles.items()) if s in _offices()]
    return _render("staff/home.html", "職員用ページ", offices=offices)


def _day_arg(name: str) -> datetime.date | None:
    """The date in query argument `name` (None when empty); a wrong one is flashed and ignored."""
    raw = request.args.get(name, "")
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        flash(f"日付「{raw[:20]}」は読めませんでした。「2026-05-07」のように年-月-日で指定してください。", "error")
        return None


@bp.get("/<slug>/")
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
    return _render("staff/queue.html", "申し込み一覧", office, rows=found.rows, result=found, pages=pages,
                   per_page=queries.PER_PAGE,
                   statuses=wording.STATUS_LABELS, status=status or "", day=day.isoformat() if day else "",
                   search=search, today=_now().astimezone(rules.TOKYO).date().isoformat())


@bp.get("/<slug>/requests/<reference>")
@office_access()
def detail(office: Office, staff: accounts.Staff, reference: str):
    """A request: the seeker's answers, consent record, history flag, events and actions."""
    view = queries.detail(db.session(), office, reference)
    if view is None:
        abort(404)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_request", view.id)
    free = queries.free_slots(db.session(), office, _now())
    wished = {k for k, _ in view.wishes}
    choices = [("", "選択してください")] + [c for c in free if c[0] in wished] + [c for c in free if c[0] not in wished]
    return _render("staff/detail.html", f"申し込み {view.reference}", office, req=view, slot_choices=choices,
                   contact_outcomes=wording.CONTACT_OUTCOME_LABELS, details_channels=wording.DETAILS_CHANNEL_LABELS,
                   cancel_channels=wording.CHANNEL_LABELS, default_details=office.config.booking.details_channel,
                   same_day=sr.is_same_day(view.starts_at, _now()))


@bp.get("/<slug>/terms/<sha256>")
@office_access()
def terms(office: Office, staff: accounts.Staff, sha256: str):
    """The exact terms text a consent is pinned to, as stored in the database."""
    tv = queries.terms_text(db.session(), office, sha256)
    if tv is None:
        abort(404)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_terms", None, sha256[:16])
    return _render("staff/terms.html", "同意した利用規約", office, terms=tv)


def _slot(form: SlotForm) -> datetime.datetime:
    try:
        return rules.parse_slot_key(form.slot.data)
    except rules.SlotError as exc:
        raise sr.StaffRuleError("bad_key", exc.message) from None


def _act_contact(office, staff, ref, now):
    form = ContactForm()
    if not form.validate():
        raise sr.StaffRuleError("form", "連絡の結果を選んでください。")
    services.record_contact(db.session(), office, ref, staff.id, form.outcome.data, now)
    return "連絡の記録を残しました。"


def _act_confirm(office, staff, ref, now):
    form = SlotForm()
    if not form.validate():
        raise sr.StaffRuleError("form", "日時を選んでください。")
    services.confirm(db.session(), office, ref, staff.id, _slot(form), now)
    return "日時を確定しました。接続情報を連絡したら記録してください。"


def _act_details(office, staff, ref, now):
    form = DetailsForm()
    if not form.validate():
        raise sr.StaffRuleError("form", "連絡の方法を選んでください。")
    services.record_details(db.session(), office, ref, staff.id, form.channel.data, now)
    return "接続情報の連絡を記録しました。"


def _act_cancel(office, staff, ref, now):
    form = CancelForm()
    if not form.validate():
        raise sr.StaffRuleError("form", "キャンセルの連絡方法を選んでください。")
    note = services.cancel(db.session(), office, ref, staff.id, form.channel.data, now)
    return "キャンセルを記録しました。" + (note or "")


def _act_no_show(office, staff, ref, now):
    services.mark_no_show(db.session(), office, ref, staff.id, now)
    return "連絡なしキャンセルとして記録しました。"


def _act_complete(office, staff, ref, now):
    services.mark_completed(db.session(), office, ref, staff.id, now)
    return "実施済みにしました。"


def _act_next(office, staff, ref, now):
    form = SlotForm()
    if not form.validate():
        raise sr.StaffRuleError("form", "次回の日時を選んでください。")
    new = services.book_next(db.session(), office, ref, staff.id, _slot(form), now)
    return f"次回の予約を確定しました（受付番号 {new}）。"


ACTIONS = {"contact": _act_contact, "confirm": _act_confirm, "details": _act_details, "cancel": _act_cancel,
           "no-show": _act_no_show, "complete": _act_complete, "next": _act_next}


@bp.post("/<slug>/requests/<reference>/<action>")
@office_access()
def act(office: Office, staff: accounts.Staff, reference: str, action: str):
    """Run one action (checked by portal.staffrules), then back to the detail page."""
    run = ACTIONS.get(action)
    if run is None:
        abort(404)
    try:
        flash(run(office, staff, reference, _now()), "ok")
    except services.NotFound:
        abort(404)
    except sr.StaffRuleError as exc:
        db.session().rollback()
        flash(exc.message, "error")
    return redirect(url_for("staff.detail", slug=office.slug, reference=reference), code=303)


@bp.get("/<slug>/schedule")
@office_access()
def schedule(office: Office, staff: accounts.Staff):
    """The day's schedule (printable)."""
    day = _day_arg("date") or _now().astimezone(rules.TOKYO).date()
    found = queries.schedule(db.session(), office, day)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_schedule", None, day.isoformat())
    return _render("staff/schedule.html", f"{wording.day_label(day)}の予定", office, rows=found,
                   day=day.isoformat(), day_label=f"{day.year}年{wording.day_label(day)}",
                   prev=(day - datetime.timedelta(days=1)).isoformat(),
                   next=(day + datetime.timedelta(days=1)).isoformat())


@bp.get("/<slug>/export.csv")
@office_access(admin=True)
def export(office: Office, staff: accounts.Staff):
    """The office's requests as CSV (UTF-8 with BOM, formula cells neutralised)."""
    lo, hi = _day_arg("from"), _day_arg("to")
    if any(request.args.get(k) and d is None for k, d in (("from", lo), ("to", hi))):
        return redirect(url_for(".queue", slug=office.slug))   # the flashed message says why
    found = queries.export_rows(db.session(), office, lo, hi)
    services.audit(db.session(), _now(), staff.id, office.slug, "export", None,
                   f"from={lo or ''} to={hi or ''} rows={len(found) - 1}")
    name = f"{office.slug}-requests-{_now().astimezone(rules.TOKYO):%Y%m%d}.csv"
    return Response(to_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/<slug>/audit")
@office_access(admin=True)
def audit_log(office: Office, staff: accounts.Staff):
    """The newest audit entries of the office (office admins only)."""
    entries = queries.audit_entries(db.session(), office)
    services.audit(db.session(), _now(), staff.id, office.slug, "view_audit")
    return _render("staff/audit.html", "操作記録", office, entries=entries)
