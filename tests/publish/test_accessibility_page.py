"""The accessibility policy page (アクセシビリティ方針) and the footer link to it on every page."""
from __future__ import annotations

import datetime as dt
import posixpath

from bs4 import BeautifulSoup

from portal.offices import load_offices, load_site
from portal.publish.site import site_pages

TODAY = dt.date(2026, 5, 1)


def _pages(content):
    files = site_pages(load_site(content), load_offices(content, None, TODAY))
    return {path: BeautifulSoup(body.decode("utf-8"), "html.parser")
            for path, body in files.items() if path.endswith(".html")}


def test_policy_states_target_method_date_and_contact(content):
    doc = _pages(content)["accessibility/index.html"]
    text = doc.get_text()
    assert doc.h1.get_text() == "アクセシビリティ方針"
    assert "JIS X 8341-3:2016" in text and "適合レベル AA" in text
    assert "axe-core" in text and "Nu Html Checker" in text and "キーボード" in text
    assert "2026年11月22日" in text
    # Contact: every office by name, its phone as a tel: link when it has one.
    for office in load_offices(content, None, TODAY):
        assert office.name in text
        if office.config.office.phone:
            assert doc.find("a", string=office.config.office.phone)["href"].startswith("tel:")


def test_every_page_links_to_the_policy(content):
    for path, doc in _pages(content).items():
        link = doc.select_one("footer a[href$='accessibility/']")
        assert link is not None, path
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link["href"]))
        assert target == "accessibility", path
