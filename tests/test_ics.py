"""Calendar files: RFC 5545 as the maintained icalendar library reads it, folding, escaping."""
from __future__ import annotations

import datetime

import icalendar
import pytest

from portal.ics import CalendarEvent, calendar, escape_text, fold

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 5, 7, 0, 30, tzinfo=UTC)      # 9:30 in Tokyo


def event(**changes) -> CalendarEvent:
    fields = dict(uid="K7QM-3FXA.abashiri@madoguchi", sequence=1, start=START, minutes=30,
                  summary="ハローワーク網走 オンライン職業相談", description="Zoomによるオンライン相談（30分）。" * 5,
                  organizer="office@example.jp", organizer_name='ハローワーク"網走"', attendee="hanako@example.jp",
                  stamp=datetime.datetime(2026, 5, 1, 1, 0, tzinfo=UTC))
    fields.update(changes)
    return CalendarEvent(**fields)


@pytest.mark.parametrize("cancelled", [False, True])
def test_parses_with_tokyo_times(cancelled):
    text = calendar(event(cancelled=cancelled))
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["METHOD"]) == ("CANCEL" if cancelled else "REQUEST")
    (vevent,) = [c for c in cal.walk() if c.name == "VEVENT"]
    assert vevent.decoded("DTSTART") == START
    assert str(vevent["DTSTART"].params["TZID"]) == "Asia/Tokyo"
    assert vevent.decoded("DTEND") == START + datetime.timedelta(minutes=30)
    assert str(vevent["STATUS"]) == ("CANCELLED" if cancelled else "CONFIRMED")
    assert str(vevent["DESCRIPTION"]) == event().description
    assert [c.name for c in cal.walk() if c.name == "VTIMEZONE"] == ["VTIMEZONE"]


def test_lines_end_crlf_and_fold_at_75_octets():
    text = calendar(event())
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    text.encode("utf-8").decode("utf-8")    # never cut inside a character


def test_fold_keeps_characters_whole():
    folded = fold("DESCRIPTION:" + "あ" * 60)
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "あ" * 60


def test_text_escaping_cannot_add_a_property():
    assert escape_text("a;b,c\\d\r\nEND:VEVENT") == "a\\;b\\,c\\\\d\\nEND:VEVENT"
    text = calendar(event(summary="x\r\nATTENDEE:mailto:evil@example.com"))
    assert "\r\nATTENDEE:mailto:evil" not in text


def test_no_organizer_without_the_office_address():
    assert "ORGANIZER" not in calendar(event(organizer=None))
