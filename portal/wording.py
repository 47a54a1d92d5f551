"""Every office fact phrased in Japanese, once: times, days, hours, channels, deadline, labels.

Pure (standard library; the content schema only for type hints, since the rules import this
module on the no-change build path that never loads pydantic), so the placeholders, the site's
context, the portal's pages and the rules' error messages all say a fact the same way.
"""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Iterable, Protocol

from .eras import MONDAY_TO_FRIDAY, TOKYO, WEEKDAY_NAMES, WEEKDAYS

if TYPE_CHECKING:
    from .schema import OfficeConfig

CHANNEL_LABELS = {"phone": "電話", "email": "メール", "counter": "窓口", "online": "オンライン"}
DETAILS_CHANNEL_LABELS = {"phone": "電話", "mypage": "求職者マイページ", "email": "メール"}
COMPANION_LABELS = {"family": "家族など", "interpreter": "通訳者", "caregiver": "介助者"}
STATUS_LABELS = {
    "requested": "新規（日時未確定）",
    "confirmed": "予約確定",
    "cancelled": "キャンセル",
    "no_show": "連絡なしキャンセル",
    "completed": "実施済み",
}
# The status as the seeker reads it on their own request's page (a confirmed one adds its time).
SEEKER_STATUS_LABELS = {
    "requested": "受付済み",
    "confirmed": "日時確定",
    "cancelled": "キャンセル済み",
    "no_show": "キャンセル済み",
    "completed": "実施済み",
}
ACTION_LABELS = {
    "contact": "連絡（電話など）",
    "confirm": "日時の確定",
    "details": "接続情報の連絡",
    "cancel": "キャンセル",
    "no_show": "連絡なしキャンセル（無断）",
    "complete": "実施済み",
    "next": "次回予約",
    "book": "職員による受付",
    "reschedule": "日時の変更",
    "undo": "操作の取り消し",
    "memo": "メモの更新",
    "meeting": "会議の情報の登録・変更",
}
# How a request came in: the seeker's own request on the portal, or taken by staff.
REQUEST_CHANNEL_LABELS = {"portal": "オンライン申込み", "phone": "電話", "counter": "窓口", "session": "相談中"}
CONSENT_METHOD_LABELS = {"portal": "申込みページで同意", "oral": "口頭で確認", "paper": "書面で確認"}
CONTACT_OUTCOME_LABELS = {"reached": "連絡がついた", "not_reached": "連絡がつかなかった"}
ROLE_LABELS = {"counsellor": "相談員", "office_admin": "所属長・管理者"}
# The audit log's actions as an office admin reads them; "request_<action>" entries are named
# by ACTION_LABELS (audit_action_label).
AUDIT_ACTION_LABELS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗（パスワード誤り）",
    "login_locked": "ログイン失敗が続いたため一時ロック",
    "login_disabled": "ログイン失敗（無効なアカウント）",
    "session_expired": "操作がないため自動ログアウト",
    "logout": "ログアウト",
    "forbidden": "権限のないページ（表示を拒否）",
    "view_queue": "申し込み一覧を表示",
    "view_request": "申し込みを表示",
    "meeting_details": "会議の情報を登録・変更（URL・ID・パスコードの値は記録しない）",
    "view_terms": "同意した利用規約を表示",
    "view_schedule": "予定を表示",
    "view_week": "週の予定を表示",
    "export": "CSV出力",
    "view_audit": "操作記録を表示",
    "view_accounts": "職員アカウントを表示",
    "staff_add": "職員アカウントを追加",
    "staff_disable": "職員アカウントを無効化",
    "staff_reset": "パスワードを再設定",
    "staff_role": "役割を変更",
    "staff_password": "自分のパスワードを変更",
    "staff_password_failed": "パスワード変更の失敗（現在のパスワード誤り）",
    "purge": "保存期間を過ぎた個人情報を削除",
    "view_mail": "メールの送信状況を表示",
}
_WEEKDAY_OF_KEY = dict(zip(WEEKDAYS, WEEKDAY_NAMES))


def audit_action_label(action: str) -> str:
    """An audit log action in Japanese: 申し込み：日時の確定 for request_confirm; unknown ones as stored."""
    if action in AUDIT_ACTION_LABELS:
        return AUDIT_ACTION_LABELS[action]
    what = action.removeprefix("request_")
    if what != action:
        return "申し込み：" + ACTION_LABELS.get(what, what)
    return action


class TimeSpan(Protocol):
    """A daily window as the schema and the slot policy both hold it."""
    start: datetime.time
    end: datetime.time


# The one wave dash of generated text: the fullwidth tilde U+FF5E, as the offices' own guides and
# terms write it (their text stays verbatim), never U+301C beside it.
RANGE = "\uff5e"


def clock(t: datetime.time, sep: str) -> str:
    """A time of day as the office writes it: 9：30, 16:00 (no leading zero)."""
    return f"{t.hour}{sep}{t.minute:02d}"


def windows_text(windows: Iterable[TimeSpan], sep: str) -> str:
    """Daily windows: 9：30～12：00、13：30～16：00."""
    return "、".join(f"{clock(w.start, sep)}{RANGE}{clock(w.end, sep)}" for w in windows)


def days_text(weekdays: list[str]) -> str:
    """The days with sessions: 平日 for Monday to Friday, else 月・水・金曜日."""
    ordered = [d for d in WEEKDAYS if d in weekdays]
    if ordered == list(WEEKDAYS[:5]):
        return "平日"
    return "・".join(_WEEKDAY_OF_KEY[d] for d in ordered) + "曜日"


def open_weekdays(config: OfficeConfig) -> frozenset[int]:
    """The office's open days as date.weekday() numbers (0 = Monday), from office.open_days."""
    return frozenset(WEEKDAYS.index(d) for d in config.office.open_days)


def open_days_text(open_days: Iterable[int]) -> str:
    """Open weekdays: 月曜日から土曜日まで for a run of three or more days, else 月・水・土曜日."""
    ordered = sorted(set(open_days))
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAY_NAMES[ordered[0]]}曜日から{WEEKDAY_NAMES[ordered[-1]]}曜日まで"
    return "・".join(WEEKDAY_NAMES[d] for d in ordered) + "曜日"


def open_days_definition(open_days: Iterable[int]) -> str:
    """What 開庁日 means, as the rules count it: 月曜日から金曜日まで（祝日・休日、…を除く）."""
    return f"{open_days_text(open_days)}（祝日・休日、12月29日から1月3日まで及び臨時の休業日を除く）"


def _open_days_note(open_days: Iterable[int]) -> str:
    # Said only where the office's open days are not the usual 平日, which readers assume.
    days = frozenset(open_days)
    return "" if days == MONDAY_TO_FRIDAY else f"開庁日は{open_days_text(days)}"


def _notes(*notes: str) -> str:
    kept = [n for n in notes if n]
    return f"（{'。'.join(kept)}）" if kept else ""


def hours_text(config: OfficeConfig) -> str:
    """The bookable hours, e.g. 平日9：30～12：00、13：30～16：00."""
    return days_text(config.hours.weekdays) + windows_text(config.hours.windows, config.typography.time_separator)


def channels_text(channels: list[str], or_word: str, labels: dict[str, str] | None = None) -> str:
    """Channel names joined the way legal Japanese does: 電話又はメール; 電話、メール、窓口又はオンライン.

    `labels` are the office's own names (office.yaml channel_labels: email: 電子メール).
    """
    names = [(labels or {}).get(c) or CHANNEL_LABELS[c] for c in channels]
    return or_word.join(["、".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def deadline_phrase(cutoff_business_days: int) -> str:
    """How the deadline day is said: 当日, 前日, or n開庁日前."""
    if cutoff_business_days < 0:
        raise ValueError("cutoff_business_days must not be negative")
    if cutoff_business_days == 0:
        return "当日"
    if cutoff_business_days == 1:
        return "前日"
    return f"{cutoff_business_days}開庁日前"


def deadline_day(cutoff_business_days: int, open_days: Iterable[int] = MONDAY_TO_FRIDAY) -> str:
    """The deadline day as pages and errors name it: 前日 says that closed days do not count.

    `open_days` are the office's open weekdays; other than Monday to Friday, the phrase names
    them, since the count walks them: 3開庁日前（開庁日は月曜日から土曜日まで）.
    """
    if cutoff_business_days == 0:
        return deadline_phrase(0)
    return deadline_phrase(cutoff_business_days) + _notes(
        "閉庁日を除く" if cutoff_business_days == 1 else "", _open_days_note(open_days))


def deadline_text(config: OfficeConfig) -> str:
    """When requests close: 相談日の前日（閉庁日を除く）17：00まで."""
    b = config.booking
    day = deadline_day(b.deadline_business_days, open_weekdays(config))
    return f"相談日の{day}{clock(b.cutoff_time, config.typography.time_separator)}まで"


def notice_day(config: OfficeConfig) -> str:
    """The day by which meeting details arrive: 前日, or 前日（閉庁日を除く。開庁日は…） on other open days.

    With booking.details_by, the office's own rule: 前開庁日の17時, 2開庁日前の17時.
    """
    by = config.booking.details_by
    if by is not None:
        return details_by_text(config)
    # 前日 alone on the usual calendar, as the seed terms say it; named open days otherwise.
    days = open_weekdays(config)
    return deadline_phrase(1) if days == MONDAY_TO_FRIDAY else deadline_day(1, days)


def details_by_text(config: OfficeConfig) -> str | None:
    """When the meeting details arrive at the latest (booking.details_by): 前開庁日の17時; None without it."""
    by = config.booking.details_by
    if by is None:
        return None
    day = "前開庁日" if by.business_days == 1 else f"{by.business_days}開庁日前"
    return f"{day}の{long_clock(by.time)}" if by.time else day


def long_clock(t: datetime.time) -> str:
    """A time of day as terms write it out: 17時, 17時30分."""
    return f"{t.hour}時{t.minute}分" if t.minute else f"{t.hour}時"


def _ampm(t: datetime.time) -> str:
    # 午前10時, 正午, 午後1時30分: the long form of a time that legal texts use.
    if t.hour == 12 and t.minute == 0:
        return "正午"
    half, hour = ("午前", t.hour) if t.hour < 12 else ("午後", t.hour - 12)
    return f"{half}{hour}時{t.minute}分" if t.minute else f"{half}{hour}時"


def windows_long(windows: Iterable[TimeSpan]) -> str:
    """Daily windows written out: 午前10時から正午まで及び午後1時から午後3時まで."""
    spans = [f"{_ampm(w.start)}から{_ampm(w.end)}まで" for w in windows]
    return "及び".join(["、".join(spans[:-1]), spans[-1]]) if len(spans) > 1 else spans[0]


def days_long(weekdays: list[str]) -> str:
    """The days with sessions written out: 月曜日・水曜日・金曜日（祝日及び閉庁日を除く）."""
    ordered = [WEEKDAYS.index(d) for d in WEEKDAYS if d in weekdays]
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        days = f"{WEEKDAY_NAMES[ordered[0]]}曜日から{WEEKDAY_NAMES[ordered[-1]]}曜日まで"
    else:
        days = "・".join(f"{WEEKDAY_NAMES[d]}曜日" for d in ordered)
    return f"{days}（祝日及び閉庁日を除く）"


def period_text(days: int) -> str:
    """A retention period as terms state it: 1年 (365 days), 6か月 (180–186 days), else 90日."""
    if days % 365 == 0:
        return f"{days // 365}年"
    for months in range(1, 12 * 10):
        if days in {30 * months, 31 * months, (365 * months) // 12, -(-365 * months // 12)}:
            return f"{months // 12}年" if months % 12 == 0 else f"{months}か月"
    return f"{days}日"


def cancellation_text(config: OfficeConfig) -> str:
    """How to cancel: 電話又はメールでご連絡ください（当日は電話のみ）."""
    c, or_word = config.cancellation, config.typography.or_word
    text = channels_text(c.channels, or_word, config.channel_labels) + "でご連絡ください"
    if c.same_day_channels and set(c.same_day_channels) != set(c.channels):
        text += f"（当日は{channels_text(c.same_day_channels, or_word, config.channel_labels)}のみ）"
    return text


def same_day_cancel_text(config: OfficeConfig) -> str:
    """How to cancel once the page can no longer do it: 当日は電話でご連絡ください."""
    c = config.cancellation
    # The channels for the day, without this page itself: 電話 when the office named only online.
    channels = [ch for ch in (c.same_day_channels or c.channels) if ch != "online"] or ["phone"]
    return (f"相談日の当日や、キャンセルの締切を過ぎたあとは、この画面からはキャンセルできません。"
            f"{channels_text(channels, config.typography.or_word, config.channel_labels)}でご連絡ください")


def day_label(day: datetime.date) -> str:
    """A date with its weekday: 5月7日（木）."""
    return f"{day.month}月{day.day}日（{WEEKDAY_NAMES[day.weekday()]}）"


def slot_times(config: OfficeConfig, start: datetime.datetime) -> str:
    """A session's start and end in Tokyo time, in the office's typography: 9：30～10：00."""
    start = start.astimezone(TOKYO)
    end = start + datetime.timedelta(minutes=config.session.minutes)
    sep = config.typography.time_separator
    return f"{clock(start.time(), sep)}{RANGE}{clock(end.time(), sep)}"


def slot_label(config: OfficeConfig, start: datetime.datetime) -> str:
    """A session's day and times: 5月7日（木）9：30～10：00."""
    return day_label(start.astimezone(TOKYO).date()) + slot_times(config, start)


def next_steps(config: OfficeConfig) -> list[str]:
    """What happens after a request, phrased from the office's facts."""
    office, tool = config.office, config.session.tool
    contact = f"{office.name}（電話 {office.phone}）" if office.phone else f"{office.name}の窓口"
    steps = ["この申し込みだけでは、まだ予約は確定していません。"]
    if config.booking.details_channel == "phone":
        steps.append(f"{office.name}の担当者から電話でご連絡し、相談の日時を決めます。"
                     f"{tool}のミーティングIDとパスコードは、相談当日の開始前に電話でお知らせします。")
    elif config.booking.details_channel == "mypage":
        steps.append(f"相談の日時と{tool}のURLは、求職者マイページでお知らせします。"
                     f"相談日の{notice_day(config)}になっても届かない場合は、{contact}にお問い合わせください。")
    else:
        steps.append(f"相談の日時と{tool}の接続先は、メールでお知らせします。"
                     f"相談日の{notice_day(config)}になっても届かない場合は、{contact}にお問い合わせください。")
    steps.append(f"キャンセルや変更は{cancellation_text(config)}。")
    steps.append(f"連絡なく開始時刻から{config.no_show.minutes}分を過ぎると、キャンセルとして扱われます。")
    return steps


def session_length(config: OfficeConfig) -> str:
    """One session's length as the office states it: 1回40分 (no 程度 the office never wrote)."""
    return f"1回{config.session.minutes}分"


def request_needs(config: OfficeConfig) -> str:
    """What a seeker needs at hand to request: the e-mail address too where details come by e-mail."""
    fields = ["氏名", "フリガナ", "求職番号", "電話番号"]
    if config.booking.details_channel == "email":
        fields.append("メールアドレス（相談の日時と接続先のお知らせに使います）")
    return f"申し込みには、{'、'.join(fields)}と、希望する日時（3つまで）が必要です。"


def who_confirms(config: OfficeConfig) -> str:
    """Who fixes the time after a request, naming the office: 申し込みのあと、ハローワーク網走が…."""
    return f"申し込みのあと、{config.office.name}が日時を確定します。申し込んだだけでは予約は確定しません。"


def katakana(text: str) -> str:
    """Hiragana turned into katakana (ふりがな → フリガナ); other characters kept."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
