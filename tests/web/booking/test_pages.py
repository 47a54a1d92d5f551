"""Page context phrased from office.yaml: slot choices (labels and next steps: tests/test_wording.py)."""
from __future__ import annotations

import datetime

from portal.offices import load_offices
from portal.web.booking import pages

from ..conftest import ROOT

OFFICES = {o.slug: o for o in load_offices(ROOT / "content")}
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def test_slot_choices_are_grouped_by_day():
    now = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=TOKYO)
    choices = pages.slot_choices(OFFICES["abashiri"], now, OFFICES["abashiri"].slot_policy())
    assert choices[0] == ("", "選択してください")
    day, options = choices[1]
    assert day == "5月7日（木）" and options[0] == ("2026-05-07T09:30", "5月7日（木）9：30〜10：00")
