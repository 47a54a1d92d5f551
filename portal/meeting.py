"""Meeting details of a confirmed session (URL, meeting ID, passcode): pure checks, no I/O.

Staff type them in the console; they are personal data (they let anyone join the session), so
they are stored with the appointment, purged with the request, mailed only where the office's
`booking.details_channel` is email, and never written to logs or the audit log.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .errors import RuleError

URL_MAX = 500
ID_MAX = 50
PASSCODE_MAX = 50


class DetailsError(RuleError):
    """A meeting detail staff typed is refused: `message` says which and why (Japanese)."""


@dataclass(frozen=True)
class MeetingDetails:
    """What a seeker needs to join: each part optional ("" when not given)."""
    url: str = ""
    meeting_id: str = ""
    passcode: str = ""

    def __bool__(self) -> bool:
        return bool(self.url or self.meeting_id or self.passcode)

    def summary(self) -> str:
        """Which parts are set, for the audit log: never the values themselves."""
        return " ".join(f"{k}={'yes' if v else 'no'}" for k, v in
                        (("url", self.url), ("id", self.meeting_id), ("passcode", self.passcode)))


def _text(raw: str | None, label: str, limit: int) -> str:
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise DetailsError("meeting_control", f"{label}に改行や制御文字は使えません。1行で入力してください。")
    if len(value) > limit:
        raise DetailsError("meeting_long", f"{label}は{limit}文字までです（いま{len(value)}文字）。")
    return value


def parse(url: str | None, meeting_id: str | None, passcode: str | None) -> MeetingDetails:
    """The details as typed, checked: URL http(s) only, lengths limited, one line each."""
    link = _text(url, "会議のURL", URL_MAX)
    if link:
        scheme, sep, rest = link.partition("://")
        if not sep or scheme.lower() not in ("https", "http") or not rest or " " in link:
            raise DetailsError("meeting_url", "会議のURLは https:// （または http://）で始まる形で、空白を入れずに入力してください。")
    return MeetingDetails(url=link, meeting_id=_text(meeting_id, "ミーティングID", ID_MAX),
                          passcode=_text(passcode, "パスコード", PASSCODE_MAX))


def stored(url: str | None, meeting_id: str | None, passcode: str | None) -> MeetingDetails:
    """The details as read from the database (NULL columns as "")."""
    return MeetingDetails(url or "", meeting_id or "", passcode or "")


def lines(details: MeetingDetails) -> list[str]:
    """The details as lines of a mail body or calendar description (Japanese labels)."""
    out = []
    if details.url:
        out.append(f"URL：{details.url}")
    if details.meeting_id:
        out.append(f"ミーティングID：{details.meeting_id}")
    if details.passcode:
        out.append(f"パスコード：{details.passcode}")
    return out
