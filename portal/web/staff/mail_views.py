"""The office's mail page in the console: whether mail is on, what waits, and what failed and why.

Read-only and per office (any staff member of the office); it shows references and reasons,
never an address or a body (portal.web.outbox.status).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ...eras import TOKYO
from ...offices import Office
from .. import db
from ..outbox.status import office_status
from ..state import portal_state
from . import accounts, services
from .access import office_access
from .views import render


@dataclass(frozen=True)
class FailedRow:
    """A failed message as the page prints it."""
    reference: str
    href: str
    kind: str
    at: str
    attempts: int
    reason: str


@office_access()
def mail_page(office: Office, staff: accounts.Staff):
    """メールの送信状況: mail on/off, waiting and sent counts, the failed messages with their reason."""
    found = office_status(db.session(), office.slug, bool(current_app.config.get("SMTP_HOST")))
    rows = [FailedRow(f.reference, f"/staff/{office.slug}/requests/{f.reference}" if f.reference else "", f.kind,
                      f"{f.created_at.astimezone(TOKYO):%Y-%m-%d %H:%M}", f.attempts, f.reason) for f in found.failed]
    services.audit(db.session(), portal_state().now(), staff.id, office.slug, "view_mail", None, f"failed={len(rows)}")
    return render("staff/mail.html", "メールの送信状況", office, mail=found, rows=rows)
