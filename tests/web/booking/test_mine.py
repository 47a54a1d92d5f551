"""The seeker's own request: the private link and its page, finding it without the link, online
cancellation where the office takes it, and Back never booking twice."""
from __future__ import annotations

import datetime
import hashlib
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from portal.web import db
from portal.web.models import BookingRequest  # noqa: F401  (the table the tests read)

from ..conftest import VALID, Seeker, csrf_token, soup

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
FIRST_SLOT = "2026-05-07T09:30"


def sql(app, query: str, **params):
    """Rows of a query, read straight from the database."""
    with db.engine_of(app).connect() as conn:
        return list(conn.execute(text(query), params))


def write(app, query: str, **params) -> None:
    with db.engine_of(app).begin() as conn:
        conn.execute(text(query), params)


@pytest.fixture
def online_content(content):
    """A content copy where ハローワーク網走 takes online cancellations too."""
    path = content / "abashiri" / "office.yaml"
    yaml = path.read_text(encoding="utf-8")
    assert "channels: [phone, email]\n" in yaml
    path.write_text(yaml.replace("channels: [phone, email]\n", "channels: [phone, email, online]\n", 1), encoding="utf-8")
    return content


@pytest.fixture
def online_app(make_app, online_content):
    return make_app(CONTENT_DIR=str(online_content))


def booked(app, slug: str = "abashiri", **changes) -> tuple[Seeker, str, str]:
    """A request made through the flow: the seeker, its reference and its private link (path?query)."""
    seeker = Seeker(app.test_client(), slug)
    assert seeker.book(**changes).status_code == 302
    done = soup(seeker.client.get(f"/{slug}/booking/done"))
    reference = done.select_one(".reference").get_text()
    link = done.select_one(".private-link a")["href"]
    parts = urlsplit(link)
    return seeker, reference, f"{parts.path}?{parts.query}"


def confirm_at(app, reference: str, start: datetime.datetime, place: int = 1) -> None:
    """Staff fixed the time (written straight to the tables, as the console's confirm does)."""
    [(rid,)] = sql(app, "SELECT id FROM booking_requests WHERE reference = :r", r=reference)
    naive = start.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    write(app, "INSERT INTO appointments (request_id, office_slug, starts_at, place_no) VALUES (:i, 'abashiri', :s, :p)",
          i=rid, s=naive, p=place)
    write(app, "UPDATE booking_requests SET status = 'confirmed' WHERE id = :i", i=rid)


def status_of(app, reference: str) -> str:
    return sql(app, "SELECT status FROM booking_requests WHERE reference = :r", r=reference)[0][0]


def test_done_page_gives_a_private_link_whose_token_is_stored_only_hashed(app):
    _seeker, reference, link = booked(app)
    token = parse_qs(urlsplit(link).query)["key"][0]
    assert link.startswith("/abashiri/booking/status?key=") and len(token) == 32
    [(stored,)] = sql(app, "SELECT link_sha256 FROM booking_requests WHERE reference = :r", r=reference)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    everything = str(sql(app, "SELECT * FROM booking_requests"))
    assert token not in everything


def test_private_page_shows_status_wishes_steps_contact_and_terms_but_no_seeker_number(app):
    _seeker, reference, link = booked(app, slot2="2026-05-07T10:30")
    fresh = app.test_client()     # the link alone opens it: another browser, no session
    response = fresh.get(link)
    assert response.status_code == 200
    page = soup(response)
    body = page.get_text()
    assert page.h1.get_text() == "申し込みの状況"
    assert reference in body and "受付済み" in body
    assert "5月7日（木）9：30～10：00" in body and "5月7日（木）10：30～11：00" in body
    assert "このあとの流れ" in body and page.select_one(".contact")
    assert "01234-12345678" not in body and "0123412345678" not in body
    assert "090-1234-5678" not in body and "09012345678" not in body and "末尾4桁 5678" in body
    terms = page.select_one(".receipt a")
    assert terms["href"].startswith("/abashiri/terms/") and terms["href"] != "/abashiri/terms/"
    assert "電話又はメールでご連絡ください" in body and not page.select('a[href*="cancel"]')
    assert response.headers["Cache-Control"] == "no-store"


def test_confirmed_request_shows_its_date_and_time(app):
    _seeker, reference, link = booked(app)
    confirm_at(app, reference, datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO))
    assert "日時確定：5月7日（木）9：30～10：00" in soup(app.test_client().get(link)).get_text()


@pytest.mark.parametrize("key", ["", "short", "x" * 32, "../../etc/passwd", "A" * 500])
def test_a_malformed_or_unknown_link_gets_one_japanese_page(app, key):
    booked(app)
    response = app.test_client().get(f"/abashiri/booking/status?key={key}")
    assert response.status_code == 404
    assert soup(response).h1.get_text() == "申し込みが見つかりません"


def test_a_link_opens_nothing_at_another_office(app):
    _seeker, _reference, link = booked(app)
    response = app.test_client().get(link.replace("/abashiri/", "/mothers-hiroshima/"))
    assert response.status_code == 404 and soup(response).h1.get_text() == "申し込みが見つかりません"


def test_the_link_stops_working_once_the_request_is_purged(app, clock):
    _seeker, _reference, link = booked(app)
    clock.now += datetime.timedelta(days=400)
    result = app.test_cli_runner().invoke(args=["staff", "purge"])
    assert result.exit_code == 0, result.output
    assert app.test_client().get(link).status_code == 404


def find(client, slug: str, reference: str, number: str):
    page = client.get(f"/{slug}/booking/find")
    return client.post(f"/{slug}/booking/find", data={"csrf_token": csrf_token(page), "reference": reference,
                                                      "number": number})


@pytest.mark.parametrize("number", ["01234-12345678", "０１２３４１２３４５６７８", "090-1234-5678"])
def test_find_by_reference_and_seeker_number_or_phone(app, number):
    _seeker, reference, _link = booked(app)
    client = app.test_client()
    response = find(client, "abashiri", reference.lower().replace("-", ""), number)
    assert response.status_code == 302 and response.headers["Location"].endswith("/abashiri/booking/status")
    assert reference in soup(client.get("/abashiri/booking/status")).get_text()


def test_a_wrong_pair_and_an_unknown_reference_get_the_same_answer(app):
    _seeker, reference, _link = booked(app)
    unknown = "CCCC-CCCC" if reference != "CCCC-CCCC" else "DDDD-DDDD"
    answers = []
    for ref, number in ((reference, "99999-99999999"), (unknown, "01234-12345678"), (reference, "03-0000-0000")):
        response = find(app.test_client(), "abashiri", ref, number)
        page = soup(response)
        page.find("input", {"name": "csrf_token"}).decompose()
        for field in page.select("input[name=reference], input[name=number]"):  # what was typed, echoed
            field["value"] = ""
        answers.append((response.status_code, str(page)))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200 and "見つかりませんでした" in answers[0][1]


def test_another_offices_reference_is_not_found(app):
    _seeker, reference, _link = booked(app)
    response = find(app.test_client(), "mothers-hiroshima", reference, "01234-12345678")
    assert response.status_code == 200 and "見つかりませんでした" in response.get_data(as_text=True)


def test_find_checks_shape_in_japanese(app):
    page = soup(find(app.test_client(), "abashiri", "K7", "12"))
    messages = [a.get_text() for a in page.select(".error-summary a")]
    assert messages == ["受付番号は「K7QM-3FXA」のように、英字と数字の8文字です",
                        "求職番号（例：12345-12345678）か電話番号（例：090-1234-5678）を入力してください"]


def test_find_is_rate_limited(make_app):
    app = make_app(RATELIMIT_SUBMIT="3 per minute")
    client = app.test_client()
    codes = [find(client, "abashiri", "CCCC-CCCC", "01234-12345678").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def cancel(client, link: str, with_csrf: bool = True):
    """The confirmation step, then the button."""
    step = client.get(link.replace("/status?", "/status/cancel?"))
    form = soup(step).find("form", {"action": "cancel"})
    data = {i["name"]: i["value"] for i in form.find_all("input", {"type": "hidden"})}
    if not with_csrf:
        data.pop("csrf_token")
    return client.post(link.split("?")[0] + "/cancel", data=data)


def test_online_cancellation_frees_the_place_and_is_logged_without_staff(online_app, caplog):
    seeker, reference, link = booked(online_app)
    confirm_at(online_app, reference, datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO))
    client = online_app.test_client()
    page = soup(client.get(link))
    assert page.select_one('a.button[href*="/status/cancel?key="]')
    step = client.get(link.replace("/status?", "/status/cancel?"))
    assert step.status_code == 200 and soup(step).h1.get_text() == "申し込みのキャンセル"
    assert status_of(online_app, reference) == "confirmed"     # the step alone changes nothing
    with caplog.at_level(logging.INFO, logger="portal"):
        response = cancel(client, link)
    assert response.status_code == 302
    after = soup(client.get(response.headers["Location"]))
    assert "申し込みをキャンセルしました。" in after.get_text() and "キャンセル済み" in after.get_text()
    assert not after.select('a[href*="/status/cancel"]')
    assert status_of(online_app, reference) == "cancelled"
    assert sql(online_app, "SELECT place_no FROM appointments") == [(None,)]
    assert sql(online_app, "SELECT action, outcome, staff_id, from_status FROM request_events") == [
        ("cancel", "online", None, "confirmed")]
    assert sql(online_app, "SELECT action, staff_id, detail FROM audit_log") == [("request_cancel", None, "online")]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert reference in logged
    for personal in ("網走", "アバシリ", "090", "01234", "12345678"):
        assert personal not in logged


def test_a_request_without_a_time_can_be_cancelled_online(online_app):
    _seeker, reference, link = booked(online_app)
    assert cancel(online_app.test_client(), link).status_code == 302
    assert status_of(online_app, reference) == "cancelled"


def test_cancel_without_csrf_changes_nothing(online_app):
    _seeker, reference, link = booked(online_app)
    response = cancel(online_app.test_client(), link, with_csrf=False)
    assert response.status_code == 400 and "送信内容を受け付けられませんでした" in response.get_data(as_text=True)
    assert status_of(online_app, reference) == "requested"


def test_cancelling_twice_says_it_is_already_cancelled(online_app):
    _seeker, reference, link = booked(online_app)
    client = online_app.test_client()
    step = client.get(link.replace("/status?", "/status/cancel?"))
    data = {i["name"]: i["value"] for i in soup(step).find("form", {"action": "cancel"}).find_all("input")}
    first = client.post(link.split("?")[0] + "/cancel", data=data)
    second = client.post(link.split("?")[0] + "/cancel", data=data)   # the same button again
    assert first.status_code == 302 and second.status_code == 409
    assert "「キャンセル済み」のため、キャンセルできません" in second.get_data(as_text=True)
    assert len(sql(online_app, "SELECT id FROM request_events")) == 1


def test_two_cancels_at_once_cancel_once(online_app):
    from sqlalchemy.orm import Session

    from portal import staffrules as sr
    from portal.web.booking import mine
    from portal.web.state import state_of

    _seeker, reference, _link = booked(online_app)
    state = state_of(online_app)
    office = state.offices["abashiri"]
    with Session(db.engine_of(online_app)) as first, Session(db.engine_of(online_app)) as second:
        a = mine.by_reference(first, office, reference)
        b = mine.by_reference(second, office, reference)
        assert a.status == b.status == "requested"     # both read before either writes
        mine.cancel_online(first, office, state.policy(office), a, state.now())
        with pytest.raises(sr.StaffRuleError) as refused:
            mine.cancel_online(second, office, state.policy(office), b, state.now())
    assert refused.value.code == "conflict"
    assert len(sql(online_app, "SELECT id FROM request_events")) == 1


@pytest.mark.parametrize("status", ["completed", "no_show"])
def test_an_ended_request_cannot_be_cancelled(online_app, status):
    _seeker, reference, link = booked(online_app)
    confirm_at(online_app, reference, datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO))
    write(online_app, "UPDATE booking_requests SET status = :s WHERE reference = :r", s=status, r=reference)
    client = online_app.test_client()
    page = soup(client.get(link))
    assert not page.select('a[href*="/status/cancel"]')
    # the confirmation step sends back to the page; a forged post is refused
    assert client.get(link.replace("/status?", "/status/cancel?")).status_code == 302
    token = csrf_token(client.get("/abashiri/booking/find"))
    key = parse_qs(urlsplit(link).query)["key"][0]
    response = client.post("/abashiri/booking/status/cancel", data={"csrf_token": token, "key": key})
    assert response.status_code == 409 and status_of(online_app, reference) == status


@pytest.mark.parametrize("now", [
    datetime.datetime(2026, 5, 7, 8, 0, tzinfo=TOKYO),     # the session's day
    datetime.datetime(2026, 5, 1, 17, 0, tzinfo=TOKYO),    # the cut-off: 17:00 the open day before
])
def test_on_the_day_or_past_the_cutoff_the_page_gives_the_same_day_channels(online_app, clock, now):
    _seeker, reference, link = booked(online_app)
    confirm_at(online_app, reference, datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO))
    clock.now = now
    client = online_app.test_client()
    page = soup(client.get(link))
    text_ = page.select_one(".cancel-text").get_text()
    assert "この画面からはキャンセルできません" in text_ and "電話でご連絡ください" in text_
    assert not page.select('a[href*="/status/cancel"]') and page.select_one('.contact a[href^="tel:"]')
    token = csrf_token(client.get("/abashiri/booking/find"))
    key = parse_qs(urlsplit(link).query)["key"][0]
    response = client.post("/abashiri/booking/status/cancel", data={"csrf_token": token, "key": key})
    assert response.status_code == 409 and "電話でご連絡ください" in response.get_data(as_text=True)
    assert status_of(online_app, reference) == "confirmed" and sql(online_app, "SELECT place_no FROM appointments") == [(1,)]


def test_without_online_the_page_says_how_to_cancel_and_a_post_changes_nothing(app):
    _seeker, reference, link = booked(app)
    client = app.test_client()
    assert client.get(link.replace("/status?", "/status/cancel?")).status_code == 302
    token = csrf_token(client.get("/abashiri/booking/find"))
    key = parse_qs(urlsplit(link).query)["key"][0]
    response = client.post("/abashiri/booking/status/cancel", data={"csrf_token": token, "key": key})
    assert response.status_code == 409 and "電話又はメールでご連絡ください" in response.get_data(as_text=True)
    assert status_of(app, reference) == "requested"


def test_going_back_and_sending_the_same_answers_again_books_once(app):
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    check_page = seeker.check()
    assert seeker.confirm(check_page).status_code == 302
    # Back to the check page (a GET), or the request form posted again: the request made.
    again = seeker.client.get("/abashiri/booking/check")
    assert again.status_code == 302 and again.headers["Location"].endswith("/abashiri/booking/done")
    again = seeker.check()
    assert again.request.path.endswith("/abashiri/booking/done")
    done = soup(seeker.client.get("/abashiri/booking/done"))
    assert "すでに受け付けています" in done.get_text() and done.select_one(".private-link a")
    # Back to the cached check page and its button pressed again: the same request.
    assert seeker.confirm(check_page).status_code == 302
    assert len(sql(app, "SELECT id FROM booking_requests")) == 1
    # Changed answers are a new request; a new fill (the questions answered again) too.
    seeker.confirm(seeker.check(slot1="2026-05-07T10:30"))
    seeker.pass_eligibility()
    seeker.confirm(seeker.check())
    assert len(sql(app, "SELECT id FROM booking_requests")) == 3


def test_start_page_links_to_finding_a_request(app):
    page = soup(app.test_client().get("/abashiri/booking/"))
    assert page.select_one('a[href="/abashiri/booking/find"]')
    assert VALID  # the same seeker as the other tests
