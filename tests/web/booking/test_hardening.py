"""What an attack on the booking flow found (issue 14): consent only by the checkbox's own value,
half-width katakana names widened, a submission key never answers for other answers."""
from __future__ import annotations

import pytest

from portal.web import normalise

from ..conftest import Seeker, rows, soup


@pytest.mark.parametrize("value", ["0", "off", "no", "false ", "1", "on", "yes", "Y"])
def test_consent_is_only_the_checkbox_value(app, value):
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    page = seeker.check(consent=value)
    assert "申し込み内容の確認" not in page.get_data(as_text=True)
    assert "同意する場合はチェックを入れてください" in soup(page).get_text()


def test_consent_y_still_counts(app):
    seeker = Seeker(app.test_client(), "abashiri")
    assert seeker.book().status_code == 302
    assert rows(app, "booking_requests") == 1


@pytest.mark.parametrize(("typed", "expected"), [
    ("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ\u3000ハナコ"), ("山田 ﾊﾅｺ", "山田\u3000ハナコ"), ("ＡＢＣ ﾀﾛｳ", "ＡＢＣ\u3000タロウ"),
])
def test_name_in_half_width_katakana_is_widened(typed, expected):
    assert normalise.name(typed) == expected


def _check_page(app, **changes):
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    return seeker, seeker.check(**changes)


def test_a_reused_submission_key_with_other_answers_is_refused(app):
    first, page = _check_page(app)
    assert first.confirm(page).status_code == 302
    with first.client.session_transaction() as s:
        reference = s["done"]["reference"]
    key = soup(page).find("input", {"name": "submission_key"})["value"]
    # Another seeker (or a replay) sends the same key with other answers.
    other, page2 = _check_page(app, name="別人 太郎", phone="011-222-3333")
    form = soup(page2).find("form")
    data = {i["name"]: i["value"] for i in form.find_all("input", {"type": "hidden"})}
    data["submission_key"] = key
    response = other.client.post("/abashiri/booking/submit", data=data)
    assert response.status_code == 400
    assert reference not in response.get_data(as_text=True)
    assert "この送信は受け付けられませんでした" in soup(response).get_text()
    assert rows(app, "booking_requests") == 1
    # The same page pressed twice still gives the one request.
    assert first.confirm(page).status_code == 302
    assert rows(app, "booking_requests") == 1
