"""portal.meeting: the checks of meeting details staff type, and how mails and .ics carry them."""
from __future__ import annotations

import datetime

import icalendar
import pytest

from portal import mailtext, meeting
from portal.ics import CalendarEvent, calendar
from portal.offices import load_office

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def office_config():
    return load_office(ROOT / "content" / "abashiri").config


def test_parse_accepts_http_and_https_and_trims():
    got = meeting.parse("  https://zoom.example/j/123?pwd=a  ", " 123 456 7890 ", "ab12")
    assert got == meeting.MeetingDetails("https://zoom.example/j/123?pwd=a", "123 456 7890", "ab12")
    assert meeting.parse("http://x.example/", "", "").url == "http://x.example/"
    assert not meeting.parse("", None, "")
    assert got.summary() == "url=yes id=yes passcode=yes"
    assert "zoom" not in got.summary() and "ab12" not in got.summary()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/", "zoom.example/j/1", "https://",
                                 "https://a b.example/", "data:text/html,x", "JAVASCRIPT://x%0Aalert(1)x"])
def test_parse_refuses_urls_that_are_not_http(url):
    with pytest.raises(meeting.DetailsError) as exc:
        meeting.parse(url, "", "")
    if not url.lower().startswith(("javascript://",)):
        assert "https://" in exc.value.message


@pytest.mark.parametrize("field", [0, 1, 2])
@pytest.mark.parametrize("bad", ["a\r\nBcc: x@example.jp", "a\nb", "a\x00b", "a\u2028b", "a\tb"])
def test_parse_refuses_control_characters_in_any_field(field, bad):
    values = ["https://x.example/", "1", "2"]
    values[field] = ("https://x.example/" if field == 0 else "") + bad
    with pytest.raises(meeting.DetailsError) as exc:
        meeting.parse(*values)
    assert "改行や制御文字" in exc.value.message


def test_parse_limits_lengths_with_a_japanese_message():
    with pytest.raises(meeting.DetailsError) as exc:
        meeting.parse("", "", "x" * 10_000)
    assert exc.value.message == f"パスコードは{meeting.PASSCODE_MAX}文字までです（いま10000文字）。"
    with pytest.raises(meeting.DetailsError):
        meeting.parse("https://x.example/" + "a" * meeting.URL_MAX, "", "")
    with pytest.raises(meeting.DetailsError):
        meeting.parse("", "1" * (meeting.ID_MAX + 1), "")


def test_calendar_carries_url_as_location_and_url():
    details = meeting.MeetingDetails("https://zoom.example/j/1?pwd=x,y;z", "123 4567", "pass;1")
    start = datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO)
    text = calendar(CalendarEvent(uid="R1.o@madoguchi", sequence=1, start=start, minutes=30, summary="s",
                                  description="\n".join(meeting.lines(details)), organizer=None,
                                  organizer_name="o", attendee="a@example.jp", stamp=start, url=details.url))
    event = next(c for c in icalendar.Calendar.from_ical(text).walk() if c.name == "VEVENT")
    assert str(event["URL"]) == details.url and str(event["LOCATION"]) == details.url
    assert "ミーティングID：123 4567" in str(event["DESCRIPTION"]) and "パスコード：pass;1" in str(event["DESCRIPTION"])


def test_confirmed_letter_prints_the_details_or_how_they_come(office_config):
    start = datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO)
    details = meeting.MeetingDetails("https://zoom.example/j/1", "", "9999")
    body = mailtext.confirmed(office_config, "R1", "花子", start, details=details).body
    assert "URL：https://zoom.example/j/1" in body and "パスコード：9999" in body and "ミーティングID" not in body
    plain = mailtext.confirmed(office_config, "R1", "花子", start).body
    assert mailtext.details_line(office_config) in plain and "zoom.example" not in plain
    letter = mailtext.meeting_details(office_config, "R1", "花子", start, details)
    assert "会議の情報" in letter.subject and "パスコード：9999" in letter.body
