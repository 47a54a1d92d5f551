"""The portal follows the build (portal/web/follow.py): a snapshot published by build.py replaces
the whole content state at the next check, in one swap, and a request keeps the state it began with."""
from __future__ import annotations

import datetime as dt
import logging
import shutil

import pytest

from portal.publish.build import build
from portal.publish.snapshot import FOLDER, pointer_path, read_pointer
from portal.web.follow import follower_of
from portal.web.state import portal_state, state_of

from .conftest import Seeker, soup

BUILD_DAY = dt.date(2026, 5, 1)        # the tests' clock: Friday 1 May 2026, 10:00 in Tokyo
FIRST = "2026-05-07T09:30"             # abashiri's first slot then


def _close(content, slug: str, day: str) -> None:
    path = content / slug / "office.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nbooking:\n" in text and "closures" not in text
    path.write_text(text.replace("\nbooking:\n", f"\nbooking:\n  closures: [{day}]\n", 1), encoding="utf-8")


def _offered(seeker: Seeker) -> set[str]:
    """The slots offered, once a snapshot this request noticed has loaded (in the background)."""
    seeker.form_page()
    follower_of(seeker.client.application).settle()
    radios = soup(seeker.form_page()).find_all("input", {"type": "radio", "name": "slot1"})
    return {i["value"] for i in radios if i["value"]}


@pytest.fixture
def published(content, tmp_path):
    site = tmp_path / "published"
    build(content, site, today=BUILD_DAY, pdf=False)
    return site


def test_a_closure_built_reaches_the_running_portal_without_a_restart(make_app, content, published):
    app = make_app(CONTENT_DIR=str(content), SITE_DIR=str(published), CONTENT_CHECK_SECONDS=0)
    first = state_of(app).snapshot
    assert first == read_pointer(published).id
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    assert FIRST in _offered(seeker)
    _close(content, "abashiri", "2026-05-07")
    assert FIRST in _offered(seeker)           # edited but not built: the site and the portal still agree
    build(content, published, today=BUILD_DAY, pdf=False)
    assert not any(k.startswith("2026-05-07") for k in _offered(seeker))
    assert state_of(app).snapshot == read_pointer(published).id != first
    assert "閉庁日" in soup(seeker.check(slot1=FIRST)).select_one(".error-summary").get_text()
    for private in ("/.madoguchi/snapshot.json", f"/.madoguchi/{read_pointer(published).offices['abashiri']}"):
        assert app.test_client().get(private).status_code == 404     # the snapshot is not a page


def test_the_check_is_at_most_every_interval(make_app, content, published):
    app = make_app(CONTENT_DIR=str(content), SITE_DIR=str(published), CONTENT_CHECK_SECONDS=3600)
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    _close(content, "abashiri", "2026-05-07")
    build(content, published, today=BUILD_DAY, pdf=False)
    assert FIRST in _offered(seeker)           # not looked at again within the hour


def test_a_snapshot_not_there_yet_keeps_the_current_state(make_app, content, published, caplog):
    app = make_app(CONTENT_DIR=str(content), SITE_DIR=str(published), CONTENT_CHECK_SECONDS=0)
    before = state_of(app)
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    _close(content, "abashiri", "2026-05-07")
    build(content, published, today=BUILD_DAY, pdf=False)
    pack = published / FOLDER / read_pointer(published).offices["abashiri"]
    hidden = pack.with_name("hidden")
    shutil.move(pack, hidden)                  # as if the pointer arrived before its pack
    with caplog.at_level(logging.WARNING, logger="portal.web.follow"):
        assert FIRST in _offered(seeker) and FIRST in _offered(seeker)
        pack.write_bytes(hidden.read_bytes()[:1000])   # then the pack, half copied
        pointer_path(published).touch()
        assert FIRST in _offered(seeker) and FIRST in _offered(seeker)
    assert state_of(app) is before
    logged = [r.getMessage() for r in caplog.records]
    assert logged.count(f"content snapshot not taken (the current one stays): {pack}: "
                        "スナップショットのファイルがないか、内容が違います") == 2   # once per pointer seen
    assert len(logged) == 2
    shutil.move(hidden, pack)
    pointer_path(published).touch()            # the copy completes: the next check takes it
    assert FIRST not in _offered(seeker)


def test_a_site_built_before_packs_asks_for_a_rebuild(make_app, content, published):
    import json

    from portal.errors import MadoguchiError

    pointer_path(published).write_text(json.dumps({"version": 1, "id": "x", "site": None, "offices": {}}),
                                       encoding="utf-8")
    with pytest.raises(MadoguchiError, match="ビルドし直してください"):
        make_app(CONTENT_DIR=str(content), SITE_DIR=str(published), CONTENT_CHECK_SECONDS=0)


def test_without_a_published_site_the_content_folder_is_read_and_a_first_build_is_followed(make_app, content, tmp_path):
    site = tmp_path / "later"
    app = make_app(CONTENT_DIR=str(content), SITE_DIR=str(site), CONTENT_CHECK_SECONDS=0)
    assert state_of(app).snapshot == ""
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    _close(content, "abashiri", "2026-05-07")
    build(content, site, today=BUILD_DAY, pdf=False)
    assert FIRST not in _offered(seeker)


def test_a_request_keeps_the_state_it_began_with(app):
    import dataclasses

    holder = app.extensions["madoguchi"]
    with app.test_request_context("/"):
        pinned = portal_state()
        holder.current = dataclasses.replace(pinned, snapshot="new")
        assert portal_state() is pinned
    with app.test_request_context("/"):
        assert portal_state().snapshot == "new"
