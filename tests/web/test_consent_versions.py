"""The portal asks consent for the terms version in force, switching on the effective date."""
from __future__ import annotations

import datetime
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.offices import load_office
from portal.web import db
from portal.web.models import Consent

from .conftest import Seeker, soup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_versions import add_version  # noqa: E402

UTC = datetime.timezone.utc
BEFORE = datetime.datetime(2027, 3, 31, 14, 59, tzinfo=UTC)   # 23:59 on 31 March in Tokyo
AFTER = datetime.datetime(2027, 3, 31, 15, 0, tzinfo=UTC)     # 00:00 on 1 April in Tokyo


@pytest.fixture
def versioned(tmp_path) -> Path:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    add_version(content / "mothers-hiroshima")
    return content


def first_slot(seeker: Seeker) -> str:
    options = soup(seeker.form_page()).select('input[name="slot1"]')
    return next(o["value"] for o in options if o.get("value"))


def pinned(app) -> list[tuple[str, str, str]]:
    """(hash, label, stored text) of every consent, read straight from the database."""
    with Session(db.engine_of(app)) as session:
        return [(c.terms_sha256, c.revision_label, c.terms.text) for c in session.scalars(select(Consent))]


@pytest.mark.parametrize("now, key", [(BEFORE, "2025-10-17"), (AFTER, "2027-04-01")])
def test_consent_pins_the_version_in_force(make_app, clock, versioned, now, key):
    clock.now = now
    app = make_app(CONTENT_DIR=str(versioned))
    office = load_office(versioned / "mothers-hiroshima")
    version = next(v for v in office.versions if v.key == key)
    seeker = Seeker(app.test_client(), "mothers-hiroshima")
    seeker.pass_eligibility()
    form = soup(seeker.form_page())
    assert form.select_one(f'a[href="/mothers-hiroshima/terms/{key}/"]')
    assert version.label in form.get_text()
    response = seeker.confirm(seeker.check(slot1=first_slot(seeker)))
    assert response.status_code == 302
    assert pinned(app) == [(office.terms_sha256(version), version.label, office.terms_text(version))]


def test_form_shown_before_and_sent_after_the_switch_asks_again(make_app, clock, versioned):
    clock.now = BEFORE
    app = make_app(CONTENT_DIR=str(versioned))
    seeker = Seeker(app.test_client(), "mothers-hiroshima")
    seeker.pass_eligibility()
    answers = seeker.fill(slot1=first_slot(seeker))
    clock.now = AFTER
    page = seeker.client.post(f"{seeker.base}/request", data=answers)
    assert page.status_code == 200
    assert "令和9年4月1日一部改訂" in soup(page).get_text()
    assert pinned(app) == []
