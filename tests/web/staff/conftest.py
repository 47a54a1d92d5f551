"""Fixtures and helpers of the staff-console tests: accounts made with the real CLI, a logged-in
client, and requests made through the real booking flow.
Fixtures (staff_app, aki) are found by pytest; helpers are imported from here."""
from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import BookingRequest

from ..conftest import Seeker, csrf_token, soup

PASSWORD = "correct horse battery"
# Thursday 7 May 2026: the first open day after NOW (Friday 1 May, then Golden Week).
FIRST_SLOT = {"abashiri": "2026-05-07T09:30", "mothers-hiroshima": "2026-05-07T10:00"}
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def tokyo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


def add_staff(app, username: str, *offices: str, password: str = PASSWORD) -> None:
    """Create an account with `flask staff add` (password on stdin)."""
    args = ["staff", "add", username, "--password-stdin"]
    for o in offices:
        args += ["--office", o]
    result = app.test_cli_runner().invoke(args=args, input=password + "\n")
    assert result.exit_code == 0, result.output


class StaffClient:
    """A browser of one staff member: logs in, follows forms with their CSRF tokens."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/staff/login")
        return self.client.post("/staff/login", data={"username": username, "password": password,
                                                      "csrf_token": csrf_token(page)})

    def token(self) -> str:
        return csrf_token(self.client.get("/staff/login"))

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, **data):
        data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data)

    def act(self, slug: str, reference: str, action: str, **data):
        """Post an action (confirmed, where the console asks first); returns the flashed messages of
        the detail page it leads to."""
        data.setdefault("confirmed", "yes")
        response = self.post(f"/staff/{slug}/requests/{reference}/{action}", **data)
        assert response.status_code == 303, response.status_code
        page = soup(self.client.get(response.headers["Location"]))
        return [n.get_text(strip=True) for n in page.select(".notice--ok, .notice--error")]


def book(app, slug: str = "abashiri", **changes) -> str:
    """A request made through the booking flow; returns its reference."""
    seeker = Seeker(app.test_client(), slug)
    changes.setdefault("slot1", FIRST_SLOT[slug])
    response = seeker.book(**changes)
    assert response.status_code == 302, response.status_code
    with seeker.client.session_transaction() as s:
        return s["done"]["reference"]


def request_row(app, reference: str) -> BookingRequest:
    with Session(db.engine_of(app)) as s:
        return s.scalar(select(BookingRequest).where(BookingRequest.reference == reference))


def audit_rows(app) -> list[tuple]:
    with db.engine_of(app).connect() as conn:
        return list(conn.execute(text("SELECT staff_id, office_slug, action, record_id, detail FROM audit_log "
                                      "ORDER BY id")))


@pytest.fixture
def staff_app(make_app):
    """The app with cheap password hashing, and two staff: one per office (both office admins)."""
    # Tests move the clock by days: the idle timeout, the absolute lifetime and MFA have their own
    # tests (test_sessions, test_mfa).
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                   STAFF_IDLE_MINUTES=60 * 24 * 60, STAFF_SESSION_HOURS=24 * 30, STAFF_MFA_REQUIRED="none")
    add_staff(app, "aki", "abashiri:office_admin")
    add_staff(app, "hiro", "mothers-hiroshima:office_admin")
    return app


@pytest.fixture
def aki(staff_app) -> StaffClient:
    """Staff of ハローワーク網走, logged in."""
    c = StaffClient(staff_app)
    assert c.login("aki").status_code == 303
    return c
