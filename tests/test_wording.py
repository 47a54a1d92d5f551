"""Tables for portal.wording: every office fact phrased once, as pages, errors and texts say it."""
from __future__ import annotations

import datetime
import typing

import pytest

from portal import schema, staffrules, wording
from portal.offices import load_offices

from .conftest import CONTENT

OFFICES = {o.slug: o.config for o in load_offices(CONTENT)}
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def _with(config: schema.OfficeConfig, part: str, **changes) -> schema.OfficeConfig:
    """A seed office's config with one part changed (the fact a test is about)."""
    return config.model_copy(update={part: getattr(config, part).model_copy(update=changes)})


@pytest.mark.parametrize(("t", "sep", "text"), [
    (datetime.time(9, 30), "：", "9：30"),
    (datetime.time(16, 0), ":", "16:00"),
    (datetime.time(0, 5), ":", "0:05"),
])
def test_clock(t, sep, text):
    assert wording.clock(t, sep) == text


@pytest.mark.parametrize(("weekdays", "text"), [
    (["mon", "tue", "wed", "thu", "fri"], "平日"),
    (["fri", "mon", "wed"], "月・水・金曜日"),
    (["sat"], "土曜日"),
])
def test_days_text(weekdays, text):
    assert wording.days_text(weekdays) == text


@pytest.mark.parametrize(("channels", "or_word", "text"), [
    (["phone", "email"], "又は", "電話又はメール"),
    (["phone", "counter"], "または", "電話または窓口"),
    (["phone"], "又は", "電話"),
    (["phone", "email", "counter", "online"], "又は", "電話、メール、窓口又はオンライン"),
    (["phone", "email", "counter"], "または", "電話、メールまたは窓口"),
])
def test_channels_text(channels, or_word, text):
    assert wording.channels_text(channels, or_word) == text


@pytest.mark.parametrize(("slug", "text"), [
    ("abashiri", "平日9：30～12：00、13：30～16：00"),
    ("mothers-hiroshima", "平日10:00～16:00"),
])
def test_hours_text_in_the_office_typography(slug, text):
    assert wording.hours_text(OFFICES[slug]) == text


@pytest.mark.parametrize(("n", "phrase", "day"), [
    (0, "当日", "当日"), (1, "前日", "前日（閉庁日を除く）"), (2, "2開庁日前", "2開庁日前"), (5, "5開庁日前", "5開庁日前"),
])
def test_deadline_phrase_and_day(n, phrase, day):
    assert wording.deadline_phrase(n) == phrase
    assert wording.deadline_day(n) == day


MON_TO_SAT = frozenset(range(6))


@pytest.mark.parametrize(("open_days", "text"), [
    (range(5), "月曜日から金曜日まで"),
    (MON_TO_SAT, "月曜日から土曜日まで"),
    ({5, 1, 3, 0}, "月・火・木・土曜日"),
    ({0, 1}, "月・火曜日"),
    ({5}, "土曜日"),
])
def test_open_days_text(open_days, text):
    assert wording.open_days_text(open_days) == text


def test_open_days_definition_names_every_closed_day():
    assert wording.open_days_definition(MON_TO_SAT) == \
        "月曜日から土曜日まで（祝日・休日、12月29日から1月3日まで及び臨時の休業日を除く）"


@pytest.mark.parametrize(("n", "day"), [
    (0, "当日"),
    (1, "前日（閉庁日を除く。開庁日は月曜日から土曜日まで）"),
    (3, "3開庁日前（開庁日は月曜日から土曜日まで）"),
])
def test_deadline_day_names_open_days_other_than_weekdays(n, day):
    assert wording.deadline_day(n, MON_TO_SAT) == day
    assert wording.deadline_day(n, range(5)) == wording.deadline_day(n)


def _saturdays(config: schema.OfficeConfig) -> schema.OfficeConfig:
    """A seed office's config opened on Saturdays too."""
    return _with(config, "office", open_days=["mon", "tue", "wed", "thu", "fri", "sat"])


def test_deadline_text_and_notice_day_on_a_saturday_calendar():
    config = _with(_saturdays(OFFICES["mothers-hiroshima"]), "booking", deadline_business_days=3)
    assert wording.deadline_text(config) == "相談日の3開庁日前（開庁日は月曜日から土曜日まで）17:00まで"
    assert wording.notice_day(OFFICES["mothers-hiroshima"]) == "前日"
    assert wording.notice_day(config) == "前日（閉庁日を除く。開庁日は月曜日から土曜日まで）"
    assert "相談日の前日（閉庁日を除く。開庁日は月曜日から土曜日まで）になっても届かない場合" in wording.next_steps(config)[1]


def test_deadline_phrase_refuses_a_negative_count():
    with pytest.raises(ValueError):
        wording.deadline_phrase(-1)


@pytest.mark.parametrize(("slug", "n", "text"), [
    ("abashiri", 1, "相談日の前日（閉庁日を除く）17：00まで"),
    ("abashiri", 0, "相談日の当日17：00まで"),
    ("mothers-hiroshima", 3, "相談日の3開庁日前17:00まで"),
])
def test_deadline_text(slug, n, text):
    assert wording.deadline_text(_with(OFFICES[slug], "booking", deadline_business_days=n)) == text


@pytest.mark.parametrize(("channels", "same_day", "text"), [
    (["phone", "email"], ["phone"], "電話又はメールでご連絡ください（当日は電話のみ）"),
    (["phone", "email"], ["email", "phone"], "電話又はメールでご連絡ください"),   # not narrower
    (["phone"], None, "電話でご連絡ください"),
])
def test_cancellation_text(channels, same_day, text):
    config = _with(OFFICES["abashiri"], "cancellation", channels=channels, same_day_channels=same_day)
    assert wording.cancellation_text(config) == text


@pytest.mark.parametrize(("day", "label"), [
    (datetime.date(2026, 5, 7), "5月7日（木）"),
    (datetime.date(2026, 5, 10), "5月10日（日）"),
    (datetime.date(2027, 1, 4), "1月4日（月）"),
])
def test_day_label(day, label):
    assert wording.day_label(day) == label


@pytest.mark.parametrize(("slug", "start", "label"), [
    ("abashiri", datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO), "5月7日（木）9：30～10：00"),
    ("mothers-hiroshima", datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO), "5月7日（木）9:30～10:00"),
    # a UTC time from the database is said in Tokyo time, on the Tokyo date
    ("abashiri", datetime.datetime(2026, 5, 6, 23, 30, tzinfo=datetime.timezone.utc), "5月7日（木）8：30～9：00"),
])
def test_slot_label_uses_the_office_typography(slug, start, label):
    assert wording.slot_label(OFFICES[slug], start) == label
    assert label.endswith(wording.slot_times(OFFICES[slug], start))


def test_next_steps_by_details_channel():
    a = wording.next_steps(OFFICES["abashiri"])
    assert "電話でご連絡し" in a[1] and "ミーティングIDとパスコード" in a[1]
    assert a[2] == "キャンセルや変更は電話又はメールでご連絡ください（当日は電話のみ）。"
    h = wording.next_steps(OFFICES["mothers-hiroshima"])
    assert "求職者マイページ" in h[1] and "マザーズハローワーク広島の窓口" in h[1]  # no phone in the seed
    e = wording.next_steps(_with(OFFICES["abashiri"], "booking", details_channel="email"))
    assert "メールでお知らせします" in e[1] and "0152-44-6287" in e[1]
    assert all("10分" in steps[-1] for steps in (a, h, e))


@pytest.mark.parametrize(("typed", "text"), [
    ("やまだ はなこ", "ヤマダ ハナコ"),
    ("ヤマダ", "ヤマダ"),
    ("ゔぁ", "ヴァ"),
    ("山田abc", "山田abc"),
])
def test_katakana(typed, text):
    assert wording.katakana(typed) == text


@pytest.mark.parametrize(("labels", "values"), [
    (wording.CHANNEL_LABELS, typing.get_args(schema.Channel)),
    (wording.COMPANION_LABELS, typing.get_args(schema.Companion)),
    (wording.DETAILS_CHANNEL_LABELS, typing.get_args(schema.Booking.model_fields["details_channel"].annotation)),
    (wording.STATUS_LABELS, {s for pair in staffrules.TRANSITIONS.items() for s in (pair[0][0], pair[1])}
     | {staffrules.CANCELLED, staffrules.NO_SHOW}),
    (wording.ACTION_LABELS, {action for _, action in staffrules.TRANSITIONS} | {"book", "undo", "memo", "meeting"}),
    (wording.REQUEST_CHANNEL_LABELS, {"portal", *staffrules.STAFF_CHANNELS}),
])
def test_every_value_has_a_label(labels, values):
    assert set(labels) == set(values)


@pytest.mark.parametrize(("channels", "same_day", "named"), [
    (["phone", "email", "online"], ["phone"], "電話でご連絡ください"),
    (["phone", "email", "online"], None, "電話又はメールでご連絡ください"),   # online itself left out
    (["online"], None, "電話でご連絡ください"),
])
def test_same_day_cancel_text_names_the_channels_besides_this_page(channels, same_day, named):
    config = _with(OFFICES["abashiri"], "cancellation", channels=channels, same_day_channels=same_day)
    text = wording.same_day_cancel_text(config)
    assert text.startswith("相談日の当日や、キャンセルの締切を過ぎたあとは、この画面からはキャンセルできません。")
    assert text.endswith(named) and "オンライン" not in text


# --- issue #15: the long forms terms use, the office's own channel names, details and retention ---

def test_long_forms_of_days_and_windows():
    from portal.schema import TimeWindow
    windows = [TimeWindow(start="10:00", end="12:00"), TimeWindow(start="13:00", end="15:30")]
    assert wording.windows_long(windows) == "午前10時から正午まで及び午後1時から午後3時30分まで"
    assert wording.windows_long(windows[:1]) == "午前10時から正午まで"
    assert wording.days_long(["mon", "wed", "fri"]) == "月曜日・水曜日・金曜日（祝日及び閉庁日を除く）"
    assert wording.days_long(["mon", "tue", "wed", "thu", "fri"]) == "月曜日から金曜日まで（祝日及び閉庁日を除く）"
    assert wording.long_clock(datetime.time(17, 0)) == "17時"
    assert wording.long_clock(datetime.time(17, 30)) == "17時30分"


@pytest.mark.parametrize("days, text", [(365, "1年"), (730, "2年"), (183, "6か月"), (180, "6か月"), (90, "3か月"),
                                        (45, "45日")])
def test_retention_period_as_terms_state_it(days, text):
    assert wording.period_text(days) == text


def test_channel_names_follow_the_office():
    labels = {"email": "電子メール", "online": "予約申込みページ"}
    assert wording.channels_text(["online", "phone", "email"], "又は", labels) == "予約申込みページ、電話又は電子メール"
    assert wording.channels_text(["email"], "又は") == "メール"


def test_one_wave_dash_in_every_generated_page():
    # Generated text writes ranges with U+FF5E, as the offices' guides and terms do (issue 19).
    from portal.offices import load_site
    from portal.publish.site import site_pages

    assert wording.RANGE == "\uff5e"
    pages = site_pages(load_site(CONTENT), load_offices(CONTENT))
    assert not [name for name, data in pages.items() if "\u301c" in data.decode("utf-8", "replace")]
