"""Staff rules as tables: transitions, confirm checks, no-show timing, same-day, terms clause."""
from __future__ import annotations

import dataclasses
import datetime

import pytest

from portal import staffrules as sr
from portal import wording
from portal.errors import MadoguchiError
from portal.offices import load_office
from portal.rules import TOKYO, SlotPolicy, Window

POLICY = SlotPolicy(weekdays=frozenset(range(5)),
                    windows=(Window(datetime.time(9, 30), datetime.time(12, 0)),
                             Window(datetime.time(13, 30), datetime.time(16, 0))),
                    session_minutes=30, capacity=1)


def tokyo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


NOW = tokyo(2026, 5, 7, 10, 5)  # Thursday


ALL_ACTIONS = sorted(wording.ACTION_LABELS)
EXPECTED = {
    sr.REQUESTED: {"contact": sr.REQUESTED, "confirm": sr.CONFIRMED, "cancel": sr.CANCELLED},
    sr.CONFIRMED: {"contact": sr.CONFIRMED, "details": sr.CONFIRMED, "cancel": sr.CANCELLED,
                   "no_show": sr.NO_SHOW, "complete": sr.COMPLETED, "next": sr.CONFIRMED,
                   "reschedule": sr.CONFIRMED},
    sr.CANCELLED: {},
    sr.NO_SHOW: {},
    sr.COMPLETED: {"next": sr.COMPLETED},
}


@pytest.mark.parametrize("status", sorted(EXPECTED))
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_transition_table(status, action):
    expected = EXPECTED[status].get(action)
    if expected is None:
        with pytest.raises(sr.StaffRuleError) as exc:
            sr.next_status(status, action)
        assert exc.value.code == "transition"
    else:
        assert sr.next_status(status, action) == expected


def test_check_confirm_closed_day_within_a_long_horizon():
    with pytest.raises(sr.StaffRuleError) as exc:
        sr.check_confirm(dataclasses.replace(POLICY, horizon_days=90), NOW, tokyo(2026, 7, 20, 9, 30))   # 海の日
    assert exc.value.code == "closed_day"


@pytest.mark.parametrize(("start", "code"), [
    (tokyo(2026, 5, 7, 13, 30), None),            # later today, on the grid: no deadline for staff
    (tokyo(2026, 5, 8, 9, 30), None),
    (tokyo(2026, 5, 7, 10, 0), "past"),           # already started
    (tokyo(2026, 5, 7, 9, 0), "past"),
    (tokyo(2026, 5, 9, 9, 30), "closed_day"),     # Saturday
    (tokyo(2026, 5, 6, 9, 30), "past"),
    (tokyo(2026, 7, 20, 9, 30), "beyond_horizon"),  # 海の日, but 74 days ahead: the horizon first
    (tokyo(2026, 6, 4, 9, 30), None),             # the last day of the 28-day horizon
    (tokyo(2026, 6, 5, 9, 30), "beyond_horizon"), # a hand-made POST one day further
    (tokyo(2099, 6, 5, 9, 30), "beyond_horizon"),
    (tokyo(2026, 5, 8, 12, 0), "outside_hours"),  # lunch
    (tokyo(2026, 5, 8, 11, 45), "outside_hours"), # not on the grid
    (tokyo(2026, 5, 8, 15, 45), "outside_hours"),
    (tokyo(2026, 5, 8, 16, 0), "outside_hours"),
])
def test_check_confirm(start, code):
    if code is None:
        assert sr.check_confirm(POLICY, NOW, start).start == start
    else:
        with pytest.raises(sr.StaffRuleError) as exc:
            sr.check_confirm(POLICY, NOW, start)
        assert exc.value.code == code


def test_staff_rule_error_is_a_madoguchi_error_and_a_value_error():
    assert issubclass(sr.StaffRuleError, MadoguchiError) and issubclass(sr.StaffRuleError, ValueError)


@pytest.mark.parametrize(("taken", "capacity", "ok"), [(0, 1, True), (1, 1, False), (1, 2, True), (2, 2, False)])
def test_check_capacity(taken, capacity, ok):
    policy = dataclasses.replace(POLICY, capacity=capacity)
    if ok:
        sr.check_capacity(policy, taken)
    else:
        with pytest.raises(sr.StaffRuleError, match=f"定員{capacity}"):
            sr.check_capacity(policy, taken)


START = tokyo(2026, 5, 7, 9, 30)


@pytest.mark.parametrize(("now", "ok"), [
    (tokyo(2026, 5, 7, 9, 29), False),
    (tokyo(2026, 5, 7, 9, 30), False),
    (tokyo(2026, 5, 7, 9, 39, 59), False),
    (tokyo(2026, 5, 7, 9, 40), True),
    (tokyo(2026, 5, 8, 9, 0), True),
])
def test_no_show_only_from_start_plus_minutes(now, ok):
    if ok:
        sr.check_no_show(START, 10, now, ":")
    else:
        with pytest.raises(sr.StaffRuleError) as exc:
            sr.check_no_show(START, 10, now, ":")
        assert "5月7日（木）9:40" in exc.value.message


@pytest.mark.parametrize(("sep", "said"), [(":", "（5月7日（木）9:40）"), ("：", "（5月7日（木）9：40）")])
def test_no_show_refusal_writes_the_time_as_the_office_does(sep, said):
    with pytest.raises(sr.StaffRuleError) as exc:
        sr.check_no_show(START, 10, tokyo(2026, 5, 7, 9, 35), sep)
    assert said in exc.value.message


@pytest.mark.parametrize(("now", "ok"), [(tokyo(2026, 5, 7, 9, 29), False), (START, True)])
def test_complete_only_after_start(now, ok):
    if ok:
        sr.check_complete(START, now)
    else:
        with pytest.raises(sr.StaffRuleError):
            sr.check_complete(START, now)


@pytest.mark.parametrize(("start", "now", "same"), [
    (START, tokyo(2026, 5, 7, 0, 1), True),
    (START, tokyo(2026, 5, 6, 23, 59), False),
    (START, datetime.datetime(2026, 5, 6, 15, 30, tzinfo=datetime.timezone.utc), True),  # 00:30 JST
    (None, NOW, False),
])
def test_same_day_in_tokyo(start, now, same):
    assert sr.is_same_day(start, now) is same


def test_staff_confirm_saturday_sessions_only_where_the_office_opens_on_saturdays():
    saturdays = dataclasses.replace(POLICY, weekdays=frozenset({1, 3, 5}), open_weekdays=frozenset(range(6)))
    assert sr.check_confirm(saturdays, NOW, tokyo(2026, 5, 9, 9, 30)).start == tokyo(2026, 5, 9, 9, 30)
    for policy, start in ((POLICY, tokyo(2026, 5, 9, 9, 30)),             # closed on Saturdays
                          (saturdays, tokyo(2026, 5, 10, 9, 30)),          # Sunday
                          (dataclasses.replace(saturdays, horizon_days=1000), tokyo(2028, 4, 29, 9, 30))):         # 昭和の日, a Saturday
        with pytest.raises(sr.StaffRuleError) as caught:
            sr.check_confirm(policy, NOW, start)
        assert caught.value.code == "closed_day"
    # a Saturday session cancelled that Saturday is a same-day cancellation
    assert sr.is_same_day(tokyo(2026, 5, 9, 9, 30), tokyo(2026, 5, 9, 8, 0))


@pytest.mark.parametrize(("channel", "same_day", "noted"), [
    ("phone", True, False), ("email", True, True), ("email", False, False), ("online", False, True),
])
def test_cancel_note_by_terms_channels(channel, same_day, noted):
    assert (sr.cancel_note(channel, same_day, ["phone", "email"], ["phone"]) is not None) is noted


def test_every_channel_an_office_may_name_can_be_recorded():
    for channel in wording.CHANNEL_LABELS:   # counter (窓口) included
        sr.check_cancel_channel(channel)
    assert "窓口" in sr.cancel_note("counter", False, ["phone", "online"], None)
    assert sr.cancel_note("counter", False, ["phone", "counter"], None) is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        sr.check_no_show(datetime.datetime(2026, 5, 7, 9, 30), 10, NOW, ":")


@pytest.mark.parametrize(("slug", "article"), [
    ("abashiri", "第4条（利用申込み等）"),
    ("mothers-hiroshima", "第6条(利用申込み等)"),
])
def test_no_show_clause_found_in_terms(content, slug, article):
    office = load_office(content / slug)
    clause = sr.no_show_clause(office.marked_terms("no_show.minutes", sr.NO_SHOW_MARK), office.config.no_show.minutes)
    assert clause is not None
    assert clause.article == article
    assert "キャンセルとみなします" in clause.text and "10" in clause.text and sr.NO_SHOW_MARK not in clause.text


def test_no_clause_when_terms_do_not_mention_it():
    assert sr.no_show_clause("## 第1条（目的）\n\n目的です。\n", 10) is None


def test_clause_is_found_by_its_placeholder_however_it_is_worded(content):
    # 「15分を経過」 (no 分経過 at all): the placeholder, not the wording, marks the clause.
    terms = content / "abashiri" / "terms.md"
    text = terms.read_text(encoding="utf-8").replace("{{ no_show.minutes }}分経過した", "{{ no_show.minutes }}分を経過した")
    terms.write_text(text, encoding="utf-8")
    (content / "abashiri" / "terms-lock.json").unlink()
    yaml = content / "abashiri" / "office.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("  minutes: 10", "  minutes: 15"), encoding="utf-8")
    office = load_office(content / "abashiri")
    clause = sr.no_show_clause(office.marked_terms("no_show.minutes", sr.NO_SHOW_MARK), 15)
    assert clause is not None and clause.article == "第4条（利用申込み等）"
    assert "15分を経過した場合は、キャンセルとみなします" in clause.text


def test_history_counts_no_shows_only():
    assert sr.history_flag([sr.NO_SHOW, sr.CANCELLED, sr.COMPLETED, sr.NO_SHOW]) == 2


@pytest.mark.parametrize(("action", "at", "undone", "code"), [
    ("cancel", tokyo(2026, 5, 7, 9, 0), False, None),
    ("confirm", tokyo(2026, 5, 7, 0, 0), False, None),
    ("cancel", tokyo(2026, 5, 6, 23, 59), False, "too_late"),     # yesterday in Tokyo
    ("cancel", tokyo(2026, 5, 7, 9, 0), True, "undone"),
    ("details", tokyo(2026, 5, 7, 9, 0), False, "not_undoable"),
])
def test_check_undo(action, at, undone, code):
    if code is None:
        sr.check_undo(action, at, undone, NOW)
    else:
        with pytest.raises(sr.StaffRuleError) as exc:
            sr.check_undo(action, at, undone, NOW)
        assert exc.value.code == code


def test_reschedule_must_move_and_staff_channels_are_named():
    with pytest.raises(sr.StaffRuleError, match="同じ日時"):
        sr.check_reschedule(tokyo(2026, 5, 8, 9, 30), tokyo(2026, 5, 8, 9, 30))
    sr.check_reschedule(tokyo(2026, 5, 8, 9, 30), tokyo(2026, 5, 8, 10, 0))
    for channel in sr.STAFF_CHANNELS:
        sr.check_staff_channel(channel)
    with pytest.raises(sr.StaffRuleError, match="電話・窓口・相談中"):
        sr.check_staff_channel("portal")
    assert sr.UNDOABLE >= sr.ASK_FIRST


# Session Thursday 7 May 9:30; POLICY's deadline: 17:00 the open day before (Wednesday 6 May is a
# holiday, so Friday 1 May).
START = tokyo(2026, 5, 7, 9, 30)


@pytest.mark.parametrize("now, closed", [
    (tokyo(2026, 5, 1, 16, 59), False),
    (tokyo(2026, 5, 1, 17, 0), True),      # the cut-off
    (tokyo(2026, 5, 6, 23, 59), True),
    (tokyo(2026, 5, 7, 0, 0), True),       # the session's day
    (tokyo(2026, 5, 8, 9, 0), True),
])
def test_online_cancel_closes_at_the_cutoff(now, closed):
    assert sr.online_cancel_closed(POLICY, START, now) is closed


def test_a_request_without_a_time_can_always_be_cancelled_online():
    assert sr.online_cancel_closed(POLICY, None, tokyo(2027, 1, 1, 0, 0)) is False


@pytest.mark.parametrize("channels, status, start, code", [
    (["phone"], sr.REQUESTED, None, "not_online"),
    (["phone", "online"], sr.COMPLETED, START, "transition"),
    (["phone", "online"], sr.CANCELLED, None, "transition"),
    (["phone", "online"], sr.CONFIRMED, START, "closed"),
    (["phone", "online"], sr.CONFIRMED, tokyo(2026, 5, 8, 9, 30), None),
    (["online"], sr.REQUESTED, None, None),
])
def test_check_online_cancel(channels, status, start, code):
    now = tokyo(2026, 5, 1, 18, 0)
    if code is None:
        sr.check_online_cancel(channels, POLICY, status, start, now)
        return
    with pytest.raises(sr.StaffRuleError) as refused:
        sr.check_online_cancel(channels, POLICY, status, start, now)
    assert refused.value.code == code
