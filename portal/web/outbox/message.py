"""One outbox row as a MIME message (email.message.EmailMessage, policy SMTP: CRLF, encoded words).

Headers are built only from values made safe here: the subject flattened to one line and cut
(`mailtext.one_line`), the addresses parsed by `email.headerregistry.Address`, which refuses
anything that is not one plain address. A CR or LF can therefore never start a header of its own.
"""
from __future__ import annotations

import datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ...errors import MadoguchiError
from ...mailtext import one_line


class BadAddress(MadoguchiError, ValueError):
    """A recipient that is not one plain e-mail address: the message fails, nothing is sent."""


def address(value: str, display_name: str = "") -> Address:
    """value as one Address, or BadAddress."""
    if not value or any(ord(c) < 33 or ord(c) == 127 for c in value) or value.count("@") != 1:
        raise BadAddress("宛先のメールアドレスの形が正しくありません")
    try:
        parsed = Address(display_name=one_line(display_name, 80), addr_spec=value)
    except (ValueError, IndexError, HeaderParseError):
        raise BadAddress("宛先のメールアドレスの形が正しくありません") from None
    if parsed.addr_spec != value:
        raise BadAddress("宛先のメールアドレスの形が正しくありません")
    return parsed


def build(*, recipient: str, subject: str, body: str, ics: str | None, message_key: str, sender: str,
          sender_name: str, now: datetime.datetime, cancel: bool = False) -> EmailMessage:
    """The message as sent: UTF-8 plain text, an optional text/calendar part, a stable Message-ID."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(display_name=one_line(sender_name, 80), addr_spec=sender)
    msg["To"] = address(recipient)
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(now.astimezone(datetime.timezone.utc))
    msg["Message-ID"] = f"<{message_key}@{sender.rsplit('@', 1)[1]}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body.replace("\r\n", "\n").replace("\r", "\n"), charset="utf-8")
    if ics:
        msg.add_attachment(ics.encode("utf-8"), maintype="text", subtype="calendar", filename="invite.ics",
                           params={"method": "CANCEL" if cancel else "REQUEST", "charset": "utf-8"})
    return msg
