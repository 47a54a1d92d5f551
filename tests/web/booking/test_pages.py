"""Page context phrased from office.yaml: slot choices (labels and next steps: tests/test_wording.py)."""
from __future__ import annotations

import datetime

import flask

from portal.offices import load_offices
from werkzeug.datastructures import MultiDict

from portal.web.booking import pages
from portal.web.booking.forms import request_form

from ..conftest import ROOT

OFFICES = {o.slug: o for o in load_offices(ROOT / "content")}
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def test_slot_days_group_the_open_slots_with_a_radio_per_wish():
    office = OFFICES["abashiri"]
    now = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=TOKYO)
    bare = flask.Flask(__name__)
    bare.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    with bare.test_request_context():
        form = request_form(office, now, office.slot_policy(), formdata=MultiDict({"slot2": "2026-05-08T10:00"}))
        days, nones = pages.slot_days(form, office, now, office.slot_policy())
    first = days[0]
    assert first.label == "5月7日（木）" and first.open and first.times[0].key == "2026-05-07T09:30"
    assert first.times[0].times == "9：30～10：00"
    name, radio_id, checked, label = first.times[0].wishes[0]
    assert (name, radio_id, checked, label) == ("slot1", "slot1", False, "第1希望：5月7日（木）9：30～10：00")
    # slot2's chosen radio carries its id and its day is open; slot3 is "none", which carries its id.
    chosen = [t for d in days for t in d.times if t.key == "2026-05-08T10:00"][0]
    assert chosen.wishes[1][1:3] == ("slot2", True)
    assert [d.open for d in days][:2] == [True, True] and not any(d.open for d in days[2:])
    assert [(n.name, n.id, n.checked) for n in nones] == [("slot2", "slot2-none", False), ("slot3", "slot3", True)]
    ids = [w[1] for d in days for t in d.times for w in t.wishes] + [n.id for n in nones]
    assert len(ids) == len(set(ids))