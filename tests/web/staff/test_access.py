"""Per-office access on every staff route, roles, CSRF, and the audit log that every access leaves."""
from __future__ import annotations

import pytest

from ..conftest import soup
from .conftest import FIRST_SLOT, PASSWORD, StaffClient, add_staff, audit_rows, book, request_row


def routes(slug: str, reference: str, sha: str) -> list[tuple[str, str]]:
    base = f"/staff/{slug}"
    out = [("GET", f"{base}/"), ("GET", f"{base}/?status=requested&date=2026-05-07"),
           ("GET", f"{base}/requests/{reference}"), ("GET", f"{base}/terms/{sha}"),
           ("GET", f"{base}/schedule"), ("GET", f"{base}/schedule?date=2026-05-07"),
           ("GET", f"{base}/week"), ("GET", f"{base}/week?date=2026-05-07"),
           ("GET", f"{base}/export.csv"), ("GET", f"{base}/audit"), ("GET", f"{base}/audit?date=2026-05-01&user=aki"),
           ("GET", f"{base}/accounts"), ("GET", f"{base}/accounts/aki"), ("POST", f"{base}/accounts/aki/disable")]
    out.append(("GET", f"{base}/requests/{reference}/cancel?channel=phone"))   # the "are you sure?" page
    out.append(("GET", f"{base}/new"))
    out.append(("POST", f"{base}/new"))
    out.append(("GET", f"{base}/mail"))
    for action in ("contact", "confirm", "details", "cancel", "no-show", "complete", "next", "reschedule", "undo",
                   "memo"):
        out.append(("POST", f"{base}/requests/{reference}/{action}"))
    return out


def test_every_staff_route_is_listed(staff_app):
    rules = {r.rule for r in staff_app.url_map.iter_rules() if r.endpoint.startswith("staff.")}
    assert rules == {"/staff/", "/staff/login", "/staff/logout", "/staff/<slug>/", "/staff/<slug>/audit",
                     "/staff/<slug>/export.csv", "/staff/<slug>/new", "/staff/<slug>/requests/<reference>",
                     "/staff/<slug>/requests/<reference>/<action>", "/staff/<slug>/schedule",
                     "/staff/<slug>/terms/<sha256>", "/staff/<slug>/week", "/staff/password",
                     "/staff/<slug>/accounts", "/staff/<slug>/accounts/<username>",
                     "/staff/<slug>/accounts/<username>/<action>", "/staff/mfa", "/staff/mfa/setup",
                     "/staff/<slug>/mfa", "/staff/<slug>/mfa/<user_id>/reset", "/staff/<slug>/mail"}


@pytest.mark.parametrize("who", ["own", "other", "anonymous"])
def test_access_matrix(staff_app, who):
    reference = book(staff_app, "abashiri")
    client = StaffClient(staff_app)
    if who != "anonymous":
        client.login("aki" if who == "own" else "hiro")
    owner = StaffClient(staff_app)
    owner.login("aki")
    link = soup(owner.get(f"/staff/abashiri/requests/{reference}")).find("a", string="保存されている利用規約の全文を見る")
    sha = link["href"].rsplit("/", 1)[1]
    for method, url in routes("abashiri", reference, sha):
        token = client.token()
        if method == "GET":
            response = client.get(url)
        else:
            response = client.client.post(url, data={"csrf_token": token, "outcome": "reached",
                                                     "slot": FIRST_SLOT["abashiri"], "channel": "phone"})
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/staff/login?next="), url
        elif who == "other":
            assert response.status_code == 403, url
            assert "個人" not in response.get_data(as_text=True)
        elif method == "GET":
            assert response.status_code == 200, url
        elif url.endswith("/new"):
            assert response.status_code == 200, url    # the form again
        else:
            assert response.status_code == 303, url    # done or refused by the rules, then back
    if who == "other":
        # Nothing of office A's seeker leaked into B's answers, and each refusal is in the audit log.
        forbidden = [r for r in audit_rows(staff_app) if r[2] == "forbidden"]
        assert len(forbidden) == len(routes("abashiri", reference, sha))


def test_anonymous_home_redirects_and_login_page_is_japanese(staff_app):
    client = StaffClient(staff_app)
    assert client.get("/staff/").headers["Location"].startswith("/staff/login")
    page = soup(client.get("/staff/login"))
    assert page.h1.get_text() == "職員ログイン"
    assert page.find("html")["lang"] == "ja"


def test_request_of_another_office_is_not_found_in_own_office(staff_app, aki):
    add_staff(staff_app, "both", "abashiri", "mothers-hiroshima")
    reference = book(staff_app, "mothers-hiroshima")
    both = StaffClient(staff_app)
    both.login("both")
    assert both.get(f"/staff/mothers-hiroshima/requests/{reference}").status_code == 200
    assert both.get(f"/staff/abashiri/requests/{reference}").status_code == 404


def test_counsellor_cannot_export_or_read_the_audit_log(staff_app):
    add_staff(staff_app, "kei", "abashiri:counsellor")
    kei = StaffClient(staff_app)
    kei.login("kei")
    assert kei.get("/staff/abashiri/").status_code == 200
    assert kei.get("/staff/abashiri/export.csv").status_code == 403
    assert kei.get("/staff/abashiri/audit").status_code == 403
    assert "CSV出力" not in kei.get("/staff/abashiri/").get_data(as_text=True)


def test_post_without_csrf_is_refused(staff_app, aki):
    reference = book(staff_app)
    response = aki.client.post(f"/staff/abashiri/requests/{reference}/contact", data={"outcome": "reached"})
    assert response.status_code == 400
    assert request_row(staff_app, reference).status == "requested"


def test_login_next_only_goes_to_staff_pages(staff_app):
    client = StaffClient(staff_app)
    page = client.get("/staff/login")
    from ..conftest import csrf_token
    response = client.client.post("/staff/login?next=//evil.example/", data={
        "username": "aki", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/staff/"


def test_audit_log_has_ids_never_personal_values(staff_app, aki):
    reference = book(staff_app, name="監査 確認子", phone="090-9999-8888")
    aki.get("/staff/abashiri/")
    aki.get(f"/staff/abashiri/requests/{reference}")
    aki.act("abashiri", reference, "contact", outcome="reached")
    aki.get("/staff/abashiri/export.csv")
    rows = audit_rows(staff_app)
    actions = [r[2] for r in rows]
    for expected in ("login", "view_queue", "view_request", "request_contact", "export"):
        assert expected in actions
    req_id = request_row(staff_app, reference).id
    assert (1, "abashiri", "view_request", req_id) in [r[:4] for r in rows]
    flat = repr(rows)
    for personal in ("監査", "確認子", "09099998888", "090-9999-8888", "01234-12345678", reference):
        assert personal not in flat
    page = soup(aki.get("/staff/abashiri/audit"))
    assert page.find("td", string="申し込みを表示")
    assert page.find("td", string=f"受付番号 {reference}")
