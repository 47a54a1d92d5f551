"""Accounts and sessions: argon2id, CLI commands, server-side sessions (a copied cookie dies with
logout or disable), idle timeout, login throttling."""
from __future__ import annotations

import datetime
import re

from sqlalchemy import text

from portal.web import db

from ..conftest import csrf_token
from .conftest import PASSWORD, StaffClient, add_staff


def session_cookie(client: StaffClient) -> str:
    return client.client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser that was handed a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/staff/abashiri/")


def test_password_is_stored_as_argon2id(staff_app):
    with db.engine_of(staff_app).connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM staff_users WHERE username='aki'")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_copied_cookie_is_refused_after_logout(staff_app, aki):
    cookie = session_cookie(aki)
    assert replay(staff_app, cookie).status_code == 200       # the copy works while logged in
    response = aki.post("/staff/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    refused = replay(staff_app, cookie)
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/staff/login")
    assert aki.get("/staff/abashiri/").status_code == 302


def test_disabling_ends_the_session_at_once(staff_app, aki):
    cookie = session_cookie(aki)
    result = staff_app.test_cli_runner().invoke(args=["staff", "disable", "Aki"])   # as add was typed, say
    assert result.exit_code == 0, result.output
    assert replay(staff_app, cookie).status_code == 302
    assert StaffClient(staff_app).login("aki").status_code == 200   # and no new login


def test_reset_ends_sessions_and_sets_a_new_password(staff_app, aki):
    cookie = session_cookie(aki)
    result = staff_app.test_cli_runner().invoke(args=["staff", "reset", "aki", "--password-stdin"],
                                                input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert replay(staff_app, cookie).status_code == 302
    assert StaffClient(staff_app).login("aki").status_code == 200
    assert StaffClient(staff_app).login("aki", "a brand new passphrase").status_code == 303


def test_idle_timeout_ends_the_session(make_app, clock):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_IDLE_MINUTES=30)
    add_staff(app, "aki", "abashiri")
    c = StaffClient(app)
    c.login("aki")
    clock.now += datetime.timedelta(minutes=29)
    assert c.get("/staff/abashiri/").status_code == 200          # activity keeps it alive
    clock.now += datetime.timedelta(minutes=29)
    assert c.get("/staff/abashiri/").status_code == 200
    clock.now += datetime.timedelta(minutes=31)
    assert c.get("/staff/abashiri/").status_code == 302


def test_login_locks_after_repeated_failures(staff_app, clock):
    c = StaffClient(staff_app)
    for _ in range(5):
        page = c.login("aki", "wrong password!")
        assert "正しくありません" in page.get_data(as_text=True)
    locked = c.login("aki")   # even the right password is refused while locked
    assert locked.status_code == 200 and "しばらくログインできなくなります" in locked.get_data(as_text=True)
    clock.now += datetime.timedelta(minutes=16)
    assert c.login("aki").status_code == 303


def test_login_rate_limit_per_client(make_app):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="3 per minute")
    c = StaffClient(app)
    codes = [c.login("nobody", "whatever-password").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_unknown_user_wrong_password_and_locked_account_read_the_same(staff_app):
    a = StaffClient(staff_app).login("nobody").get_data(as_text=True)
    b = StaffClient(staff_app).login("aki", "not the password").get_data(as_text=True)
    c = StaffClient(staff_app)
    for _ in range(5):
        c.login("aki", "wrong password!")
    locked = c.login("aki").get_data(as_text=True)
    for page in (a, b, locked):
        assert "ユーザー名またはパスワードが正しくありません" in page
    assert "not the password" not in b and "correct horse" not in locked   # a password is never sent back
    # Nothing but the CSRF token and the name typed differ between the three pages.
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*>', "", html).replace('value="nobody"', 'value="aki"')  # noqa: E731
    assert strip(a) == strip(b) == strip(locked)


def test_login_issues_a_new_token_each_time(staff_app):
    c = StaffClient(staff_app)
    c.login("aki")
    first = session_cookie(c)
    page = c.get("/staff/login")
    c.client.post("/staff/login", data={"username": "aki", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert session_cookie(c) != first
    assert replay(staff_app, first).status_code == 302   # the old session ended


def test_cli_refuses_bad_input(staff_app):
    runner = staff_app.test_cli_runner()
    cases = [
        (["staff", "add", "x1", "--office", "nowhere", "--password-stdin"], PASSWORD, "窓口「nowhere」はありません"),
        (["staff", "add", "x2", "--office", "abashiri:boss", "--password-stdin"], PASSWORD, "役割「boss」はありません"),
        (["staff", "add", "x3", "--office", "abashiri", "--password-stdin"], "short", "12文字以上"),
        (["staff", "add", "aki", "--office", "abashiri", "--password-stdin"], PASSWORD, "すでにいます"),
        (["staff", "disable", "ghost"], "", "いません"),
        (["staff", "backup", "/nonexistent/folder/b.sqlite3"], "",
         "保存先のフォルダー /nonexistent/folder がありません"
         if staff_app.config["DATABASE_URL"].startswith("sqlite") else "pg_dump"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin + "\n")
        assert result.exit_code == 1 and message in result.output, (args, result.output)


def test_cli_database_errors_are_one_line_naming_the_database(make_app, tmp_path):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, DATABASE_URL=f"sqlite:///{tmp_path}/never-prepared.sqlite3")
    for args in (["staff", "purge"], ["staff", "disable", "aki"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, result.output
        assert "PORTAL_DATABASE_URL: データベース sqlite:///" in result.output and "never-prepared" in result.output
        assert "Traceback" not in result.output
