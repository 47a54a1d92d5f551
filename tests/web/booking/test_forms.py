"""Every field validated on the server: a Japanese message next to the field and in the summary,
the input kept, nothing written. Also the consent pinning and the stale-terms case."""
from __future__ import annotations

import pytest
from portal.web.state import state_of

from ..conftest import rows, soup

LONG = "あ" * 51
BAD = [
    # (field, value, part of the message)
    ("name", "", "氏名を入力してください"),
    ("name", "   \u3000 ", "氏名を入力してください"),
    ("name", LONG, "50文字以内"),
    ("name", "花子\x07", "制御文字"),
    ("name", "花子\u202e", "制御文字"),
    ("name", "<b>花子</b>", "「<」「>」は使えません"),
    ("kana", "", "フリガナを入力してください"),
    ("kana", "ア" * 51, "50文字以内"),
    ("kana", "Hanako", "カタカナで入力してください"),
    ("kana", "ＨＡＮＡＫＯ", "カタカナで入力してください"),
    ("kana", "花子", "カタカナで入力してください"),
    ("kana", "ハナコ\x00", "制御文字"),
    ("kana", "<script>", "「<」「>」は使えません"),
    ("seeker_number", "", "求職番号を入力してください"),
    ("seeker_number", "1234-12345678", "数字13桁です（いま12桁です）"),
    ("seeker_number", "01234-123456789", "数字13桁です（いま14桁です）"),
    ("seeker_number", "０１２３４－１２３４５６７Ａ", "数字13桁で入力してください"),
    ("seeker_number", "01234-1234567\x0b8", "数字13桁で入力してください"),
    ("seeker_number", "<01234-12345678>", "数字13桁で入力してください"),
    ("seeker_number", "1" * 41, "数字13桁で入力してください"),
    ("phone", "", "電話番号を入力してください"),
    ("phone", "090-1234", "10桁か11桁"),
    ("phone", "90-1234-56789", "10桁か11桁"),
    ("phone", "０９０－１２３４－５６７８９０", "10桁か11桁"),
    ("phone", "090-1234-5678\x1b", "のように入力してください"),
    ("phone", "<090-1234-5678>", "10桁か11桁"),
    ("email", "hanako", "メールアドレスは"),
    ("email", "a@b", "メールアドレスは"),
    ("email", "x" * 250 + "@ex.jp", "メールアドレスは"),
    ("email", "<a@b.jp>", "メールアドレスは"),
    ("email", "a@b.jp\r\nBcc: c@d.jp", "メールアドレスは"),
    ("slot1", "", "第1希望の日時を選んでください"),
    ("slot1", "tomorrow", "日時の指定が正しくありません"),
    ("slot1", "２０２６-05-07T09:30", "日時の指定が正しくありません"),
    ("slot1", "2026-05-06T09:30", "閉庁日"),            # 振替休日
    ("slot1", "2026-05-09T09:30", "閉庁日"),            # Saturday
    ("slot1", "2026-05-07T12:00", "受付時間外"),        # Abashiri's lunch break
    ("slot1", "2026-05-07T09:45", "30分ごと"),
    ("slot1", "2026-04-30T10:00", "すでに過ぎています"),
    ("slot1", "2026-07-01T10:00", "28日先まで"),
    ("slot2", "2026-05-07T09:30", "同じ日時が2回選ばれています"),
    ("companions", ["spouse"], "一覧から選んでください"),
    ("companion_note", "", "同席する方についてを入力してください"),
    ("companion_note", "あ" * 201, "200文字以内"),
    ("companion_note", "<i>x</i>", "「<」「>」は使えません"),
    ("consent", None, "同意する場合はチェックを入れてください"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_bad_input_gives_a_message_and_writes_nothing(app, seeker, field, value, message):
    seeker.pass_eligibility()
    changes = {field: value}
    if field in ("companion_note", "companions"):
        changes.setdefault("companions", ["family"])
    response = seeker.check(**changes)
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "申し込み内容の入力"  # still the form, not the check page
    summary = [a.get_text() for a in page.select(".error-summary a")]
    assert any(message in m for m in summary), summary
    target = page.select_one(".error-summary a")["href"].lstrip("#")
    assert page.find(id=target) is not None
    error = page.select_one(".field-error")
    assert message in "".join(p.get_text() for p in page.select(".field-error"))
    described = page.find(attrs={"aria-describedby": lambda v: v and error["id"] in v})
    assert described is not None
    assert page.title.get_text().startswith("エラー：")
    # the other answers are kept
    if field != "name":
        assert page.find("input", {"name": "name"})["value"] == "網走　花子"
    # and a direct submit of the same answers stores nothing either
    seeker.client.post("/abashiri/booking/submit", data=seeker.fill(**changes))
    assert rows(app, "booking_requests") == 0


def test_typed_input_is_kept_after_an_error(seeker):
    seeker.pass_eligibility()
    page = soup(seeker.check(phone="abc", seeker_number="０１２３４ー１２３４５６７８", slot2="2026-05-08T10:00"))
    assert page.find("input", {"name": "seeker_number"})["value"] == "０１２３４ー１２３４５６７８"
    assert page.find("input", {"name": "phone"})["value"] == "abc"
    assert page.find("input", {"name": "slot2", "checked": True})["value"] == "2026-05-08T10:00"


def test_form_is_novalidate_and_consent_unticked(seeker):
    seeker.pass_eligibility()
    page = soup(seeker.form_page())
    assert page.find("form").has_attr("novalidate")
    box = page.find("input", {"name": "consent"})
    assert not box.has_attr("checked")
    label = page.find("label", {"for": "consent"}).get_text()
    assert "ハローワーク網走オンライン職業相談利用規約" in label and "初版" in label
    assert page.find("a", href="/abashiri/terms/initial/")  # exactly the version shown


def test_slot_list_follows_the_rules(app, seeker, clock):
    seeker.pass_eligibility()
    values = [""] + [o["value"] for o in soup(seeker.form_page()).select('input[name="slot1"]')]
    days = sorted({v[:10] for v in values[1:]})
    assert days[0] == "2026-05-07"  # 5/1 after 17:00? no: 10:00 on Fri 5/1, but 5/4-5/6 are holidays
    assert "2026-05-06" not in days and "2026-05-09" not in days
    assert [v[11:] for v in values[1:] if v.startswith("2026-05-07")] == [
        "09:30", "10:00", "10:30", "11:00", "11:30", "13:30", "14:00", "14:30", "15:00", "15:30"]


def test_hiroshima_slots_are_ten_to_four(app):
    from ..conftest import Seeker
    s = Seeker(app.test_client(), "mothers-hiroshima")
    s.pass_eligibility()
    values = [""] + [o["value"] for o in soup(s.form_page()).select('input[name="slot1"]')]
    assert [v[11:] for v in values[1:] if v.startswith("2026-05-07")] == [
        f"{h:02d}:{m:02d}" for h in range(10, 16) for m in (0, 30)]


def test_slot_closed_by_the_time_of_submit_is_refused(app, seeker, clock):
    import datetime
    seeker.pass_eligibility()
    check = seeker.check(slot1="2026-05-07T09:30")
    # Wed 6 May is a holiday: the cut-off for Thu 7 May is Fri 1 May 17:00 Tokyo.
    clock.now = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)
    response = seeker.confirm(check)
    assert "予約は前日（閉庁日を除く）の17：00までです" in soup(response).select_one(".error-summary").get_text()
    assert rows(app, "booking_requests") == 0


STALE = "利用規約が改訂されました"


def test_stale_terms_on_check_asks_again(app, seeker):
    seeker.pass_eligibility()
    page = soup(seeker.check(terms_sha256="0" * 64))
    assert STALE in page.select_one(".notice").get_text()
    assert not page.find("input", {"name": "consent"}).has_attr("checked")
    assert page.find("input", {"name": "terms_sha256"})["value"] == state_of(app).offices["abashiri"].terms_sha256()
    assert page.find("input", {"name": "name"})["value"] == "網走 花子"  # as typed
    assert rows(app, "booking_requests") == 0


def test_stale_terms_on_submit_stores_nothing(app, seeker):
    from werkzeug.datastructures import MultiDict
    seeker.pass_eligibility()
    check = soup(seeker.check())
    data = MultiDict([(i["name"], i["value"]) for i in check.find("form").find_all("input", {"type": "hidden"})])
    data["terms_sha256"] = "f" * 64  # the version shown earlier is no longer current
    page = soup(seeker.client.post("/abashiri/booking/submit", data=data))
    assert STALE in page.select_one(".notice").get_text()
    assert not page.find("input", {"name": "consent"}).has_attr("checked")
    assert rows(app, "booking_requests") == 0 and rows(app, "consents") == 0 and rows(app, "terms_versions") == 0


def test_terms_changed_between_form_and_submit(make_app, content, tmp_path):
    """The real case: the office edits terms.md and the portal restarts while a seeker types."""
    from ..conftest import Seeker
    before = make_app(CONTENT_DIR=str(content))
    s = Seeker(before.test_client(), "abashiri")
    s.pass_eligibility()
    check = s.check()
    terms = content / "abashiri" / "terms.md"
    for lock in content.glob("*/terms-lock.json"):  # the edit stands for a new version being published
        lock.unlink()
    terms.write_text(terms.read_text(encoding="utf-8") + "\n## 附則\n\nこの規約は改訂されました。\n", encoding="utf-8")
    after = make_app(CONTENT_DIR=str(content))
    client = after.test_client()
    client.set_cookie("session", s.client.get_cookie("session").value)
    s.client = client
    page = soup(s.confirm(check))
    assert STALE in page.select_one(".notice").get_text()
    assert rows(after, "booking_requests") == 0
    # ticking the box again stores the consent pinned to the new text
    assert s.book().status_code == 302
    new = state_of(after).offices["abashiri"]
    from sqlalchemy import text
    from portal.web import db
    with db.engine_of(after).connect() as conn:
        assert conn.execute(text("SELECT terms_sha256 FROM consents")).scalar_one() == new.terms_sha256()
        assert "この規約は改訂されました" in conn.execute(text("SELECT text FROM terms_versions")).scalar_one()


def test_an_office_that_sends_details_by_email_requires_the_address(make_app, content):
    from ..conftest import Seeker
    yaml_path = content / "abashiri/office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("details_channel: phone", "details_channel: email"),
                         encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content))
    s = Seeker(app.test_client(), "abashiri")
    s.pass_eligibility()
    label = soup(s.form_page()).find("label", {"for": "email"}).get_text()
    assert label == "メールアドレス"   # not （任意）
    page = soup(s.check(email=""))
    assert page.h1.get_text() == "申し込み内容の入力"
    assert "メールアドレスを入力してください。相談の日時とZoomの接続先は、メールでお知らせします" in page.select_one(
        ".field-error").get_text()
    assert soup(s.check(email="hanako@example.jp")).h1.get_text() != "申し込み内容の入力"


def test_email_stays_optional_where_details_go_by_phone(seeker):
    seeker.pass_eligibility()
    assert "（任意）" in soup(seeker.form_page()).find("label", {"for": "email"}).get_text()
    assert soup(seeker.check(email="")).h1.get_text() != "申し込み内容の入力"
