"""Protection: CSRF, honeypot, rate limit, size limit, headers, cookies, error pages, logs."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from portal.web.security import ProcessMemoryStorage, limiter

from .conftest import Seeker, rows, soup


def test_post_without_csrf_token_is_400_and_writes_nothing(app, seeker):
    seeker.pass_eligibility()
    data = seeker.fill()
    del data["csrf_token"]
    for url in ("/abashiri/booking/request", "/abashiri/booking/submit", "/abashiri/booking/eligibility"):
        response = seeker.client.post(url, data=data)
        assert response.status_code == 400
        assert soup(response).h1.get_text() == "送信内容を受け付けられませんでした"
    assert rows(app, "booking_requests") == 0


def test_csrf_token_of_another_session_is_refused(app, seeker):
    seeker.pass_eligibility()
    data = seeker.fill()
    other = Seeker(app.test_client(), "abashiri")
    other.pass_eligibility()
    assert other.client.post("/abashiri/booking/submit", data=data).status_code == 400
    assert rows(app, "booking_requests") == 0


def test_honeypot_filled_is_refused(app, seeker):
    seeker.pass_eligibility()
    assert seeker.check(website="http://spam.example").status_code == 400
    assert seeker.client.post("/abashiri/booking/submit", data=seeker.fill(website="x")).status_code == 400
    assert rows(app, "booking_requests") == 0


def test_honeypot_is_hidden_from_people(seeker):
    seeker.pass_eligibility()
    trap = soup(seeker.form_page()).find("input", {"name": "website"})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert trap.find_parent(class_="hp")["aria-hidden"] == "true"


def test_rate_limit_gives_429(make_app):
    app = make_app(RATELIMIT_SUBMIT="3 per minute")
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    codes = [seeker.check().status_code for _ in range(3)]
    response = seeker.client.post("/abashiri/booking/submit", data=seeker.fill())
    assert codes == [200, 200, 200] and response.status_code == 429
    page = soup(response)
    assert page.h1.get_text() == "申し込み内容の入力"   # the form again, with what was typed
    assert "送信の回数が多すぎます" in page.select_one(".notice").get_text()
    assert page.find("input", {"name": "name"})["value"] == seeker.fill()["name"]
    assert rows(app, "booking_requests") == 0


def test_rate_limit_without_a_form_to_show_gives_the_japanese_429_page(make_app):
    client = make_app(RATELIMIT_SUBMIT="1 per minute", WTF_CSRF_ENABLED=False).test_client()
    client.post("/abashiri/booking/submit", data={})
    response = client.post("/abashiri/booking/submit", data={})   # no eligibility answered: no form
    assert response.status_code == 429
    assert soup(response).h1.get_text() == "送信の回数が多すぎます"


def test_rate_limit_elsewhere_gives_the_429_page(make_app):
    from .staff.conftest import StaffClient
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1 per minute")
    client = StaffClient(app)
    client.login("nobody", "whatever-password")
    response = client.login("nobody", "whatever-password")
    assert response.status_code == 429
    assert soup(response).h1.get_text() == "送信の回数が多すぎます"


def test_rate_limit_counts_do_not_wait_for_the_disk_but_bookings_do(make_app):
    """The counters' commits skip the flush (a crash may forget a count, never a booking)."""
    from sqlalchemy import text

    from portal.web import db

    app = make_app()
    storage = limiter.storage
    assert storage.incr("client", 60) == 1
    with storage.engine.connect() as counters, db.engine_of(app).connect() as bookings:
        if counters.dialect.name == "postgresql":
            show = text("SHOW synchronous_commit")
            assert (counters.scalar(show), bookings.scalar(show)) == ("off", "on")
        else:
            pragma = text("PRAGMA synchronous")
            assert (counters.scalar(pragma), bookings.scalar(pragma)) == (1, 2)   # NORMAL, FULL


def test_memory_rate_limit_starts_no_thread_per_hit(make_app):
    """memory:// (one process only) counts in a storage that sweeps inline instead of a timer per hit."""
    make_app(RATELIMIT_STORAGE_URI="memory://")
    storage = limiter.storage
    assert isinstance(storage, ProcessMemoryStorage)
    storage.timer.join()  # the one timer MemoryStorage starts when created
    before = threading.active_count()
    for _ in range(3):
        assert storage.incr("client", 60) >= 1
        time.sleep(0.02)  # longer than MemoryStorage's timer: it would have started a new one
    assert threading.active_count() == before


def test_memory_rate_limit_sweeps_expired_counters():
    storage = ProcessMemoryStorage("madoguchi+memory://")
    storage.timer.join()
    storage.incr("gone", 0.01)
    time.sleep(0.02)
    storage.incr("kept", 60)
    assert "gone" in storage.storage  # not yet: the sweep runs every SWEEP_SECONDS
    storage._next_sweep = 0.0
    storage.incr("kept", 60)
    assert "gone" not in storage.storage and storage.get("kept") == 2


def test_request_size_limit_gives_413(app, seeker):
    seeker.pass_eligibility()
    response = seeker.check(companion_note="あ" * 70000, companions=["family"])
    assert response.status_code == 413
    assert soup(response).h1.get_text() == "送信内容が大きすぎます"


def test_405_and_404_pages_are_japanese(app):
    client = app.test_client()
    response = client.get("/abashiri/booking/submit")
    assert response.status_code == 405 and "この操作はできません" in soup(response).h1.get_text()
    assert response.headers["Allow"] == "POST"
    response = client.post("/abashiri/booking/")   # a GET-only page of the portal
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    response = client.get("/abashiri/booking/not-eligible/none")
    assert response.status_code == 404 and "ページが見つかりません" in soup(response).h1.get_text()


def test_500_page_is_japanese_without_traceback(make_app):
    app = make_app(TESTING=False)

    def boom():
        raise RuntimeError("secret detail")
    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "システムの不具合が発生しました" in body and "secret detail" not in body and "Traceback" not in body


@pytest.mark.parametrize("url", ["/abashiri/booking/", "/abashiri/booking/eligibility", "/nowhere"])
def test_security_headers_on_every_response(app, url):
    response = app.test_client().get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_pages(seeker):
    seeker.pass_eligibility()
    for page in (seeker.client.get("/abashiri/booking/"), seeker.form_page(), seeker.check()):
        html = soup(page)
        assert not html.find("script") and not html.find("style") and not html.find(attrs={"style": True})


def test_session_cookie_is_httponly_and_samesite(app):
    response = app.test_client().get("/abashiri/booking/eligibility")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_https_cookie_is_secure_with_host_prefix(make_app):
    app = make_app(HTTPS=True)
    response = app.test_client().get("/abashiri/booking/eligibility", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_personal_data_in_logs(app, seeker, caplog):
    caplog.set_level(logging.DEBUG)
    seeker.book(name="秘密 花子", phone="090-9999-8888", seeker_number="98765-43210987")
    assert rows(app, "booking_requests") == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "booking request stored" in logged
    for secret in ("秘密", "9999", "98765", "43210987"):
        assert secret not in logged


def test_database_errors_hide_parameters(app):
    from sqlalchemy import text
    from portal.web import db
    with pytest.raises(Exception) as exc, db.engine_of(app).begin() as conn:
        conn.execute(text("INSERT INTO consents (request_id) VALUES (:x)"), {"x": "秘密の値"})
    assert "SQL parameters hidden" in str(exc.value)


def test_unexpected_errors_are_logged_without_their_message(make_app, caplog):
    # A database server may echo a value in its error message (PostgreSQL does): never log it.
    app = make_app(TESTING=False)

    def boom():
        raise ValueError("invalid input: 網走 花子 090-1234-5678")
    app.add_url_rule("/boom", "boom", boom)
    caplog.set_level(logging.DEBUG)
    assert app.test_client().get("/boom").status_code == 500
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "ValueError" in logged and "test_security.py" in logged
    assert "花子" not in logged and "1234" not in logged
