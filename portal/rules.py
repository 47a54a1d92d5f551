"""Booking-slot rules: business days, the slot grid, deadlines, places and validation.

Pure: imports only the standard library, ``holidays`` and the wording of facts; every function
takes ``now`` as an argument instead of reading the clock, so the same code lists slots on the
form, validates a submitted request or a staff confirmation, and is tested with fixed clocks.
All local times are Asia/Tokyo.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Iterator, Mapping

from . import wording
from .errors import RuleError
from .eras import MONDAY_TO_FRIDAY, TOKYO  # also rules.TOKYO: callers take the time zone from the rules they apply

# Tokyo has had no DST since 1951, so wall-clock arithmetic below equals elapsed time.
_KEY_FORMAT = "%Y-%m-%dT%H:%M"
# [0-9], not \d: \d also matches full-width and other Unicode digits.
_KEY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class Window:
    """One daily time window in which sessions may start and end."""

    start: datetime.time
    end: datetime.time


@dataclass(frozen=True)
class SlotPolicy:
    """An office's booking rules; frozen and hashable so per-day results can be cached.

    ``open_weekdays`` are the office's open days (開庁日, 0 = Monday); ``weekdays`` are the days
    with sessions, among them. Every business-day count (deadline, cut-off) walks open days.
    """

    weekdays: frozenset[int]
    windows: tuple[Window, ...]
    session_minutes: int
    cutoff_business_days: int = 1
    cutoff_time: datetime.time = datetime.time(17, 0)
    closures: frozenset[datetime.date] = frozenset()
    horizon_days: int = 28
    capacity: int = 1
    time_separator: str = ":"   # the office's typography, so errors write times as its pages do
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY

    def __post_init__(self) -> None:
        # Fail when the policy is built (content loading), not on a seeker's form render.
        if self.session_minutes <= 0:
            raise ValueError("session_minutes must be positive")
        if not self.open_weekdays or not self.open_weekdays <= frozenset(range(7)):
            raise ValueError("open_weekdays must be some of 0 (Monday) .. 6 (Sunday)")
        if not self.weekdays <= self.open_weekdays:
            raise ValueError("weekdays must be open weekdays (sessions only on days the office is open)")
        if any(w.start >= w.end for w in self.windows):
            raise ValueError("each window must start before it ends (same day)")
        if self.cutoff_business_days < 0 or self.horizon_days < 0 or self.capacity < 1:
            raise ValueError("cutoff_business_days, horizon_days >= 0 and capacity >= 1")


@dataclass(frozen=True)
class Slot:
    """One bookable session; start and end are aware Asia/Tokyo datetimes."""

    start: datetime.datetime
    end: datetime.datetime

    @property
    def key(self) -> str:
        """Stable form id in Tokyo local time, e.g. "2026-05-07T09:30"."""
        return slot_key(self.start)


def slot_key(start: datetime.datetime) -> str:
    """The form id of the slot starting at start (Tokyo local time); parse_slot_key reads it back."""
    return start.astimezone(TOKYO).strftime(_KEY_FORMAT)


class SlotError(RuleError):
    """A requested slot is not bookable: ``code`` is an English slug, ``message`` for seekers."""


@functools.lru_cache(maxsize=None)
def _holidays_of(year: int) -> frozenset[datetime.date]:
    # Building holidays.Japan is slow; one frozenset per year makes each lookup O(1).
    # Note: the package knows Japanese holidays only for 1949..2099 (empty outside).
    import holidays  # here, not at the top: importing it costs 0.3 s that a no-change build never needs

    days = set(holidays.Japan(years=year))  # includes 振替休日 and 国民の休日
    # 年末年始 (12/29-1/3) is a government closed period though not a national holiday.
    days.update(datetime.date(year, 12, d) for d in (29, 30, 31))
    days.update(datetime.date(year, 1, d) for d in (1, 2, 3))
    return frozenset(days)


def is_government_holiday(day: datetime.date) -> bool:
    """True on a 行政機関の休日 other than weekends: national holidays and Dec 29 - Jan 3."""
    return day in _holidays_of(day.year)


def is_business_day(policy: SlotPolicy, day: datetime.date) -> bool:
    """True on the office's open weekdays unless a government holiday or an office closure."""
    return day.weekday() in policy.open_weekdays and not is_government_holiday(day) and day not in policy.closures


def add_business_days(policy: SlotPolicy, day: datetime.date, n: int) -> datetime.date:
    """The date n of the office's business days after day (before it when n < 0; day for 0)."""
    step = datetime.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_business_day(policy, day):
            remaining -= 1
    return day


@functools.lru_cache(maxsize=1 << 15)
def _grid(policy: SlotPolicy, day: datetime.date) -> tuple[Slot, ...]:
    # Cached per (policy, day): open_slots runs on every form render for ~544 offices.
    if day.weekday() not in policy.weekdays or not is_business_day(policy, day):
        return ()
    length = datetime.timedelta(minutes=policy.session_minutes)
    starts: set[datetime.datetime] = set()  # a set: overlapping windows must not double a slot
    for window in policy.windows:
        start = datetime.datetime.combine(day, window.start, tzinfo=TOKYO)
        end = datetime.datetime.combine(day, window.end, tzinfo=TOKYO)
        while start + length <= end:
            starts.add(start)
            start += length
    return tuple(Slot(s, s + length) for s in sorted(starts))


def slots_on(policy: SlotPolicy, day: datetime.date) -> list[Slot]:
    """The slot grid of one day; empty on a closed day or a weekday the office does not offer."""
    return list(_grid(policy, day))


@functools.lru_cache(maxsize=1 << 15)
def _cutoff_of_day(policy: SlotPolicy, day: datetime.date) -> datetime.datetime:
    # Every slot of a day shares one deadline, so compute it once per (policy, day).
    deadline_day = add_business_days(policy, day, -policy.cutoff_business_days)
    return datetime.datetime.combine(deadline_day, policy.cutoff_time, tzinfo=TOKYO)


def cutoff(policy: SlotPolicy, slot_start: datetime.datetime) -> datetime.datetime:
    """The last moment (exclusive) at which a slot starting at slot_start can be requested."""
    return _cutoff_of_day(policy, _to_tokyo(slot_start, "slot_start").date())


def _to_tokyo(moment: datetime.datetime, name: str) -> datetime.datetime:
    # A naive value is most likely UTC read back from the database; guessing would shift 9 hours.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(TOKYO)


def _last_day(policy: SlotPolicy, now: datetime.datetime) -> datetime.date:
    # The horizon counts calendar days from today's Tokyo date, so a whole day appears at once.
    return now.date() + datetime.timedelta(days=policy.horizon_days)


def open_slots(policy: SlotPolicy, now: datetime.datetime) -> list[Slot]:
    """Every slot that can still be requested at now, within the horizon, sorted by start."""
    now = _to_tokyo(now, "now")
    return [slot for day, grid in _session_days(policy, now) if now < _cutoff_of_day(policy, day)
            for slot in grid if slot.start > now]


def confirmable_slots(policy: SlotPolicy, now: datetime.datetime) -> list[Slot]:
    """Every future slot within the horizon, past the deadline or not: what staff may confirm."""
    now = _to_tokyo(now, "now")
    return [slot for _, grid in _session_days(policy, now) for slot in grid if slot.start > now]


def _session_days(policy: SlotPolicy, now: datetime.datetime) -> Iterator[tuple[datetime.date, tuple[Slot, ...]]]:
    # Each day from today to the horizon that has a grid, with that grid.
    day, last = now.date(), _last_day(policy, now)
    while day <= last:
        grid = _grid(policy, day)
        if grid:
            yield day, grid
        day += datetime.timedelta(days=1)


def places_left(policy: SlotPolicy, taken: int) -> int:
    """How many places of a slot are still free when taken of them are held."""
    return max(policy.capacity - taken, 0)


def free_open_slots(policy: SlotPolicy, now: datetime.datetime,
                    taken: Mapping[datetime.datetime, int]) -> list[Slot]:
    """The open slots (open_slots) that still have a place left.

    taken counts the places held per slot start (any time zone: aware datetimes compare by
    instant); a slot missing from it has every place free.
    """
    return [slot for slot in open_slots(policy, now) if places_left(policy, taken.get(slot.start, 0)) > 0]


def check_place(policy: SlotPolicy, start: datetime.datetime, taken: Mapping[datetime.datetime, int]) -> None:
    """Raise SlotError "full" when every place of the slot starting at start is held."""
    if places_left(policy, taken.get(start, 0)) <= 0:
        raise SlotError("full", "この日時は予約がいっぱいになりました。別の日時を選んでください。")


def check_on_grid(policy: SlotPolicy, start: datetime.datetime) -> Slot:
    """The Slot starting at start if it is on the office's grid (session day, window, step).

    The one grid check: seekers' requests and staff confirmations both go through it. Raises
    SlotError "closed_day", "not_on_grid" or "outside_hours".
    """
    start = _to_tokyo(start, "start")
    day = start.date()
    if not is_business_day(policy, day):
        raise SlotError("closed_day", "その日は閉庁日のため予約できません。")
    if day.weekday() not in policy.weekdays:
        raise SlotError("closed_day", "その曜日はオンライン相談を行っていません。別の日を選んでください。")
    sep = policy.time_separator
    outside = SlotError("outside_hours",
                        f"その時刻は受付時間外です（受付時間：{wording.windows_text(policy.windows, sep)}）。")
    length = datetime.timedelta(minutes=policy.session_minutes)
    for window in policy.windows:
        w_start = datetime.datetime.combine(day, window.start, tzinfo=TOKYO)
        w_end = datetime.datetime.combine(day, window.end, tzinfo=TOKYO)
        if not w_start <= start < w_end:
            continue
        if (start - w_start) % length:
            raise SlotError(
                "not_on_grid",
                f"相談は{wording.clock(window.start, sep)}から{policy.session_minutes}分ごとに始まります。"
                "一覧から時刻を選んでください。",
            )
        if start + length > w_end:
            raise outside  # on the grid, but the session would run past the window's end
        break
    else:
        raise outside
    for slot in _grid(policy, day):
        if slot.start == start:
            return slot
    # Unreachable if the walk above mirrors _grid; kept so a mismatch fails safe, not open.
    raise SlotError("not_on_grid", "その時刻からは予約できません。一覧から時刻を選んでください。")


def check_slot(policy: SlotPolicy, now: datetime.datetime, start: datetime.datetime) -> Slot:
    """Return the Slot starting at start if it can be requested at now, else raise SlotError."""
    now, start = _to_tokyo(now, "now"), _to_tokyo(start, "start")
    day = start.date()
    # Order matters: report the reason a seeker can act on first (date problems before time).
    if start <= now:
        raise SlotError("past", "その日時はすでに過ぎています。別の日時を選んでください。")
    if day > _last_day(policy, now):
        raise SlotError(
            "beyond_horizon",
            f"予約できるのは{policy.horizon_days}日先までです。別の日時を選んでください。",
        )
    slot = check_on_grid(policy, start)
    if now >= _cutoff_of_day(policy, day):
        cutoff_time = wording.clock(policy.cutoff_time, policy.time_separator)
        raise SlotError(
            "past_cutoff",
            f"予約は{wording.deadline_day(policy.cutoff_business_days, policy.open_weekdays)}の{cutoff_time}までです。"
            "別の日時を選んでください。",
        )
    return slot


def parse_slot_key(key: str) -> datetime.datetime:
    """The aware Tokyo start time named by a Slot.key; raises SlotError("bad_key") otherwise."""
    bad = SlotError("bad_key", "日時の指定が正しくありません。一覧から選び直してください。")
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise bad
    try:  # the fields by position (the pattern fixed them): strptime cost more than the whole check
        return datetime.datetime(int(key[0:4]), int(key[5:7]), int(key[8:10]), int(key[11:13]),
                                 int(key[14:16]), tzinfo=TOKYO)
    except ValueError:
        raise bad from None
