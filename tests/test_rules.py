"""Tables for portal.rules: business days, the slot grid, deadlines and validation."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import rules
from portal.rules import (
    TOKYO,
    Slot,
    SlotError,
    SlotPolicy,
    Window,
    add_business_days,
    check_on_grid,
    check_slot,
    confirmable_slots,
    cutoff,
    is_business_day,
    is_government_holiday,
    open_slots,
    parse_slot_key,
    places_left,
    slot_key,
    slots_on,
)
from portal.errors import MadoguchiError

WEEKDAYS = frozenset(range(5))
CLOSURE = date(2026, 6, 10)  # a Wednesday the test office is closed (e.g. building works)
ABASHIRI = SlotPolicy(
    weekdays=WEEKDAYS,
    windows=(Window(time(9, 30), time(12, 0)), Window(time(13, 30), time(16, 0))),
    session_minutes=30,
    closures=frozenset({CLOSURE}),
)
HIROSHIMA = SlotPolicy(
    weekdays=WEEKDAYS, windows=(Window(time(10, 0), time(16, 0)),), session_minutes=30
)

# An office open Monday to Saturday (many マザーズハローワーク), sessions on Tue, Thu and Sat.
SATURDAYS = SlotPolicy(
    weekdays=frozenset({1, 3, 5}), open_weekdays=frozenset(range(6)),
    windows=(Window(time(10, 0), time(12, 0)),), session_minutes=30, cutoff_business_days=3,
)
# The same office on the default calendar (Monday to Friday), sessions on Tue and Thu.
SATURDAYS_CLOSED = dataclasses.replace(SATURDAYS, weekdays=frozenset({1, 3}), open_weekdays=WEEKDAYS)


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


# --- business days -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 5, 6), False),  # 振替休日 (Constitution Day fell on a Sunday)
        (date(2026, 9, 22), False),  # 国民の休日 (between two holidays)
        (date(2026, 9, 24), True),
        *[(date(2025, 12, 29) + timedelta(days=i), False) for i in range(6)],  # 年末年始
        (date(2025, 12, 26), True),  # the last Friday before 年末年始
        (date(2026, 1, 5), True),
        (date(2026, 5, 9), False),  # Saturday
        (date(2026, 5, 10), False),  # Sunday
        (date(2026, 5, 7), True),
        (CLOSURE, False),
        (CLOSURE + timedelta(days=1), True),
    ],
)
def test_is_business_day(day: date, open_: bool) -> None:
    assert is_business_day(ABASHIRI, day) is open_


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 5, 6), True),
        (date(2026, 9, 22), True),
        (date(2025, 12, 29), True),
        (date(2026, 1, 3), True),
        (date(2026, 1, 4), False),  # a Sunday, but weekends are not "holidays" here
        (date(2026, 6, 10), False),  # office closures are not government holidays
    ],
)
def test_is_government_holiday(day: date, holiday: bool) -> None:
    assert is_government_holiday(day) is holiday


def test_closure_only_closes_that_office() -> None:
    assert is_business_day(HIROSHIMA, CLOSURE)
    assert not is_business_day(ABASHIRI, CLOSURE)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 5, 11), -1, date(2026, 5, 8)),  # Monday -> Friday
        (date(2026, 5, 7), -1, date(2026, 5, 1)),  # after Golden Week -> before it
        (date(2026, 5, 7), -2, date(2026, 4, 30)),
        (date(2026, 1, 5), -1, date(2025, 12, 26)),  # skips 年末年始
        (date(2026, 9, 24), -1, date(2026, 9, 18)),  # skips the 2026 Silver Week
        (date(2026, 5, 1), 1, date(2026, 5, 7)),
        (date(2026, 5, 8), 0, date(2026, 5, 8)),
        (date(2026, 5, 9), -1, date(2026, 5, 8)),  # from a Saturday
        (CLOSURE + timedelta(days=1), -1, CLOSURE - timedelta(days=1)),
    ],
)
def test_add_business_days(day: date, n: int, expected: date) -> None:
    assert add_business_days(ABASHIRI, day, n) == expected


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 5, 9), True),    # a plain Saturday
        (date(2026, 5, 10), False),  # Sunday stays closed
        (date(2026, 1, 3), False),   # a Saturday in 年末年始
        (date(2028, 4, 29), False),  # 昭和の日 on a Saturday
        (date(2026, 5, 6), False),   # 振替休日
    ],
)
def test_saturday_office_is_open_on_plain_saturdays_only(day: date, open_: bool) -> None:
    assert is_business_day(SATURDAYS, day) is open_
    assert not is_business_day(dataclasses.replace(SATURDAYS, closures=frozenset({day})), day)


def test_policy_refuses_session_days_the_office_is_closed() -> None:
    with pytest.raises(ValueError, match="open weekdays"):
        dataclasses.replace(SATURDAYS, open_weekdays=WEEKDAYS)
    with pytest.raises(ValueError, match="open_weekdays"):
        dataclasses.replace(SATURDAYS, weekdays=frozenset(), open_weekdays=frozenset())


# --- the grid ------------------------------------------------------------------------------

def test_abashiri_grid_has_ten_slots() -> None:
    slots = slots_on(ABASHIRI, date(2026, 5, 7))
    assert [s.start.strftime("%H:%M") for s in slots] == [
        "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30",
    ]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)
    assert all(s.start.tzinfo is TOKYO for s in slots)


def test_hiroshima_grid_has_twelve_slots() -> None:
    slots = slots_on(HIROSHIMA, date(2026, 5, 7))
    assert len(slots) == 12
    assert (slots[0].key, slots[-1].key) == ("2026-05-07T10:00", "2026-05-07T15:30")
    assert slots[-1].end == tokyo(2026, 5, 7, 16, 0)


@pytest.mark.parametrize(
    ("policy", "day"),
    [
        (ABASHIRI, date(2026, 5, 6)),  # 振替休日
        (ABASHIRI, date(2026, 5, 9)),  # Saturday
        (ABASHIRI, CLOSURE),
        (dataclasses.replace(ABASHIRI, weekdays=frozenset({0, 2})), date(2026, 5, 7)),  # Thu
        (dataclasses.replace(ABASHIRI, weekdays=frozenset({5}), open_weekdays=frozenset(range(6))),
         date(2026, 1, 3)),  # a Saturday session day in 年末年始
    ],
)
def test_no_slots_on_closed_or_unoffered_days(policy: SlotPolicy, day: date) -> None:
    assert slots_on(policy, day) == []


def test_session_must_end_by_window_end() -> None:
    policy = dataclasses.replace(HIROSHIMA, windows=(Window(time(10, 0), time(11, 10)),))
    assert [s.key[-5:] for s in slots_on(policy, date(2026, 5, 7))] == ["10:00", "10:30"]


# --- deadlines -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("policy", "slot_start", "expected"),
    [
        (ABASHIRI, tokyo(2026, 5, 11, 9, 30), tokyo(2026, 5, 8, 17)),  # Monday <- Friday
        (ABASHIRI, tokyo(2026, 5, 7, 15, 30), tokyo(2026, 5, 1, 17)),  # after Golden Week
        (ABASHIRI, tokyo(2026, 1, 5, 9, 30), tokyo(2025, 12, 26, 17)),
        (ABASHIRI, tokyo(2026, 6, 11, 9, 30), tokyo(2026, 6, 9, 17)),  # day after a closure
        (dataclasses.replace(ABASHIRI, cutoff_business_days=2),
         tokyo(2026, 5, 12, 9, 30), tokyo(2026, 5, 8, 17)),
        (dataclasses.replace(ABASHIRI, cutoff_business_days=0, cutoff_time=time(9)),
         tokyo(2026, 5, 12, 13, 30), tokyo(2026, 5, 12, 9)),
    ],
)
def test_cutoff(policy: SlotPolicy, slot_start: datetime, expected: datetime) -> None:
    assert cutoff(policy, slot_start) == expected


@pytest.mark.parametrize(
    ("slot_start", "with_saturday", "without"),
    [
        # Tuesday: 3 open days before are Mon (1), Sat (2), Fri (3); Mon, Fri, Thu without Saturdays
        (tokyo(2026, 5, 19, 10), tokyo(2026, 5, 15, 17), tokyo(2026, 5, 14, 17)),
        # Tuesday after 年末年始: Mon 1/5, then Saturday 1/3 is closed: Sat 12/27, Fri 12/26
        (tokyo(2026, 1, 6, 10), tokyo(2025, 12, 26, 17), tokyo(2025, 12, 25, 17)),
        # Tuesday after 昭和の日 on a Saturday: Mon 5/1, Fri 4/28, Thu 4/27, never the holiday
        (tokyo(2028, 5, 2, 10), tokyo(2028, 4, 27, 17), tokyo(2028, 4, 27, 17)),
        # Thursday after the Silver Week: Sat 9/19 counts
        (tokyo(2026, 9, 24, 10), tokyo(2026, 9, 17, 17), tokyo(2026, 9, 16, 17)),
    ],
)
def test_saturday_office_counts_saturdays_in_its_deadline(
    slot_start: datetime, with_saturday: datetime, without: datetime
) -> None:
    assert cutoff(SATURDAYS, slot_start) == with_saturday
    assert cutoff(SATURDAYS_CLOSED, slot_start) == without
    assert not is_government_holiday(with_saturday.date())


def test_saturday_office_offers_saturday_slots() -> None:
    now = tokyo(2026, 5, 11, 9, 0)   # Monday
    days = {s.start.date() for s in open_slots(SATURDAYS, now)}
    # Tue 5/12 closed on Fri 5/8 17:00 (Mon, Sat, Fri); Thu 5/14 closes today, Mon 5/11 17:00
    assert min(days) == date(2026, 5, 14)
    assert date(2026, 5, 16) in days and all(d.weekday() in (1, 3, 5) for d in days)
    assert len([d for d in days if d.weekday() == 5]) == 4   # every Saturday of the 28 days
    assert {s.start.date() for s in open_slots(SATURDAYS_CLOSED, now)}.isdisjoint({date(2026, 5, 16)})
    assert check_slot(SATURDAYS, now, tokyo(2026, 5, 16, 10)).key == "2026-05-16T10:00"
    with pytest.raises(SlotError) as caught:
        check_slot(SATURDAYS, now, tokyo(2026, 5, 17, 10))   # Sunday
    assert caught.value.code == "closed_day"


@pytest.mark.parametrize(
    ("policy", "now", "start", "code"),
    [
        (ABASHIRI, tokyo(2026, 5, 8, 16, 59), tokyo(2026, 5, 11, 9, 30), None),
        (ABASHIRI, tokyo(2026, 5, 8, 17, 0), tokyo(2026, 5, 11, 9, 30), "past_cutoff"),
        (ABASHIRI, tokyo(2026, 5, 8, 17, 1), tokyo(2026, 5, 11, 9, 30), "past_cutoff"),
        (ABASHIRI, tokyo(2026, 5, 9, 10, 0), tokyo(2026, 5, 11, 9, 30), "past_cutoff"),
        # the day after a holiday run: deadline is the business day before the holidays
        (ABASHIRI, tokyo(2026, 5, 1, 16, 59), tokyo(2026, 5, 7, 9, 30), None),
        (ABASHIRI, tokyo(2026, 5, 6, 10, 0), tokyo(2026, 5, 7, 9, 30), "past_cutoff"),
        (dataclasses.replace(ABASHIRI, cutoff_business_days=2),
         tokyo(2026, 5, 7, 16, 59), tokyo(2026, 5, 11, 9, 30), None),
        (dataclasses.replace(ABASHIRI, cutoff_business_days=2),
         tokyo(2026, 5, 8, 9, 0), tokyo(2026, 5, 11, 9, 30), "past_cutoff"),
        (ABASHIRI, tokyo(2026, 5, 7, 10, 0), tokyo(2026, 5, 6, 10, 0), "past"),
        (ABASHIRI, tokyo(2026, 5, 7, 10, 0), tokyo(2026, 5, 7, 10, 0), "past"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 6, 10, 0), "closed_day"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 9, 10, 0), "closed_day"),
        (ABASHIRI, tokyo(2026, 6, 1, 9, 0), tokyo(2026, 6, 10, 10, 0), "closed_day"),
        (ABASHIRI, tokyo(2025, 12, 22, 9, 0), tokyo(2025, 12, 29, 10, 0), "closed_day"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 9, 45), "not_on_grid"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 11, 45), "not_on_grid"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 9, 30, 1), "not_on_grid"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 12, 0), "outside_hours"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 16, 0), "outside_hours"),
        (ABASHIRI, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 9, 0), "outside_hours"),
        (HIROSHIMA, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 12, 0), None),
        (HIROSHIMA, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 9, 30), "outside_hours"),
        (HIROSHIMA, tokyo(2026, 5, 1, 9, 0), tokyo(2026, 5, 11, 16, 0), "outside_hours"),
        # horizon: 28 calendar days from today's Tokyo date, inclusive
        (ABASHIRI, tokyo(2026, 5, 8, 9, 0), tokyo(2026, 6, 5, 15, 30), None),
        (ABASHIRI, tokyo(2026, 5, 8, 9, 0), tokyo(2026, 6, 8, 9, 30), "beyond_horizon"),
    ],
)
def test_check_slot(policy: SlotPolicy, now: datetime, start: datetime, code: str | None) -> None:
    if code is None:
        slot = check_slot(policy, now, start)
        assert slot.start == start and slot.end == start + timedelta(minutes=30)
        assert slot in slots_on(policy, start.date())
    else:
        with pytest.raises(SlotError) as caught:
            check_slot(policy, now, start)
        assert caught.value.code == code
        assert caught.value.message.endswith("。")


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (1, "予約は前日（閉庁日を除く）の17:00までです。別の日時を選んでください。"),
        (2, "予約は2開庁日前の17:00までです。別の日時を選んでください。"),
    ],
)
def test_past_cutoff_message_names_the_deadline(n: int, message: str) -> None:
    policy = dataclasses.replace(ABASHIRI, cutoff_business_days=n)
    with pytest.raises(SlotError) as caught:
        check_slot(policy, tokyo(2026, 5, 8, 17, 1), tokyo(2026, 5, 11, 9, 30))
    assert caught.value.message == message


def test_past_cutoff_message_names_the_open_days() -> None:
    with pytest.raises(SlotError) as caught:
        check_slot(SATURDAYS, tokyo(2026, 5, 15, 17, 0), tokyo(2026, 5, 19, 10))
    assert caught.value.message == ("予約は3開庁日前（開庁日は月曜日から土曜日まで）の17:00までです。"
                                    "別の日時を選んでください。")


def test_closed_day_message() -> None:
    with pytest.raises(SlotError, match="^その日は閉庁日のため予約できません。$"):
        check_slot(ABASHIRI, tokyo(2026, 5, 1, 9), tokyo(2026, 5, 6, 10))


# --- open slots ----------------------------------------------------------------------------

def test_open_slots_respects_cutoff_and_holidays() -> None:
    # Friday 2026-05-01 16:59: Monday 5/4 - Wednesday 5/6 are holidays, Thursday 5/7 is still open.
    slots = open_slots(ABASHIRI, tokyo(2026, 5, 1, 16, 59))
    assert slots[0].key == "2026-05-07T09:30"
    slots = open_slots(ABASHIRI, tokyo(2026, 5, 1, 17, 0))
    assert slots[0].key == "2026-05-08T09:30"


def test_open_slots_is_sorted_and_on_business_days_within_horizon() -> None:
    now = tokyo(2026, 9, 10, 12, 0)
    slots = open_slots(ABASHIRI, now)
    assert slots == sorted(slots, key=lambda s: s.start)
    assert len(set(slots)) == len(slots)
    days = {s.start.date() for s in slots}
    assert date(2026, 9, 22) not in days and date(2026, 9, 21) not in days
    assert all(is_business_day(ABASHIRI, d) for d in days)
    assert max(days) <= date(2026, 10, 8)
    assert date(2026, 10, 8) in days  # the horizon's last day is included whole
    # 9/11 is the first day whose deadline (9/10 17:00) has not passed; from there to 10/8
    # are 17 business days (9/21-9/23 are the Silver Week holidays)
    assert min(days) == date(2026, 9, 11)
    assert len(days) == 17 and len(slots) == 10 * 17
    assert all(now < cutoff(ABASHIRI, s.start) for s in slots)


def test_open_slots_same_day_cutoff_drops_started_slots() -> None:
    policy = dataclasses.replace(HIROSHIMA, cutoff_business_days=0, cutoff_time=time(17), horizon_days=0)
    slots = open_slots(policy, tokyo(2026, 5, 7, 12, 0))
    assert [s.key[-5:] for s in slots] == ["12:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30"]


def test_now_in_utc_gives_the_same_answers() -> None:
    # 07:59 UTC on Friday 5/8 is 16:59 in Tokyo; 08:01 UTC is 17:01.
    before = datetime(2026, 5, 8, 7, 59, tzinfo=timezone.utc)
    after = datetime(2026, 5, 8, 8, 1, tzinfo=timezone.utc)
    monday = datetime(2026, 5, 11, 0, 30, tzinfo=timezone.utc)  # 09:30 Tokyo
    assert open_slots(ABASHIRI, before) == open_slots(ABASHIRI, before.astimezone(TOKYO))
    assert open_slots(ABASHIRI, before)[0].key == "2026-05-11T09:30"
    assert check_slot(ABASHIRI, before, monday).key == "2026-05-11T09:30"
    with pytest.raises(SlotError) as caught:
        check_slot(ABASHIRI, after, monday)
    assert caught.value.code == "past_cutoff"
    # 23:30 UTC on Thursday is already Friday in Tokyo: the horizon counts Tokyo dates.
    late = datetime(2026, 5, 7, 23, 30, tzinfo=timezone.utc)
    assert open_slots(ABASHIRI, late)[-1].start.date() == date(2026, 6, 5)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        open_slots(ABASHIRI, datetime(2026, 5, 8, 9, 0))


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (tokyo(2026, 5, 11, 9, 30), None),
        (tokyo(2026, 5, 11, 15, 30), None),
        (tokyo(2026, 5, 9, 9, 30), "closed_day"),      # Saturday
        (tokyo(2026, 6, 10, 9, 30), "closed_day"),     # the office's own closure
        (tokyo(2026, 5, 11, 9, 45), "not_on_grid"),
        (tokyo(2026, 5, 11, 12, 0), "outside_hours"),
        (tokyo(2026, 5, 11, 16, 0), "outside_hours"),
        (tokyo(2020, 1, 6, 9, 30), None),              # no clock: the past is not the grid's business
    ],
)
def test_check_on_grid(start: datetime, code: str | None) -> None:
    if code is None:
        assert check_on_grid(ABASHIRI, start) in slots_on(ABASHIRI, start.date())
    else:
        with pytest.raises(SlotError) as caught:
            check_on_grid(ABASHIRI, start)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("sep", "start", "message"),
    [
        (":", tokyo(2026, 5, 11, 12, 0), "その時刻は受付時間外です（受付時間：9:30～12:00、13:30～16:00）。"),
        ("：", tokyo(2026, 5, 11, 12, 0), "その時刻は受付時間外です（受付時間：9：30～12：00、13：30～16：00）。"),
        ("：", tokyo(2026, 5, 11, 13, 45), "相談は13：30から30分ごとに始まります。一覧から時刻を選んでください。"),
    ],
)
def test_grid_errors_write_times_in_the_office_typography(sep: str, start: datetime, message: str) -> None:
    with pytest.raises(SlotError) as caught:
        check_on_grid(dataclasses.replace(ABASHIRI, time_separator=sep), start)
    assert caught.value.message == message


def test_confirmable_slots_ignore_the_deadline_but_keep_the_horizon() -> None:
    now = tokyo(2026, 5, 8, 17, 30)   # Friday after the deadline for Monday
    policy = dataclasses.replace(ABASHIRI, horizon_days=42)
    slots = confirmable_slots(policy, now)
    assert slots[0].key == "2026-05-11T09:30" and open_slots(policy, now)[0].key == "2026-05-12T09:30"
    assert slots[-1].start.date() == date(2026, 6, 19)   # 42 days ahead, a Friday
    assert set(open_slots(policy, now)) < set(slots)
    assert confirmable_slots(policy, tokyo(2026, 5, 11, 15, 30))[0].key == "2026-05-12T09:30"  # started: gone


@pytest.mark.parametrize(("capacity", "taken", "left"), [(1, 0, 1), (1, 1, 0), (3, 1, 2), (2, 5, 0)])
def test_places_left(capacity: int, taken: int, left: int) -> None:
    assert places_left(dataclasses.replace(ABASHIRI, capacity=capacity), taken) == left


def test_slot_error_is_a_madoguchi_error_and_a_value_error() -> None:
    with pytest.raises(MadoguchiError):
        parse_slot_key("x")
    assert issubclass(SlotError, ValueError)


# --- keys ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "start"),
    [
        ("2026-05-07T09:30", tokyo(2026, 5, 7, 9, 30)),
        ("2026-12-31T23:59", tokyo(2026, 12, 31, 23, 59)),
    ],
)
def test_parse_slot_key(key: str, start: datetime) -> None:
    assert parse_slot_key(key) == start
    assert parse_slot_key(key).tzinfo is TOKYO
    assert Slot(start, start + timedelta(minutes=30)).key == key


@pytest.mark.parametrize(
    "key",
    [
        "", "2026-05-07", "2026-05-07 09:30", "2026-05-07T09:30:00", "2026-02-30T09:30",
        "2026-05-07T24:00", "0000-01-01T00:00", "２０２６-05-07T09:30", "2026-05-07T09:30\n",
        " 2026-05-07T09:30", "2026-5-7T9:30",
    ],
)
def test_parse_slot_key_rejects_garbage(key: str) -> None:
    with pytest.raises(SlotError) as caught:
        parse_slot_key(key)
    assert caught.value.code == "bad_key"


@given(st.text())
def test_parse_slot_key_only_raises_slot_error(key: str) -> None:
    try:
        parsed = parse_slot_key(key)
    except SlotError as error:
        assert error.code == "bad_key"
    else:
        assert parsed.tzinfo is TOKYO


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31)))
def test_slot_key_round_trips(moment: datetime) -> None:
    start = moment.replace(second=0, microsecond=0, tzinfo=TOKYO)
    assert parse_slot_key(Slot(start, start).key) == start


def test_key_of_a_utc_start_is_tokyo_local() -> None:
    start = datetime(2026, 5, 7, 0, 30, tzinfo=timezone.utc)
    assert Slot(start, start + timedelta(minutes=30)).key == "2026-05-07T09:30" == slot_key(start)


def test_module_stays_pure() -> None:
    source = open(rules.__file__, encoding="utf-8").read()
    for heavy in ("flask", "sqlalchemy", "jinja2", "pydantic"):
        assert f"import {heavy}" not in source.lower()


def test_free_open_slots_leave_out_full_slots_and_check_place_refuses_them() -> None:
    from portal.rules import SlotError, check_place, free_open_slots

    now = tokyo(2026, 5, 1, 10)
    policy = dataclasses.replace(ABASHIRI, capacity=2)
    first = open_slots(policy, now)[0]
    utc = first.start.astimezone(timezone.utc)     # the database's time zone: the same instant
    assert free_open_slots(policy, now, {utc: 1})[0] == first
    assert first not in free_open_slots(policy, now, {utc: 2})
    assert len(free_open_slots(policy, now, {utc: 2})) == len(open_slots(policy, now)) - 1
    check_place(policy, first.start, {utc: 1})
    with pytest.raises(SlotError) as exc:
        check_place(policy, first.start, {utc: 2})
    assert exc.value.code == "full" and "いっぱい" in exc.value.message
