"""The staff MFA pages: the one-time code after the password, enrolment with a QR code, and the
office admins' list of who uses MFA with a reset for a lost phone.

A session that has given its password but not its code (or must enrol first) is sent here by
`access.load_staff` from every other staff page. Code posts share the login's rate limit.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from ... import wording
from ...offices import Office
from .. import db
from ..frame import error_list
from ..security import limiter
from ..state import portal_state
from . import mfa, services
from .access import TOKEN, office_access, safe_next
from .accounts import Staff
from .views import render


class CodeForm(FlaskForm):
    """A 6-digit TOTP code or a recovery code."""
    code = StringField("確認コード", description="認証アプリに表示されている6桁の数字（または回復コード）")

    def validate_code(self, field: Field) -> None:
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("確認コードを入力してください")
        if len(field.data) > 20:
            raise ValidationError("確認コードは6桁の数字か、回復コード（例：ACDEF-GHJKM）です")


def _limit() -> str:
    return current_app.config["STAFF_RATELIMIT_LOGIN"]


def _next() -> str:
    return safe_next(request.args.get("next"))


@limiter.limit(_limit, methods=["POST"])
def code_page() -> ResponseReturnValue:
    """The second step of a login: a TOTP code or a recovery code."""
    staff = g.staff
    if staff is None:
        return redirect(url_for("staff.login"))
    if staff.stage != "code":
        return redirect(_next())
    form = CodeForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        try:
            mfa.check_code(db.session(), staff.id, staff.session_id, form.code.data, portal_state().now(),
                           current_app.config["STAFF_MFA_ATTEMPTS"])
        except mfa.MfaError as exc:
            if exc.ended:
                session.pop(TOKEN, None)
                flash("確認コードの誤りが続いたため、ログインを終了しました。もう一度ログインしてください。", "error")
                return redirect(url_for("staff.login"), code=303)
            error = exc.message
        else:
            return redirect(_next(), code=303)
    return render("staff/mfa.html", "確認コードの入力", form=form, error=error,
                  errors=error_list(form) if request.method == "POST" else [])


@limiter.limit(_limit, methods=["POST"])
def setup_page() -> ResponseReturnValue:
    """Enrol an authenticator app: a QR code and the secret as text, then a first code."""
    staff = g.staff
    if staff is None:
        return redirect(url_for("staff.login", next=request.path))
    if staff.mfa_enabled:
        flash("二段階認証はすでに設定されています。", "ok")
        return redirect(url_for("staff.home"))
    secret = mfa.start_enrolment(db.session(), staff.id)
    form = CodeForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        try:
            codes = mfa.enable(db.session(), staff.id, form.code.data, portal_state().now(), staff.session_id)
        except mfa.MfaError as exc:
            error = exc.message
        else:
            return render("staff/mfa_codes.html", "回復コード", codes=codes, next=_next())
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render("staff/mfa_setup.html", "二段階認証の設定", form=form, error=error, secret=grouped,
                  qr=mfa.qr_svg_uri(secret, staff.username, portal_state().site.title),
                  required=staff.stage == "enrol", errors=error_list(form) if request.method == "POST" else [])


@office_access(admin=True)
def office_page(office: Office, staff: Staff) -> ResponseReturnValue:
    """Office admins: the office's staff and whether each uses MFA, with a reset button."""
    rows = mfa.office_staff(db.session(), office.slug)
    services.audit(db.session(), portal_state().now(), staff.id, office.slug, "view_mfa")
    return render("staff/mfa_office.html", "二段階認証の管理", office, rows=rows, roles=wording.ROLE_LABELS)


@office_access(admin=True)
def office_reset(office: Office, staff: Staff, user_id: str) -> ResponseReturnValue:
    """Office admins: remove a staff member's MFA (CSRF checked); they enrol again at next login."""
    target = next((r for r in mfa.office_staff(db.session(), office.slug) if str(r.id) == user_id), None)
    if target is None:
        abort(404)
    mfa.reset(db.session(), target.id, portal_state().now(), staff.id, office.slug)
    flash(f"{target.display_name}（{target.username}）の二段階認証を解除しました。次のログインで設定し直します。", "ok")
    return redirect(url_for("staff.mfa_office", slug=office.slug), code=303)
