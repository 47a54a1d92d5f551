"""Staff-console rules: which action may follow which status, and when.

Pure: no Flask or SQLAlchemy; every check takes `now` as an argument and raises `StaffRuleError`
with a Japanese message for staff. The same checks run before any database write, so a view
can never move a request in a way the office's terms do not allow.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from . import rules, wording
from .errors import RuleError
from .rules import TOKYO, SlotPolicy

REQUESTED, CONFIRMED, CANCELLED, NO_SHOW, COMPLETED = "requested", "confirmed", "cancelled", "no_show", "completed"

# (status, action) → status after the action; any pair not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (REQUESTED, "contact"): REQUESTED,
    (CONFIRMED, "contact"): CONFIRMED,
    (REQUESTED, "confirm"): CONFIRMED,
    (CONFIRMED, "details"): CONFIRMED,
    (REQUESTED, "cancel"): CANCELLED,
    (CONFIRMED, "cancel"): CANCELLED,
    (CONFIRMED, "no_show"): NO_SHOW,
    (CONFIRMED, "complete"): COMPLETED,
    (CONFIRMED, "next"): CONFIRMED,
    (COMPLETED, "next"): COMPLETED,
    (CONFIRMED, "reschedule"): CONFIRMED,
}
# Status changes staff can take back the same day (each once): a click is never irreversible.
UNDOABLE = frozenset({"confirm", "cancel", "no_show", "complete"})
# Status changes that ask "are you sure?" first: they tell the seeker's story and end a booking.
ASK_FIRST = frozenset({"cancel", "no_show", "complete"})
# Channels by which staff take a booking themselves (the portal is the seeker's own).
STAFF_CHANNELS = ("phone", "counter", "session")
MEMO_MAX = 2000


class StaffRuleError(RuleError):
    """An action is not allowed now: `code` is an English slug, `message` is shown to staff."""


def next_status(status: str, action: str) -> str:
    """The status after action, or StaffRuleError("transition") when the action is not allowed."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        label = wording.STATUS_LABELS.get(status, status)
        raise StaffRuleError("transition", f"「{label}」の申し込みには"
                             f"「{wording.ACTION_LABELS.get(action, action)}」はできません。") from None


def allowed_actions(status: str) -> frozenset[str]:
    """The actions offered for a request in status."""
    return frozenset(action for (s, action) in TRANSITIONS if s == status)


def _aware(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(TOKYO)


def check_confirm(policy: SlotPolicy, now: datetime.datetime, start: datetime.datetime) -> rules.Slot:
    """The slot at start if staff may confirm it at now: in the future, within the office's horizon,
    a session day, on the grid.

    Unlike a seeker's request, the booking deadline does not apply: staff may fix a time agreed on
    the phone, or a second session booked during a session (both terms allow it).
    """
    if _aware(start, "start") <= _aware(now, "now"):
        raise StaffRuleError("past", "その日時はすでに過ぎています。")
    # The same horizon as the slot list staff pick from (rules.confirmable_slots): a hand-made
    # POST cannot fix a time the office does not offer yet.
    if _aware(start, "start").date() > _aware(now, "now").date() + datetime.timedelta(days=policy.horizon_days):
        raise StaffRuleError("beyond_horizon", f"確定できるのは{policy.horizon_days}日先までの枠です。")
    try:
        return rules.check_on_grid(policy, start)
    except rules.SlotError as exc:   # the same grid as seekers', told as staff need it
        if exc.code == "closed_day":
            raise StaffRuleError("closed_day", "その日はオンライン相談を行っていません。") from None
        raise StaffRuleError("outside_hours",
                             "その時刻は相談の時間枠ではありません（受付時間内の枠を選んでください）。") from None


def slot_full(capacity: int) -> StaffRuleError:
    """The refusal when every place of a slot is taken."""
    return StaffRuleError("full", f"この枠は満員です（定員{capacity}）。別の枠を選んでください。")


def check_capacity(policy: SlotPolicy, taken: int) -> None:
    """Refuse when every place of the slot is taken (the database enforces it again)."""
    if rules.places_left(policy, taken) == 0:
        raise slot_full(policy.capacity)


def check_no_show(start: datetime.datetime, no_show_minutes: int, now: datetime.datetime, time_separator: str) -> None:
    """A no-show may be recorded only from the start plus the office's no-show minutes; the refusal
    writes that time with the office's separator (typography.time_separator), as its pages do."""
    start, now = _aware(start, "start"), _aware(now, "now")
    from_ = start + datetime.timedelta(minutes=no_show_minutes)
    if now < from_:
        raise StaffRuleError("too_early",
                             f"連絡なしキャンセルは開始時刻から{no_show_minutes}分後"
                             f"（{wording.day_label(from_.date())}{wording.clock(from_.time(), time_separator)}）"
                             "から記録できます。")


def check_complete(start: datetime.datetime, now: datetime.datetime) -> None:
    """A session can be marked completed only once it has started."""
    if _aware(now, "now") < _aware(start, "start"):
        raise StaffRuleError("not_started", "相談の開始時刻より前には「実施済み」にできません。")


def is_same_day(start: datetime.datetime | None, now: datetime.datetime) -> bool:
    """True when a cancellation at now falls on the session's own day (Tokyo date)."""
    if start is None:
        return False
    return _aware(start, "start").date() == _aware(now, "now").date()


def check_undo(action: str, at: datetime.datetime, undone: bool, now: datetime.datetime) -> None:
    """A status change may be taken back on the day it was made, once, if it is one UNDOABLE."""
    if undone:
        raise StaffRuleError("undone", "この操作はすでに取り消されています。")
    if action not in UNDOABLE:
        raise StaffRuleError("not_undoable", "取り消せる操作（日時の確定、キャンセル、連絡なしキャンセル、"
                             "実施済み）がありません。")
    if _aware(at, "at").date() != _aware(now, "now").date():
        raise StaffRuleError("too_late", "取り消せるのは操作した当日だけです。")


def check_reschedule(current: datetime.datetime, new: datetime.datetime) -> None:
    """A reschedule must move the appointment somewhere else."""
    if _aware(current, "current") == _aware(new, "new"):
        raise StaffRuleError("same_time", "いまの予約と同じ日時です。別の日時を選んでください。")


def check_staff_channel(channel: str) -> None:
    """A booking staff take themselves came by phone, at the counter or during a session."""
    if channel not in STAFF_CHANNELS:
        raise StaffRuleError("channel", "受付の方法（電話・窓口・相談中）を選んでください。")


def check_cancel_channel(channel: str) -> None:
    """The channel a cancellation came by must be one staff can record."""
    # Every channel an office.yaml may name (窓口 too): staff record how a cancellation really
    # came, and cancel_note flags one the office's terms do not list.
    if channel not in wording.CHANNEL_LABELS:
        raise StaffRuleError("channel", "キャンセルの連絡方法を選んでください。")


def cancel_note(channel: str, same_day: bool, channels: list[str], same_day_channels: list[str] | None) -> str | None:
    """A note when a cancellation came by a channel the terms do not name (recorded anyway)."""
    allowed = (same_day_channels or channels) if same_day else channels
    if channel in allowed:
        return None
    when = "当日の" if same_day else ""
    return f"利用規約では{when}キャンセルの連絡方法に「{wording.CHANNEL_LABELS.get(channel, channel)}」は含まれていません。"


def online_cancel_closed(policy: SlotPolicy, start: datetime.datetime | None, now: datetime.datetime) -> bool:
    """True when a seeker can no longer cancel on the portal: the session's day, or past the
    office's cut-off for that session. A request with no fixed time yet can always be cancelled."""
    if start is None:
        return False
    return is_same_day(start, now) or _aware(now, "now") >= rules.cutoff(policy, start)


def check_online_cancel(channels: list[str], policy: SlotPolicy, status: str, start: datetime.datetime | None,
                        now: datetime.datetime) -> None:
    """A seeker may cancel on the portal where the office lists online, before the cut-off."""
    if "online" not in channels:
        raise StaffRuleError("not_online", "この窓口はオンラインでのキャンセルを受け付けていません。")
    next_status(status, "cancel")
    if online_cancel_closed(policy, start, now):
        raise StaffRuleError("closed", "当日または締切後のキャンセルは、電話などでの連絡が必要です。")


@dataclass(frozen=True)
class Clause:
    """The terms article that states the no-show rule, and the sentence staff need."""
    article: str    # e.g. 第4条（利用申込み等）
    text: str       # the item's text, e.g. （3）キャンセルの場合は…


_ARTICLE_RE = re.compile(r"第[0-9０-９一二三四五六七八九十]+条")


NO_SHOW_MARK = "\ue000no-show\ue000"   # a private-use mark no terms text holds


def no_show_clause(terms_markdown: str, minutes: int, marker: str = NO_SHOW_MARK) -> Clause | None:
    """The article (and its item) stating the no-show rule: where the terms use the placeholder
    {{ no_show.minutes }}, which `terms_markdown` has expanded to `marker` (Office.marked_terms),
    however the sentence around it is worded (「15分経過」, 「15分を経過」)."""
    phrase = re.compile(re.escape(marker))
    sections = re.split(r"(?m)^##\s+", terms_markdown)
    for section in sections[1:]:
        heading, _, body = section.partition("\n")
        if not phrase.search(body):
            continue
        number = _ARTICLE_RE.search(heading) or _ARTICLE_RE.search(body)
        title = heading.strip()
        article = title if number and number.group(0) in title else f"{number.group(0) if number else ''}{title}"
        item = next((line.strip().lstrip("-").strip() for line in body.splitlines() if phrase.search(line)), "")
        return Clause(article, item.replace(marker, str(minutes)))
    return None


def history_flag(earlier_statuses: list[str]) -> int:
    """How many earlier requests of the same seeker ended as a no-show (cancelled without notice)."""
    return sum(1 for s in earlier_statuses if s == NO_SHOW)
