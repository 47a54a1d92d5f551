"""The e-mails' texts: phrased from the office's facts, headers one line, staff alerts impersonal."""
from __future__ import annotations

import datetime

import pytest

from portal import mailtext
from portal.offices import load_office
from portal.wording import next_steps

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
START = datetime.datetime(2026, 5, 7, 0, 30, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def abashiri():
    return load_office(ROOT / "content" / "abashiri").config


def with_details(config, channel: str):
    return config.model_copy(update={"booking": config.booking.model_copy(update={"details_channel": channel})})


def test_receipt_has_reference_link_and_next_steps(abashiri):
    letter = mailtext.receipt(abashiri, "K7QM-3FXA", "網走 花子", [START], "https://x/abashiri/booking/status?key=k")
    assert "K7QM-3FXA" in letter.body and "status?key=k" in letter.body
    assert all(step in letter.body for step in next_steps(abashiri))
    assert "第1希望　5月7日（木）9：30～10：00" in letter.body
    assert letter.subject == "【ハローワーク網走】オンライン職業相談のお申し込みを受け付けました"


@pytest.mark.parametrize(("channel", "says"), [("email", "メールでお知らせします"), ("phone", "電話でお知らせします"),
                                               ("mypage", "求職者マイページでお知らせします")])
def test_confirmation_says_how_details_come(abashiri, channel, says):
    letter = mailtext.confirmed(with_details(abashiri, channel), "K7QM-3FXA", "花子", START)
    assert says in letter.body and "5月7日（木）9：30～10：00" in letter.body


def test_headers_are_one_line_and_short():
    assert mailtext.one_line("a\r\nBcc: x\tb\u2028c") == "a Bcc: x b c"
    long = mailtext.one_line("長" * 1000)
    assert len(long) == mailtext.SUBJECT_MAX and long.endswith("…")


def test_names_with_line_breaks_stay_in_the_greeting(abashiri):
    letter = mailtext.cancelled(abashiri, "K7QM-3FXA", "花子\r\nBcc: evil@example.com", None)
    assert letter.body.startswith("花子 Bcc: evil@example.com 様\n\n")
    assert ".ics" not in letter.body


def test_staff_alert_holds_no_personal_value():
    letter = mailtext.staff_alert("ハローワーク網走", 3, "https://x/staff/abashiri/?status=requested")
    assert letter.subject == "【ハローワーク網走】新しい申込みが 3 件あります"
    assert "新しい申込みが 3 件あります" in letter.body and "https://x/staff/abashiri/" in letter.body
