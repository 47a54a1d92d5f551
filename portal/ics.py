"""Calendar files (RFC 5545) for a confirmed, moved or cancelled session: pure, standard library.

One VEVENT per request: its UID stays the same across reschedules and SEQUENCE grows with each
message, so a calendar that got METHOD:REQUEST updates the event in place and METHOD:CANCEL
removes it. Times are written in Asia/Tokyo with the zone's VTIMEZONE (no daylight saving).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .eras import TOKYO

_VTIMEZONE = ("BEGIN:VTIMEZONE", "TZID:Asia/Tokyo", "BEGIN:STANDARD", "DTSTART:19700101T000000",
              "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:JST", "END:STANDARD", "END:VTIMEZONE")


@dataclass(frozen=True)
class CalendarEvent:
    """What a session's calendar entry says; `cancelled` makes it a METHOD:CANCEL message."""
    uid: str
    sequence: int
    start: datetime.datetime
    minutes: int
    summary: str
    description: str
    organizer: str | None          # the office's address (iTIP wants one for REQUEST)
    organizer_name: str
    attendee: str
    stamp: datetime.datetime
    cancelled: bool = False
    url: str = ""                  # the meeting URL: LOCATION and URL of the event when given


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma escaped; line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _param(value: str) -> str:
    # A parameter value may not hold DQUOTE or control characters at all: drop them, then quote.
    return '"' + "".join(c for c in value if c != '"' and ord(c) >= 32 and c != "\x7f") + '"'


def _uri(value: str) -> str:
    # A URI value: no control characters, no spaces (already checked by meeting.parse; kept safe here).
    return "".join(c for c in value if ord(c) > 32 and c != "\x7f")


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y%m%dT%H%M%S")


def calendar(event: CalendarEvent) -> str:
    """The whole .ics text, CRLF line ends."""
    end = event.start + datetime.timedelta(minutes=event.minutes)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Madoguchi//Notifications//JA", "CALSCALE:GREGORIAN",
             f"METHOD:{'CANCEL' if event.cancelled else 'REQUEST'}", *_VTIMEZONE, "BEGIN:VEVENT",
             f"UID:{escape_text(event.uid)}", f"SEQUENCE:{event.sequence}",
             f"DTSTAMP:{event.stamp.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%SZ}",
             f"DTSTART;TZID=Asia/Tokyo:{_local(event.start)}", f"DTEND;TZID=Asia/Tokyo:{_local(end)}",
             f"SUMMARY:{escape_text(event.summary)}", f"DESCRIPTION:{escape_text(event.description)}",
             f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}"]
    if event.url and not event.cancelled:
        # URL is a URI value (no TEXT escaping); meeting.parse let no control character through.
        lines += [f"LOCATION:{escape_text(event.url)}", f"URL:{_uri(event.url)}"]
    if event.organizer:
        lines.append(f"ORGANIZER;CN={_param(event.organizer_name)}:mailto:{event.organizer}")
    lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{event.attendee}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
