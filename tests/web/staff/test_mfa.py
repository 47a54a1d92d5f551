"""Staff MFA: TOTP enrolment in the browser with a QR code, the code after the password, one-time
recovery codes, rate-limited and ending the half-done login after repeated wrong codes, reset by
the CLI; every step audited (issue 14)."""
from __future__ import annotations

import datetime

import pyotp
import pytest
from sqlalchemy import text

from portal.web import db

from ..conftest import soup
from .conftest import StaffClient, add_staff, audit_rows


@pytest.fixture
def mfa_app(make_app):
    """MFA as shipped (required for office admins); cheap hashing, a generous login limit."""
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute")
    add_staff(app, "kanri", "abashiri:office_admin")
    add_staff(app, "aki", "abashiri:counsellor")
    return app


def code_at(secret: str, moment: datetime.datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrol(c: StaffClient, clock) -> tuple[str, list[str]]:
    """Log in, get sent to the setup page, read the secret, confirm a first code; (secret, codes)."""
    page = c.get("/staff/mfa/setup")
    html = soup(page)
    secret = html.select_one("code.mfa-secret").get_text().replace(" ", "")
    done = c.post("/staff/mfa/setup", code=code_at(secret, clock.now))
    assert done.status_code == 200, done.status_code
    codes = [n.get_text() for n in soup(done).select(".recovery-codes code")]
    return secret, codes


def test_an_office_admin_must_enrol_before_any_page(mfa_app, clock):
    c = StaffClient(mfa_app)
    assert c.login("kanri").status_code == 303
    for url in ("/staff/", "/staff/abashiri/", "/staff/abashiri/export.csv", "/staff/abashiri/audit"):
        response = c.get(url)
        assert response.status_code == 303 and response.headers["Location"].startswith("/staff/mfa/setup"), url
    page = soup(c.get("/staff/mfa/setup"))
    assert page.h1.get_text() == "二段階認証の設定"
    qr = page.find("img")
    assert qr["src"].startswith("data:image/svg+xml") and qr["alt"]
    assert not page.find("script") and not page.find("style") and not page.select("[style]")
    wrong = c.post("/staff/mfa/setup", code="000000")
    assert "確認コードが正しくありません" in soup(wrong).get_text()
    secret, codes = enrol(c, clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert c.get("/staff/abashiri/").status_code == 200
    with db.engine_of(mfa_app).connect() as conn:
        stored = " ".join(conn.execute(text("SELECT code_sha256 FROM staff_recovery_codes")).scalars())
    assert all(code.replace("-", "") not in stored and code not in stored for code in codes)   # hashed only
    assert "mfa_enrolled" in [r[2] for r in audit_rows(mfa_app)]


def test_the_code_is_asked_after_the_password_and_used_once(mfa_app, clock):
    c = StaffClient(mfa_app)
    c.login("kanri")
    secret, codes = enrol(c, clock)
    used = code_at(secret, clock.now)
    other = StaffClient(mfa_app)
    assert other.login("kanri").status_code == 303
    first = other.get("/staff/abashiri/")
    assert first.status_code == 303 and first.headers["Location"].startswith("/staff/mfa?next=")
    assert "確認コードが正しくありません" in soup(other.post("/staff/mfa", code=used)).get_text()   # a replay
    clock.now += datetime.timedelta(seconds=30)
    passed = other.post("/staff/mfa?next=/staff/abashiri/", code=code_at(secret, clock.now))
    assert passed.status_code == 303 and passed.headers["Location"] == "/staff/abashiri/"
    assert other.get("/staff/abashiri/").status_code == 200
    # A recovery code works once.
    for expected in (303, 200):
        third = StaffClient(mfa_app)
        third.login("kanri")
        assert third.post("/staff/mfa", code=codes[0].lower()).status_code == expected
    actions = [r[2] for r in audit_rows(mfa_app)]
    assert {"mfa_passed", "mfa_recovery_used", "mfa_failed"} <= set(actions)


def test_wrong_codes_end_the_half_done_login(mfa_app, clock):
    c = StaffClient(mfa_app)
    c.login("kanri")
    enrol(c, clock)
    d = StaffClient(mfa_app)
    d.login("kanri")
    for _ in range(4):
        assert d.post("/staff/mfa", code="123456").status_code == 200
    ended = d.post("/staff/mfa", code="123456")
    assert ended.status_code == 303 and ended.headers["Location"] == "/staff/login"
    assert d.get("/staff/abashiri/").headers["Location"].startswith("/staff/login")
    assert "mfa_locked" in [r[2] for r in audit_rows(mfa_app)]


def test_codes_share_the_login_rate_limit(make_app, clock):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="3 per minute", STAFF_MFA_ATTEMPTS=20)
    add_staff(app, "kanri", "abashiri:office_admin")
    c = StaffClient(app)
    c.login("kanri")
    enrol(c, clock)
    d = StaffClient(app)
    d.login("kanri")
    assert [d.post("/staff/mfa", code="123456").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_counsellors_by_setting(mfa_app, make_app, clock):
    c = StaffClient(mfa_app)
    c.login("aki")
    assert c.get("/staff/abashiri/").status_code == 200   # counsellors: not required by default…
    secret, _ = enrol(c, clock)                             # …but may enrol, and then it is asked
    clock.now += datetime.timedelta(seconds=30)
    d = StaffClient(mfa_app)
    d.login("aki")
    assert d.get("/staff/abashiri/").status_code == 303
    everyone = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_MFA_REQUIRED="all")
    add_staff(everyone, "sodan", "abashiri:counsellor")
    e = StaffClient(everyone)
    e.login("sodan")
    assert e.get("/staff/abashiri/").headers["Location"].startswith("/staff/mfa/setup")


def test_csrf_is_checked_on_the_code_pages(mfa_app):
    c = StaffClient(mfa_app)
    c.login("kanri")
    assert c.client.post("/staff/mfa/setup", data={"code": "123456"}).status_code == 400


def test_cli_reset_removes_mfa_ends_sessions_and_is_audited(mfa_app, clock):
    c = StaffClient(mfa_app)
    c.login("kanri")
    enrol(c, clock)
    result = mfa_app.test_cli_runner().invoke(args=["staff", "mfa-reset", "KANRI"])
    assert result.exit_code == 0 and "二段階認証を解除しました" in result.output
    assert c.get("/staff/abashiri/").headers["Location"].startswith("/staff/login")
    c.login("kanri")
    assert c.get("/staff/abashiri/").headers["Location"].startswith("/staff/mfa/setup")   # enrol again
    with db.engine_of(mfa_app).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM staff_recovery_codes WHERE used_at IS NULL")).scalar_one() == 0
    assert "mfa_reset" in [r[2] for r in audit_rows(mfa_app)]
    missing = mfa_app.test_cli_runner().invoke(args=["staff", "mfa-reset", "nobody"])
    assert missing.exit_code == 1 and "いません" in missing.output


def test_an_office_admin_resets_a_colleagues_mfa_in_the_browser(make_app, clock):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute", STAFF_MFA_REQUIRED="all")
    add_staff(app, "kanri", "abashiri:office_admin")
    add_staff(app, "aki", "abashiri:counsellor")
    add_staff(app, "hiro", "mothers-hiroshima:office_admin")
    admin, colleague, other = StaffClient(app), StaffClient(app), StaffClient(app)
    for client, name in ((admin, "kanri"), (colleague, "aki"), (other, "hiro")):
        client.login(name)
        enrol(client, clock)
    page = soup(admin.get("/staff/abashiri/mfa"))
    assert page.h1.get_text() == "二段階認証の管理"
    with db.engine_of(app).connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM staff_users")).all())
    aki_id = ids["aki"]
    assert other.post(f"/staff/abashiri/mfa/{aki_id}/reset").status_code == 403   # another office's admin
    assert colleague.post(f"/staff/abashiri/mfa/{aki_id}/reset").status_code == 403   # not an admin
    assert admin.client.post(f"/staff/abashiri/mfa/{aki_id}/reset").status_code == 400   # no CSRF token
    done = admin.post(f"/staff/abashiri/mfa/{aki_id}/reset")
    assert done.status_code == 303
    assert colleague.get("/staff/abashiri/").headers["Location"].startswith("/staff/login")   # sessions ended
    assert admin.post("/staff/abashiri/mfa/999/reset").status_code == 404
    resets = [r for r in audit_rows(app) if r[2] == "mfa_reset"]
    assert resets == [(ids["kanri"], "abashiri", "mfa_reset", aki_id, f"user={aki_id} by={ids['kanri']}")]
