"""Accounts in the browser: every user changes their own password; an office admin adds, disables,
resets and changes the role of the office's accounts (the `flask staff` commands stay).

Views are thin: a form, one `accounts` service call (which checks the rules and writes the audit
entry), a flashed message and a redirect (post/redirect/get); a refused form is shown again with
its messages. Office pages need the office's admin (403 elsewhere); an account not bound to the
office is not found (404).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ... import wording
from ...offices import Office
from .. import db
from ..frame import error_list
from ..security import limiter
from ..state import portal_state
from . import accounts, office_accounts, services
from .access import logged_in, office_access
from .accounts import Staff
from .forms import AddStaffForm, PasswordChangeForm, ResetForm, RoleForm
from .views import render


def _posted() -> bool:
    return request.method == "POST"


@limiter.limit(lambda: current_app.config["STAFF_RATELIMIT_LOGIN"], methods=["POST"])
@logged_in
def password() -> ResponseReturnValue:
    """Change one's own password (the current one required); one's other sessions end."""
    form = PasswordChangeForm(formdata=request.form if _posted() else None)
    error = None
    if _posted() and form.validate():
        state = portal_state()
        try:
            office_accounts.change_own_password(db.session(), g.staff, form.current.data, form.new.data, state.now(),
                                         state.hasher)
        except accounts.AccountError as exc:
            db.session().rollback()
            error = exc.message
        else:
            flash("パスワードを変更しました。ほかの端末でのログインは終了しました。", "ok")
            return redirect(url_for("staff.home"), code=303)
    return render("staff/password.html", "パスワードの変更", form=form, error=error,
                  errors=error_list(form) if _posted() else [])


@office_access(admin=True)
def account_list(office: Office, staff: Staff) -> ResponseReturnValue:
    """The office's accounts, and the form adding one."""
    form = AddStaffForm(formdata=request.form if _posted() else None, data={"role": "counsellor"})
    state, error = portal_state(), None
    if _posted() and form.validate():
        try:
            office_accounts.add_office_staff(db.session(), staff, office.slug, form.username.data, form.display_name.data,
                                      form.role.data, form.password.data, state.now(), state.hasher)
        except accounts.AccountError as exc:
            db.session().rollback()
            error = exc.message
        else:
            flash(f"職員「{form.username.data}」を追加しました。最初のパスワードを本人に直接伝えてください。", "ok")
            return redirect(url_for("staff.account_list", slug=office.slug), code=303)
    if not _posted():
        services.audit(db.session(), state.now(), staff.id, office.slug, "view_accounts")
    found = office_accounts.office_accounts(db.session(), office.slug, state.now())
    return render("staff/accounts.html", "職員アカウント", office, accounts=found, form=form, error=error,
                  errors=error_list(form) if _posted() else [], roles=list(wording.ROLE_LABELS.items()))


@office_access(admin=True)
def account_page(office: Office, staff: Staff, username: str) -> ResponseReturnValue:
    """One account of the office: its role, a new password, disabling it."""
    try:
        view = office_accounts.office_account(db.session(), office.slug, username, portal_state().now())
    except office_accounts.AccountNotFound:
        abort(404)
    return render("staff/account.html", f"職員アカウント {view.username}", office, account=view,
                  you=view.username == staff.username, roles=list(wording.ROLE_LABELS.items()),
                  role_form=RoleForm(formdata=None, data={"role": view.role}), reset_form=ResetForm(formdata=None))


def _role(office: Office, staff: Staff, username: str) -> str:
    form = RoleForm()
    if not form.validate():
        raise accounts.AccountError(form.role.errors[0])
    office_accounts.set_office_role(db.session(), staff, office.slug, username, form.role.data, portal_state().now())
    return f"役割を「{wording.ROLE_LABELS[form.role.data]}」にしました。"


def _reset(office: Office, staff: Staff, username: str) -> str:
    form = ResetForm()
    if not form.validate():
        raise accounts.AccountError(next(e for f in form for e in f.errors))
    state = portal_state()
    office_accounts.reset_office_staff(db.session(), staff, office.slug, username, form.password.data, state.now(),
                                state.hasher)
    return "新しいパスワードを設定しました（無効だった場合は有効に戻り、ログイン中の端末は終了しました）。本人に直接伝えてください。"


def _disable(office: Office, staff: Staff, username: str) -> str:
    office_accounts.disable_office_staff(db.session(), staff, office.slug, username, portal_state().now())
    return "無効にしました。ログイン中の端末も終了しました。"


ACCOUNT_ACTIONS: dict[str, Callable[[Office, Staff, str], str]] = {"role": _role, "reset": _reset,
                                                                   "disable": _disable}


@office_access(admin=True)
def account_act(office: Office, staff: Staff, username: str, action: str) -> ResponseReturnValue:
    """Run one change on an account of the office (CSRFProtect has checked the token), then back."""
    run = ACCOUNT_ACTIONS.get(action)
    if run is None:
        abort(404)
    try:
        flash(run(office, staff, username), "ok")
    except office_accounts.AccountNotFound:
        abort(404)
    except accounts.AccountError as exc:
        db.session().rollback()
        flash(exc.message, "error")
    return redirect(url_for("staff.account_page", slug=office.slug, username=username), code=303)
