"""Page context phrased from office.yaml: what happens next, slot labels and choices."""
from __future__ import annotations

import datetime

from portal.offices import load_offices
from portal.web.booking import pages

from ..conftest import ROOT

OFFICES = {o.slug: o for o in load_offices(ROOT / "content")}
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def _with(office, **booking):
    config = office.config.model_copy(update={"booking": office.config.booking.model_copy(update=booking)})
    return type(office)(**{**office.__dict__, "config": config})


def test_next_steps_by_details_channel():
    a = pages.next_steps(OFFICES["abashiri"])
    assert "電話でご連絡し" in a[1] and "ミーティングIDとパスコード" in a[1]
    assert a[2] == "キャンセルや変更は電話又はメールでご連絡ください（当日は電話のみ）。"
    h = pages.next_steps(OFFICES["mothers-hiroshima"])
    assert "求職者マイページ" in h[1] and "マザーズハローワーク広島の窓口" in h[1]  # no phone in the seed
    e = pages.next_steps(_with(OFFICES["abashiri"], details_channel="email"))
    assert "メールでお知らせします" in e[1] and "0152-44-6287" in e[1]
    assert all("10分" in steps[-1] for steps in (a, h, e))


def test_slot_label_uses_the_office_typography():
    start = datetime.datetime(2026, 5, 7, 9, 30, tzinfo=TOKYO)
    assert pages.slot_label(OFFICES["abashiri"], start) == "5月7日（木）9：30〜10：00"
    assert pages.slot_label(OFFICES["mothers-hiroshima"], start) == "5月7日（木）9:30〜10:00"


def test_slot_choices_are_grouped_by_day():
    now = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=TOKYO)
    choices = pages.slot_choices(OFFICES["abashiri"], now, OFFICES["abashiri"].slot_policy())
    assert choices[0] == ("", "選択してください")
    day, options = choices[1]
    assert day == "5月7日（木）" and options[0] == ("2026-05-07T09:30", "5月7日（木）9：30〜10：00")
