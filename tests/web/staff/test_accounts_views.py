"""Accounts in the browser: one's own password; an office admin adds, disables, resets and changes
the role of the office's accounts, never another office's access; every change audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import StaffOffice, StaffUser

from ..conftest import soup
from .conftest import PASSWORD, StaffClient, add_staff, audit_rows

NEW = "a new passphrase 2026"


def user_row(app, username: str) -> StaffUser:
    with Session(db.engine_of(app)) as s:
        user = s.scalar(select(StaffUser).where(StaffUser.username == username))
        user.roles = {o.office_slug: o.role for o in user.offices}
        return user


def logged_in(app, username: str, password: str = PASSWORD) -> StaffClient:
    client = StaffClient(app)
    assert client.login(username, password).status_code == 303
    return client


def messages(client: StaffClient, response) -> list[str]:
    assert response.status_code == 303, response.status_code
    page = soup(client.get(response.headers["Location"]))
    return [n.get_text(strip=True) for n in page.select(".notice--ok, .notice--error")]


def summary(response) -> list[str]:
    page = soup(response)
    return [n.get_text(" ", strip=True) for n in page.select(".error-summary li, .error-summary p")]


# --- one's own password -------------------------------------------------------------------------

def test_change_own_password_ends_other_sessions(staff_app, aki):
    other = logged_in(staff_app, "aki")
    page = soup(aki.get("/staff/password"))
    assert page.h1.get_text() == "パスワードの変更"
    assert [i["autocomplete"] for i in page.select("input[type=password]")] == \
        ["current-password", "new-password", "new-password"]
    response = aki.post("/staff/password", current=PASSWORD, new=NEW, again=NEW)
    assert messages(aki, response) == ["パスワードを変更しました。ほかの端末でのログインは終了しました。"]
    assert aki.get("/staff/abashiri/").status_code == 200            # this session goes on
    assert other.get("/staff/abashiri/").status_code == 302          # the other one ended
    assert StaffClient(staff_app).login("aki", PASSWORD).status_code == 200
    assert StaffClient(staff_app).login("aki", NEW).status_code == 303
    assert [r[1:4] for r in audit_rows(staff_app) if r[2] == "staff_password"] == [(None, "staff_password", 1)]
    assert NEW not in repr(audit_rows(staff_app))


@pytest.mark.parametrize(("data", "message"), [
    ({"current": "", "new": NEW, "again": NEW}, "現在のパスワードを入力してください"),
    ({"current": PASSWORD, "new": "", "again": ""}, "新しいパスワードを入力してください"),
    ({"current": PASSWORD, "new": NEW, "again": NEW + "x"}, "確認のため、同じパスワードをもう一度入力してください"),
    ({"current": "wrong password!", "new": NEW, "again": NEW}, "現在のパスワードが正しくありません。"),
    ({"current": PASSWORD, "new": "short", "again": "short"}, "パスワードは12文字以上にしてください"),
    ({"current": PASSWORD, "new": PASSWORD, "again": PASSWORD}, "新しいパスワードが現在のものと同じです。"),
])
def test_change_own_password_refusals(staff_app, aki, data, message):
    response = aki.post("/staff/password", **data)
    assert response.status_code == 200
    assert any(message in m for m in summary(response)), summary(response)
    html = response.get_data(as_text=True)
    assert all(v not in html for v in data.values() if len(v) > 6)    # typed passwords never come back
    assert StaffClient(staff_app).login("aki", PASSWORD).status_code == 303


def test_change_password_needs_csrf_and_a_login(staff_app, aki):
    assert aki.client.post("/staff/password", data={"current": PASSWORD, "new": NEW, "again": NEW}).status_code == 400
    assert StaffClient(staff_app).get("/staff/password").headers["Location"].startswith("/staff/login")


# --- an office admin manages the office's accounts ---------------------------------------------

def test_admin_adds_an_account_bound_to_the_office(staff_app, aki):
    page = soup(aki.get("/staff/abashiri/accounts"))
    assert page.h1.get_text() == "職員アカウント"
    assert [a.get_text() for a in page.select("tbody a")] == ["aki"]           # hiro is another office's
    response = aki.post("/staff/abashiri/accounts", username=" Kei ", display_name="網走　圭",
                        role="counsellor", password=NEW, again=NEW)
    assert messages(aki, response)[0].startswith("職員「kei」を追加しました")
    kei = user_row(staff_app, "kei")
    assert kei.roles == {"abashiri": "counsellor"} and kei.display_name == "網走 圭"
    assert logged_in(staff_app, "kei", NEW).get("/staff/abashiri/").status_code == 200
    assert (1, "abashiri", "staff_add", kei.id, "role=counsellor") in audit_rows(staff_app)


@pytest.mark.parametrize(("data", "message"), [
    ({"username": ""}, "ユーザー名を入力してください"),
    ({"username": "ア"}, "ユーザー名は半角英小文字・数字・._- で2～64文字"),
    ({"username": "hiro"}, "ユーザー名「hiro」はすでに使われています"),
    ({"role": "root"}, "役割を選んでください"),
    ({"password": "short", "again": "short"}, "パスワードは12文字以上にしてください"),
    ({"password": "", "again": ""}, "最初のパスワードを入力してください"),
    ({"again": "something else"}, "確認のため、同じパスワードをもう一度入力してください"),
    ({"display_name": "x" * 51}, "表示名は50文字以内"),
])
def test_add_refusals_are_explained_and_change_nothing(staff_app, aki, data, message):
    before = audit_rows(staff_app)
    form = {"username": "kei", "display_name": "", "role": "counsellor", "password": NEW, "again": NEW, **data}
    response = aki.post("/staff/abashiri/accounts", **form)
    assert response.status_code == 200
    assert any(message in m for m in summary(response)), summary(response)
    assert NEW not in response.get_data(as_text=True)
    assert [r for r in audit_rows(staff_app) if r[2] == "staff_add"] == [r for r in before if r[2] == "staff_add"]
    assert user_row(staff_app, "hiro").roles == {"mothers-hiroshima": "office_admin"}


def test_admin_changes_role_resets_and_disables(staff_app, aki):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    kei = logged_in(staff_app, "kei")
    base = "/staff/abashiri/accounts/kei"
    page = soup(aki.get(base))
    assert page.h1.get_text() == "職員アカウント kei"
    assert messages(aki, aki.post(f"{base}/role", role="office_admin")) == ["役割を「所属長・管理者」にしました。"]
    assert kei.get("/staff/abashiri/audit").status_code == 200            # the new role holds at once
    assert messages(aki, aki.post(f"{base}/disable"))[0].startswith("無効にしました")
    assert kei.get("/staff/abashiri/").status_code == 302                 # its session ended
    assert "無効" in soup(aki.get("/staff/abashiri/accounts")).select("tbody tr")[1].get_text()
    assert "すでに無効です" in messages(aki, aki.post(f"{base}/disable"))[0]
    assert messages(aki, aki.post(f"{base}/reset", password=NEW, again=NEW))[0].startswith("新しいパスワードを設定しました")
    assert logged_in(staff_app, "kei", NEW).get("/staff/abashiri/").status_code == 200
    target = user_row(staff_app, "kei").id
    actions = [(r[2], r[3], r[4]) for r in audit_rows(staff_app) if r[0] == 1 and r[2].startswith("staff_")]
    assert actions == [("staff_role", target, "role=office_admin"), ("staff_disable", target, ""),
                       ("staff_reset", target, "")]
    assert NEW not in repr(audit_rows(staff_app))


@pytest.mark.parametrize(("action", "data", "message"), [
    ("role", {"role": "root"}, "役割を選んでください"),
    ("role", {}, "役割を選んでください"),
    ("reset", {"password": "short", "again": "short"}, "パスワードは12文字以上にしてください"),
    ("reset", {"password": NEW, "again": "other"}, "確認のため、同じパスワードをもう一度入力してください"),
])
def test_account_action_refusals(staff_app, aki, action, data, message):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    assert message in messages(aki, aki.post(f"/staff/abashiri/accounts/kei/{action}", **data))[0]
    assert user_row(staff_app, "kei").roles == {"abashiri": "counsellor"}
    assert StaffClient(staff_app).login("kei").status_code == 303


@pytest.mark.parametrize(("action", "data", "message"), [
    ("disable", {}, "自分のアカウントは無効にできません"),
    ("role", {"role": "counsellor"}, "自分の役割は変更できません"),
    ("reset", {"password": NEW, "again": NEW}, "自分のパスワードは「パスワードの変更」で"),
])
def test_an_admin_cannot_lock_themselves_out(staff_app, aki, action, data, message):
    assert message in messages(aki, aki.post(f"/staff/abashiri/accounts/aki/{action}", **data))[0]
    assert user_row(staff_app, "aki").roles == {"abashiri": "office_admin"} and user_row(staff_app, "aki").active
    assert "あなた自身のアカウントです" in soup(aki.get("/staff/abashiri/accounts/aki")).get_text()


def test_an_admin_cannot_touch_another_offices_access(staff_app, aki):
    add_staff(staff_app, "both", "abashiri:counsellor", "mothers-hiroshima:office_admin")
    base = "/staff/abashiri/accounts/both"
    for action, data in (("disable", {}), ("reset", {"password": NEW, "again": NEW})):
        assert "ほかの窓口にも所属しているため" in messages(aki, aki.post(f"{base}/{action}", **data))[0]
    assert StaffClient(staff_app).login("both").status_code == 303       # password and access unchanged
    # The role here is this office's own: it may change, the other office's role stays.
    aki.post(f"{base}/role", role="office_admin")
    assert user_row(staff_app, "both").roles == {"abashiri": "office_admin", "mothers-hiroshima": "office_admin"}
    # An account of another office only is not found here, whatever the action.
    assert aki.get("/staff/abashiri/accounts/hiro").status_code == 404
    for action in ("disable", "role", "reset"):
        assert aki.post(f"/staff/abashiri/accounts/hiro/{action}", role="counsellor", password=NEW,
                        again=NEW).status_code == 404
    assert aki.post("/staff/abashiri/accounts/both/delete").status_code == 404
    assert user_row(staff_app, "hiro").roles == {"mothers-hiroshima": "office_admin"}


def test_an_admin_of_every_office_of_an_account_may_reset_it(staff_app):
    add_staff(staff_app, "boss", "abashiri:office_admin", "mothers-hiroshima:office_admin")
    add_staff(staff_app, "both", "abashiri:counsellor", "mothers-hiroshima:counsellor")
    boss = logged_in(staff_app, "boss")
    assert "新しいパスワードを設定しました" in messages(
        boss, boss.post("/staff/abashiri/accounts/both/reset", password=NEW, again=NEW))[0]


@pytest.mark.parametrize("url", ["/staff/abashiri/accounts", "/staff/abashiri/accounts/aki"])
def test_account_pages_need_the_offices_admin(staff_app, url):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    assert logged_in(staff_app, "kei").get(url).status_code == 403
    assert logged_in(staff_app, "hiro").get(url).status_code == 403
    assert StaffClient(staff_app).get(url).status_code == 302
    kei = logged_in(staff_app, "kei")
    assert kei.post("/staff/abashiri/accounts/aki/disable").status_code == 403
    assert kei.post("/staff/abashiri/accounts", username="x1", role="office_admin", password=NEW,
                    again=NEW).status_code == 403
    assert user_row(staff_app, "aki").active


def test_account_forms_need_csrf(staff_app, aki):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    raw = aki.client
    assert raw.post("/staff/abashiri/accounts/kei/disable").status_code == 400
    assert raw.post("/staff/abashiri/accounts", data={"username": "x1", "role": "counsellor", "password": NEW,
                                                       "again": NEW}).status_code == 400
    assert user_row(staff_app, "kei").active


def test_the_office_nav_offers_accounts_to_admins_only(staff_app, aki):
    assert soup(aki.get("/staff/abashiri/")).select_one('nav a[href="/staff/abashiri/accounts"]') is not None
    add_staff(staff_app, "kei", "abashiri:counsellor")
    page = soup(logged_in(staff_app, "kei").get("/staff/abashiri/"))
    assert page.select_one('a[href="/staff/abashiri/accounts"]') is None
    assert page.select_one('a[href="/staff/password"]') is not None


def test_the_accounts_list_is_audited(staff_app, aki):
    aki.get("/staff/abashiri/accounts")
    assert (1, "abashiri", "view_accounts", None, "") in audit_rows(staff_app)
    rows = soup(aki.get("/staff/abashiri/audit")).select("tbody td")
    assert "職員アカウントを表示" in [td.get_text() for td in rows]
    with Session(db.engine_of(staff_app)) as s:
        assert s.scalar(select(StaffOffice.role).where(StaffOffice.office_slug == "abashiri")) == "office_admin"
