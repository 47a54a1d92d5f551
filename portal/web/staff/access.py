"""Who is asking: the staff session of each request, and the checks in front of every view.

Every office route checks access first: anonymous → the login page, staff of another office →
403 (audited). Staff pages are never cached: each holds personal data.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from .. import db
from ..state import portal_state
from . import accounts, services

TOKEN = "staff_token"


# What a session that has not passed its one-time code (or must enrol first) may reach.
MFA_PAGES = {"code": "staff.mfa", "enrol": "staff.mfa_setup"}
_HALF_DONE_MAY = {"staff.mfa", "staff.mfa_setup", "staff.logout", "staff.login"}


def load_staff() -> ResponseReturnValue | None:
    """Before each staff request: resume the session named by the cookie's token, if any; a
    session still owing its one-time code (or its MFA enrolment) reaches only those pages."""
    g.staff = None
    token = session.get(TOKEN)
    if isinstance(token, str):
        c = current_app.config
        g.staff = accounts.resume(db.session(), token, portal_state().now(), c["STAFF_IDLE_MINUTES"],
                                  c["STAFF_SESSION_HOURS"], c["STAFF_MFA_REQUIRED"])
        if g.staff is None:
            session.pop(TOKEN, None)
    if g.staff is not None and g.staff.stage != "ready" and request.endpoint not in _HALF_DONE_MAY:
        target = request.full_path if request.method == "GET" else request.path
        return redirect(url_for(MFA_PAGES[g.staff.stage], next=target.rstrip("?")), code=303)
    return None


def no_store(response: Response) -> Response:
    """After each staff request: every staff page and file holds personal data."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_redirect():
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("staff.login", next=target.rstrip("?")))


def logged_in(view: Callable) -> Callable:
    """Anonymous visitors go to the login page."""
    @functools.wraps(view)
    def wrapper(**kwargs: str) -> ResponseReturnValue:
        if g.staff is None:
            return _login_redirect()
        return view(**kwargs)
    return wrapper


def office_access(admin: bool = False) -> Callable[[Callable], Callable]:
    """Anonymous → login; staff not bound to the office (or not its admin when needed) → 403."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(slug: str, **kwargs: str) -> ResponseReturnValue:
            staff = g.staff
            if staff is None:
                return _login_redirect()
            state = portal_state()
            office = state.office_or_404(slug)
            if not staff.can_see(slug) or (admin and not staff.is_admin(slug)):
                services.audit(db.session(), state.now(), staff.id, slug, "forbidden", None, request.endpoint or "")
                abort(403)
            return view(office, staff, **kwargs)
        return wrapper
    return decorate


def safe_next(target: str | None) -> str:
    """Where to go after login: only a staff page of this site, else the staff home."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")
