"""Fixtures of the outbox tests: a real SMTP server, an app sending through it, a sender run."""
from __future__ import annotations

import pytest

from portal.web import db
from portal.web.outbox.sender import SendPolicy, SmtpSettings, send_due
from portal.web.state import state_of

from .smtpserver import SmtpServer


@pytest.fixture
def smtp():
    """A real SMTP server on a free port, stopped afterwards."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    """The app with mail on (through `smtp`), staff alerts to one address, cheap staff logins."""
    return make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                    STAFF_MFA_REQUIRED="none", NOTIFY_STAFF_EMAIL="staff@example.jp", **smtp.config())


def run_sender(app, **policy):
    """One run of the sender, as `python -m portal.web.outbox send` does it, at the app's clock."""
    state = state_of(app)
    return send_due(db.engine_of(app), SmtpSettings.from_config(app.config), state.offices,
                    lambda slug: f"http://portal.example/staff/{slug}/?status=requested", state.now,
                    SendPolicy.from_config(app.config, **policy))
