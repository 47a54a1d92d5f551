"""Fixtures of the portal tests: a real database per test (SQLite file, or a fresh database on a
PostgreSQL server the session starts itself), a fixed clock, and a seeker walking the flow."""
from __future__ import annotations

import datetime
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, text
from werkzeug.datastructures import MultiDict

from portal.web import create_app, db

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from stack import Postgres, postgres_bindir  # noqa: E402

UTC = datetime.timezone.utc
# Friday 2026-05-01 10:00 in Tokyo: the next open day is Thursday 7 May (4-6 May are holidays).
NOW = datetime.datetime(2026, 5, 1, 1, 0, tzinfo=UTC)


class Clock:
    """A settable clock handed to the app as its NOW callable."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on 127.0.0.1 for this test session; its admin URL.

    The server is bench/stack.py's `Postgres`, which tests/deploy also starts (and restarts)."""
    if postgres_bindir() is None:
        message = "PostgreSQL binaries not found (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": the postgres tests must run in CI", pytrace=False)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="madoguchi-pg-"))
    server = Postgres(base)
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    """A migrated database used as the template of each test's database (copying is faster
    than migrating), and an admin engine to create and drop them."""
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "migrated"'))
    db.migrate(f"{postgres_server}/migrated")
    yield admin, "migrated"
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A migrated, empty database: a SQLite file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
        db.migrate(url)
        yield url
        return
    server = request.getfixturevalue("postgres_server")
    admin, template = request.getfixturevalue("postgres_template")
    name = "t_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield f"{server}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> Clock:
    """The app's clock, fixed at NOW unless a test moves it."""
    return Clock(NOW)


@pytest.fixture
def make_app(database_url, tmp_path, clock):
    """Build an app on the test database; keyword arguments override configuration keys."""
    apps = []

    def make(**overrides):
        conf = {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                "INSTANCE_DIR": str(tmp_path / "instance"), "NOW": clock,
                "RATELIMIT_SUBMIT": "1000 per minute", "SITE_DIR": str(tmp_path / "site")}
        conf.update(overrides)
        app = create_app(conf)
        apps.append(app)
        return app

    yield make
    for app in apps:
        db.engine_of(app).dispose()


@pytest.fixture
def app(make_app):
    """The app with the test defaults."""
    return make_app()


def rows(app, table: str) -> int:
    """Number of rows in table (read straight from the database)."""
    with db.engine_of(app).connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def soup(response) -> BeautifulSoup:
    """The response's HTML, parsed."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(response) -> str:
    """The CSRF token of the form on the page."""
    return soup(response).find("input", {"name": "csrf_token"})["value"]


VALID = {
    "name": "網走 花子", "kana": "アバシリ ハナコ", "seeker_number": "01234-12345678",
    "phone": "090-1234-5678", "email": "", "slot1": "2026-05-07T09:30", "slot2": "", "slot3": "",
    "companion_note": "", "consent": "y", "website": "",
}


class Seeker:
    """A job seeker walking the booking flow of one office with valid defaults."""

    def __init__(self, client, slug: str) -> None:
        self.client, self.slug = client, slug
        self.base = f"/{slug}/booking"

    def pass_eligibility(self):
        page = self.client.get(f"{self.base}/eligibility")
        data = {i["name"]: "yes" for i in soup(page).find_all("input", {"type": "radio"})}
        data["csrf_token"] = csrf_token(page)
        return self.client.post(f"{self.base}/eligibility", data=data)

    def form_page(self):
        return self.client.get(f"{self.base}/request")

    def fill(self, **changes) -> MultiDict:
        """Valid answers for the current form page, with changes (None removes a field)."""
        page = soup(self.form_page())
        data = dict(VALID)
        if not page.find("input", {"name": "email"}):
            data.pop("email")
        data["csrf_token"] = page.find("input", {"name": "csrf_token"})["value"]
        data["terms_sha256"] = page.find("input", {"name": "terms_sha256"})["value"]
        data.update(changes)
        out = MultiDict()
        for key, value in data.items():
            if value is None:
                continue
            for v in value if isinstance(value, list) else [value]:
                out.add(key, v)
        return out

    def check(self, **changes):
        """Post the form; a valid one redirects to the check-answers page (followed here)."""
        return self.client.post(f"{self.base}/request", data=self.fill(**changes), follow_redirects=True)

    def confirm(self, check_page):
        """Press この内容で申し込む on a check-answers page."""
        form = soup(check_page).find("form")
        data = MultiDict([(i["name"], i["value"]) for i in form.find_all("input", {"type": "hidden"})])
        return self.client.post(f"{self.base}/submit", data=data)

    def book(self, **changes):
        """The whole flow; returns the response of the final submit."""
        self.pass_eligibility()
        return self.confirm(self.check(**changes))


@pytest.fixture
def seeker(app):
    """A seeker at ハローワーク網走 (which asks four questions and takes e-mail)."""
    return Seeker(app.test_client(), "abashiri")
