"""The booking flow end to end on a real database: eligibility, request, check, confirmation."""
from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.web.state import state_of
from portal.web import db
from portal.web.models import BookingRequest, Consent, TermsVersion

from ..conftest import Seeker, rows, soup

TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def stored(app) -> list[BookingRequest]:
    with Session(db.engine_of(app)) as s:
        found = list(s.scalars(select(BookingRequest).order_by(BookingRequest.id)))
        for r in found:
            _ = r.slots, r.consent, r.consent.terms
        return found


def test_start_page_links_to_questions(app):
    page = soup(app.test_client().get("/abashiri/booking/"))
    assert page.h1.get_text().startswith("ハローワーク網走")
    assert page.find("a", string="申し込みを始める")["href"] == "/abashiri/booking/eligibility"


def test_unknown_office_is_404(app):
    response = app.test_client().get("/nowhere/booking/")
    assert response.status_code == 404
    assert "ページが見つかりません" in soup(response).h1.get_text()


@pytest.mark.parametrize(("slug", "asked"), [
    ("abashiri", ["registered", "device", "continuing-support", "necessity"]),
    ("mothers-hiroshima", ["raising-child", "device"]),  # agreed-to-terms is covered by consent
])
def test_eligibility_asks_the_office_questions(app, slug, asked):
    page = soup(app.test_client().get(f"/{slug}/booking/eligibility"))
    names = [f.find("input")["name"] for f in page.find_all("fieldset")]
    assert names == ["q_" + a.replace("-", "_") for a in asked]
    assert page.find("form").has_attr("novalidate")


def test_a_no_leads_to_the_explanation_with_phone(app):
    seeker = Seeker(app.test_client(), "abashiri")
    page = seeker.client.get("/abashiri/booking/eligibility")
    data = {i["name"]: "yes" for i in soup(page).find_all("input", {"type": "radio"})}
    data.update(q_device="no", csrf_token=soup(page).find("input", {"name": "csrf_token"})["value"])
    response = seeker.client.post("/abashiri/booking/eligibility", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/abashiri/booking/not-eligible/device"
    page = soup(seeker.client.get(response.headers["Location"]))
    assert "カメラで通信できる端末" in page.get_text()
    assert page.find("a", href="tel:0152446287")
    # and the form stays closed
    assert seeker.client.get("/abashiri/booking/request").headers["Location"] == "/abashiri/booking/eligibility"


def test_the_explanation_gives_the_e_mail_address_when_known(make_app, content):
    yaml_path = content / "abashiri/office.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace('phone: "0152-44-6287"', 'phone: "0152-44-6287"\n  email: info@abashiri.example.jp', 1),
                         encoding="utf-8")
    client = make_app(CONTENT_DIR=str(content)).test_client()
    page = client.get("/abashiri/booking/eligibility")
    data = {i["name"]: "yes" for i in soup(page).find_all("input", {"type": "radio"})}
    data.update(q_device="no", csrf_token=soup(page).find("input", {"name": "csrf_token"})["value"])
    page = soup(client.get(client.post("/abashiri/booking/eligibility", data=data).headers["Location"]))
    assert page.find("a", href="mailto:info@abashiri.example.jp")


def test_unanswered_question_is_an_error_in_the_summary(app):
    client = app.test_client()
    page = client.get("/abashiri/booking/eligibility")
    response = client.post("/abashiri/booking/eligibility",
                           data={"csrf_token": soup(page).find("input", {"name": "csrf_token"})["value"]})
    page = soup(response)
    links = page.select(".error-summary a")
    assert len(links) == 4 and links[0]["href"] == "#q_registered-0"
    assert "「はい」か「いいえ」を選んでください" in links[0].get_text()
    assert len({a.get_text() for a in links}) == len(links)   # each names its question


def test_the_form_needs_the_questions_first(app):
    response = app.test_client().get("/abashiri/booking/request")
    assert response.headers["Location"] == "/abashiri/booking/eligibility"


@pytest.mark.parametrize("slug", ["abashiri", "mothers-hiroshima"])
def test_booking_stores_request_slots_and_consent(app, slug):
    seeker = Seeker(app.test_client(), slug)
    first = "2026-05-07T09:30" if slug == "abashiri" else "2026-05-07T10:00"
    response = seeker.book(slot1=first, slot2="2026-05-08T14:00")
    assert response.status_code == 302 and response.headers["Location"] == f"/{slug}/booking/done"
    done = soup(seeker.client.get(response.headers["Location"]))
    reference = done.select_one(".reference").get_text()
    [req] = stored(app)
    assert req.reference == reference and req.office_slug == slug and req.status == "requested"
    assert [s.starts_at.astimezone(TOKYO).strftime("%m-%dT%H:%M") for s in req.slots] == [
        first[5:], "05-08T14:00"]
    assert req.slots[0].starts_at.tzinfo is not None
    office = state_of(app).offices[slug]
    assert req.consent.terms_sha256 == office.terms_sha256()
    assert req.consent.revision_label == office.revision_label()
    assert req.consent.agreed_at == datetime.datetime(2026, 5, 1, 1, 0, tzinfo=datetime.timezone.utc)
    assert req.consent.statement == f"「{office.config.terms.title}」（{office.revision_label()}）を読み、その内容に同意します。"
    assert req.consent.terms.text == office.terms_text()


def test_slot2_is_optional_and_kept_in_order(app, seeker):
    seeker.book(slot1="2026-05-08T09:30", slot2="2026-05-07T15:30", slot3="2026-05-11T10:00")
    [req] = stored(app)
    assert [(s.rank, s.starts_at.astimezone(TOKYO).strftime("%m-%dT%H:%M")) for s in req.slots] == [
        (1, "05-08T09:30"), (2, "05-07T15:30"), (3, "05-11T10:00")]


def test_confirmation_phrases_what_happens_next_from_office_yaml(app):
    abashiri = Seeker(app.test_client(), "abashiri")
    text = soup(abashiri.client.get(abashiri.book().headers["Location"])).get_text()
    assert "電話でご連絡し" in text and "ミーティングIDとパスコード" in text
    assert "電話又はメールでご連絡ください（当日は電話のみ）" in text and "0152-44-6287" in text
    hiroshima = Seeker(app.test_client(), "mothers-hiroshima")
    text = soup(hiroshima.client.get(hiroshima.book(slot1="2026-05-07T10:00").headers["Location"])).get_text()
    assert "求職者マイページでお知らせします" in text and "前日になっても届かない場合" in text
    assert "キャンセルや変更は電話でご連絡ください。" in text


def test_check_page_shows_normalised_answers_and_stores_typed_forms(app, seeker):
    seeker.pass_eligibility()
    check = seeker.check(seeker_number="０１２３４ー１２３４５６７８", phone="（０９０）１２３４－５６７８",
                         kana="あばしり　はなこ", companions=["interpreter"], companion_note="英語")
    text = soup(check).select_one("dl.summary").get_text(" ")
    assert "01234-12345678" in text and "アバシリ　ハナコ" in text and "通訳者" in text
    assert rows(app, "booking_requests") == 0  # nothing stored before the seeker confirms
    seeker.confirm(check)
    [req] = stored(app)
    assert (req.seeker_number, req.seeker_number_typed) == ("01234-12345678", "０１２３４ー１２３４５６７８")
    assert (req.phone, req.phone_typed) == ("09012345678", "（０９０）１２３４－５６７８")
    assert (req.companions, req.companion_note) == ("interpreter", "英語")


def test_edit_from_check_page_keeps_input(app, seeker):
    seeker.pass_eligibility()
    check = soup(seeker.check(name="網走 太郎"))
    data = [(i["name"], i["value"]) for i in check.find("form").find_all("input", {"type": "hidden"})]
    response = seeker.client.post("/abashiri/booking/request", data=dict(data, edit="1"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/abashiri/booking/request")
    form = soup(seeker.client.get("/abashiri/booking/request"))
    assert form.find("input", {"name": "name"})["value"] == "網走　太郎"
    assert not form.select(".error-summary")
    assert rows(app, "booking_requests") == 0


def test_email_only_where_the_office_takes_email(app):
    a, h = Seeker(app.test_client(), "abashiri"), Seeker(app.test_client(), "mothers-hiroshima")
    a.pass_eligibility(), h.pass_eligibility()
    assert soup(a.form_page()).find("input", {"name": "email"}) is not None
    assert soup(h.form_page()).find("input", {"name": "email"}) is None
    # a posted e-mail is ignored where the office does not take e-mail
    h.confirm(h.check(email="x@example.jp", slot1="2026-05-07T10:00"))
    assert stored(app)[0].email is None


def test_companions_follow_office_yaml(app):
    a, h = Seeker(app.test_client(), "abashiri"), Seeker(app.test_client(), "mothers-hiroshima")
    a.pass_eligibility(), h.pass_eligibility()
    values = lambda s: [i["value"] for i in soup(s.form_page()).find_all("input", {"name": "companions"})]  # noqa
    assert values(a) == ["family", "interpreter", "caregiver"]
    assert values(h) == ["interpreter", "caregiver"]


def test_terms_text_stored_once_per_hash(app):
    for _ in range(3):
        Seeker(app.test_client(), "abashiri").book()
    assert rows(app, "booking_requests") == 3
    assert rows(app, "terms_versions") == 1
    assert rows(app, "consents") == 3


def test_done_without_a_request_goes_to_start(app):
    assert app.test_client().get("/abashiri/booking/done").headers["Location"] == "/abashiri/booking/"


def test_pressing_submit_twice_stores_one_request(app, seeker):
    seeker.pass_eligibility()
    check = seeker.check()
    first, second = seeker.confirm(check), seeker.confirm(check)
    assert first.status_code == second.status_code == 302
    [req] = stored(app)
    assert soup(seeker.client.get("/abashiri/booking/done")).select_one(".reference").get_text() == req.reference
    # a new check page is a new submission
    seeker.confirm(seeker.check(slot1="2026-05-08T09:30"))
    assert rows(app, "booking_requests") == 2


def test_terms_row_removed_behind_our_back_is_stored_again(app):
    """The per-process memory of stored terms must not outlive the row (e.g. a cleanup)."""
    from sqlalchemy import text
    Seeker(app.test_client(), "abashiri").book()
    with db.engine_of(app).begin() as conn:
        for table in ("consents", "preferred_slots", "booking_requests", "terms_versions"):
            conn.execute(text(f"DELETE FROM {table}"))
    assert Seeker(app.test_client(), "abashiri").book().status_code == 302
    assert rows(app, "terms_versions") == 1 and rows(app, "consents") == 1


@pytest.mark.parametrize("slug, articles, phrase", [
    ("abashiri", ["第10条（その他留意事項）"], "録画・録音はその方法を問わず禁止"),
    ("mothers-hiroshima", ["第5条(利用環境)", "第12条(その他留意事項)"], "ファイル共有ソフト（Winny、Share等）"),
])
def test_articles_named_in_before_consent_are_printed_above_the_consent_box(app, slug, articles, phrase):
    seeker = Seeker(app.test_client(), slug)
    seeker.pass_eligibility()
    page = soup(seeker.form_page())
    extracts = page.select("section.terms-extract")
    assert [e.h3.get_text() for e in extracts] == articles
    assert phrase in " ".join(e.get_text() for e in extracts)
    consent = page.find("input", {"name": "consent"})
    assert all(e.sourceline < consent.sourceline for e in extracts)   # read before agreeing


def test_every_successful_post_redirects_so_back_and_reload_are_harmless(app, seeker):
    # Post/redirect/get (issue 19): the check page is the answer to a GET.
    seeker.pass_eligibility()
    posted = seeker.client.post("/abashiri/booking/request", data=seeker.fill())
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/abashiri/booking/check")
    check = seeker.client.get("/abashiri/booking/check")
    assert soup(check).h1.get_text() == "申し込み内容の確認"
    assert seeker.confirm(check).status_code == 302
    # Back to the check page after the confirmation: the request made, never a second one.
    again = seeker.client.get("/abashiri/booking/check")
    assert again.status_code == 302 and again.headers["Location"].endswith("/abashiri/booking/done")
    assert rows(app, "booking_requests") == 1


def test_check_page_without_answers_leads_to_the_form(app, seeker):
    seeker.pass_eligibility()
    response = seeker.client.get("/abashiri/booking/check")
    assert response.status_code == 302 and response.headers["Location"].endswith("/abashiri/booking/request")
