"""/healthz answers 200 with the database and 503 without it, in plain text with nothing else in
it; a page whose database is unreachable gets the Japanese 503 page, never a traceback."""
from __future__ import annotations

from sqlalchemy import text

from portal.web import db


def test_healthz_is_ok_with_the_database(app):
    client = app.test_client()
    for _ in range(30):   # a monitor polling from one address is never rate-limited
        response = client.get("/healthz")
        assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def _dead_app(make_app, tmp_path):
    # A SQLite file in a folder that does not exist: every connection fails, like a server that is down.
    return make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'portal.sqlite3'}",
                    RATELIMIT_STORAGE_URI="memory://")


def test_healthz_is_503_without_the_database(make_app, tmp_path):
    response = _dead_app(make_app, tmp_path).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"


def test_a_page_without_its_database_gets_the_japanese_503(make_app, tmp_path):
    app = _dead_app(make_app, tmp_path)
    app.add_url_rule("/needs-db", "needs_db", lambda: str(db.session().execute(text("SELECT 1")).scalar()))
    app.testing = False   # the error handlers answer, as in production
    response = app.test_client().get("/needs-db")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.get_data(as_text=True)
    assert "ただいまご利用いただけません" in body and "二重になることはありません" in body
    assert "Traceback" not in body and "OperationalError" not in body
