"""The e-mails' Japanese text: subjects and plain-text bodies, from the office's facts.

Pure: office facts are phrased by `portal.wording` (one place); this module only frames them
into letters. The seeker's name is the only personal value a body holds (besides the private
link), and a staff alert holds none: a count and the queue's address.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import wording
from .meeting import MeetingDetails, lines as meeting_lines

if TYPE_CHECKING:
    from .schema import OfficeConfig

SUBJECT_MAX = 150


@dataclass(frozen=True)
class Letter:
    """A subject and a plain-text body."""
    subject: str
    body: str


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Text safe for a header: control characters (CR, LF, TAB…) become spaces; cut at limit."""
    flat = "".join(" " if ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85" else c for c in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _subject(config: OfficeConfig, what: str) -> str:
    return one_line(f"【{config.office.name}】{config.service}{what}")


def _greeting(name: str) -> str:
    return f"{one_line(name, 100)} 様\n\n" if name.strip() else ""


def _footer(config: OfficeConfig) -> str:
    office = config.office
    lines = ["", "――――――――――", office.name]
    if office.phone:
        lines.append(f"電話 {office.phone}")
    if office.email:
        lines.append(f"メール {office.email}")
    lines.append("このメールは送信専用のアドレスから自動でお送りしています。お問い合わせは上の連絡先へお願いします。")
    return "\n".join(lines) + "\n"


def details_line(config: OfficeConfig) -> str:
    """How the meeting details reach the seeker, by the office's details_channel."""
    tool, channel = config.session.tool, config.booking.details_channel
    if channel == "email":
        return (f"{tool}の接続先（URL・ミーティングID・パスコード）は、相談日の{wording.notice_day(config)}までに"
                "メールでお知らせします。")
    if channel == "mypage":
        return f"{tool}のURLは、求職者マイページでお知らせします。"
    return f"{tool}のミーティングIDとパスコードは、相談当日の開始前に電話でお知らせします。"


def receipt(config: OfficeConfig, reference: str, name: str, wishes: list[datetime.datetime], link: str) -> Letter:
    """The receipt of a request made on the portal: reference, wishes, private link, next steps."""
    lines = [f"{config.office.name}の{config.service}にお申し込みいただき、ありがとうございます。",
             "次の内容で受け付けました。", "", f"受付番号：{reference}", "ご希望の日時："]
    lines += [f"  第{rank}希望　{wording.slot_label(config, start)}" for rank, start in enumerate(wishes, 1)]
    if link:
        lines += ["", "申し込みの内容の確認（キャンセルもこちらから）：", link,
                  "このリンクはあなた専用です。ほかの人に知らせないでください。"]
    lines += ["", "今後の流れ"] + [f"・{step}" for step in wording.next_steps(config)]
    return Letter(_subject(config, "のお申し込みを受け付けました"),
                  _greeting(name) + "\n".join(lines) + "\n" + _footer(config))


def _details_block(config: OfficeConfig, details: MeetingDetails | None) -> list[str]:
    # The meeting details themselves, or how they will come (the caller passes details only
    # where the office's details_channel is email).
    if not details:
        return [details_line(config)]
    return [f"{config.session.tool}の接続先", *(f"  {line}" for line in meeting_lines(details)),
            "接続先はあなた専用です。ほかの人に知らせないでください。"]


def confirmed(config: OfficeConfig, reference: str, name: str, start: datetime.datetime,
              moved_from: datetime.datetime | None = None, details: MeetingDetails | None = None) -> Letter:
    """A confirmed (or moved) session: its date and time, the details or how they come, how to cancel."""
    if moved_from is None:
        what, opening = "の日時が確定しました", f"{config.office.name}の{config.service}の日時が決まりました。"
    else:
        what, opening = "の日時が変更になりました", f"{config.office.name}の{config.service}の日時を変更しました。"
    lines = [opening, "", f"受付番号：{reference}", f"日時：{wording.slot_label(config, start)}"]
    if moved_from is not None:
        lines.append(f"（変更前：{wording.slot_label(config, moved_from)}）")
    lines += [f"方法：{config.session.tool}によるオンライン相談（{config.session.minutes}分）", "",
              *_details_block(config, details),
              "カレンダーに登録できるファイル（.ics）を添付しています。", "",
              f"キャンセルや変更は{wording.cancellation_text(config)}。",
              f"連絡なく開始時刻から{config.no_show.minutes}分を過ぎると、キャンセルとして扱われます。"]
    return Letter(_subject(config, what), _greeting(name) + "\n".join(lines) + "\n" + _footer(config))


def cancelled(config: OfficeConfig, reference: str, name: str, start: datetime.datetime | None) -> Letter:
    """A cancelled request or session."""
    lines = [f"{config.office.name}の{config.service}のお申し込みは、キャンセルされました。", "",
             f"受付番号：{reference}"]
    if start is not None:
        lines.append(f"日時：{wording.slot_label(config, start)}（取り消し）")
        lines.append("カレンダーから予定を削除するためのファイル（.ics）を添付しています。")
    lines += ["", "お心当たりがない場合や、もう一度申し込む場合は、下の連絡先へご連絡ください。"]
    return Letter(_subject(config, "のキャンセルを承りました"),
                  _greeting(name) + "\n".join(lines) + "\n" + _footer(config))


def meeting_details(config: OfficeConfig, reference: str, name: str, start: datetime.datetime,
                    details: MeetingDetails) -> Letter:
    """The meeting details set or changed after confirmation (details_channel email only)."""
    lines = [f"{config.office.name}の{config.service}の接続先をお知らせします"
             + ("。" if details else "（接続先は取り消されました。あらためてお知らせします）。"), "",
             f"受付番号：{reference}", f"日時：{wording.slot_label(config, start)}", ""]
    lines += _details_block(config, details) if details else [details_line(config)]
    lines += ["", f"キャンセルや変更は{wording.cancellation_text(config)}。"]
    return Letter(_subject(config, "の会議の情報"), _greeting(name) + "\n".join(lines) + "\n" + _footer(config))


def event_text(config: OfficeConfig, details: MeetingDetails | None = None) -> tuple[str, str]:
    """The calendar entry's summary and description (with the details when given)."""
    head = f"{config.session.tool}によるオンライン相談（{config.session.minutes}分）。"
    if details:
        return f"{config.office.name} {config.service}", head + "\n" + "\n".join(meeting_lines(details))
    return f"{config.office.name} {config.service}", head + details_line(config)


def staff_alert(office_name: str, count: int, queue_url: str) -> Letter:
    """The staff's alert: how many new requests, and where the queue is; never a personal value."""
    body = (f"{office_name}の職員の皆さま\n\n新しい申込みが {count} 件あります。\n"
            f"職員用ページの申し込み一覧で確認してください。\n{queue_url}\n\n"
            "このメールには個人情報を含めていません。\n")
    return Letter(one_line(f"【{office_name}】新しい申込みが {count} 件あります"), body)
