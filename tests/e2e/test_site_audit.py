"""Every page of the built static site: no axe-core WCAG 2.1 A/AA violation, valid HTML (vnu).

The seed content has one terms version per office, so a second site is built from a copy of it
with a revision announced ahead: that one also has the 新旧対照表, the notice pages and a
future version, so every page template of the site is checked.
"""
from __future__ import annotations

import datetime
import shutil
import sys
from pathlib import Path

import pytest

from portal.offices import load_offices, load_site
from portal.publish.output import write_site
from portal.publish.site import site_pages

from .conftest import CONTENT, ROOT, vnu

sys.path.insert(0, str(ROOT / "tests"))
from test_versions import add_version  # noqa: E402

pytestmark = pytest.mark.e2e


def html_under(folder: Path) -> list[str]:
    """Every HTML page below folder, as sorted relative paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


def site_html(portal) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    return html_under(portal.site_dir)


@pytest.fixture(scope="module")
def versioned_site(tmp_path_factory) -> Path:
    """The site built on 2027-03-31 from content where Hiroshima announced a 2027-04-01 revision."""
    base = tmp_path_factory.mktemp("versioned")
    content = Path(shutil.copytree(CONTENT, base / "content"))
    add_version(content / "mothers-hiroshima")
    out = base / "site"
    write_site(out, site_pages(load_site(content), load_offices(content, None, datetime.date(2027, 3, 31))))
    return out


def test_site_has_the_pages_we_expect_to_check(portal):
    pages = site_html(portal)
    assert {"index.html", "accessibility/index.html", "abashiri/index.html", "abashiri/terms/index.html",
            "mothers-hiroshima/terms/history/index.html", "mothers-hiroshima/notices/index.html"} <= set(pages)


def test_every_site_page_passes_axe(portal, auditor):
    problems = {}
    for path in site_html(portal):
        url = "/" + path.removesuffix("index.html")
        response = auditor.page.goto(url)
        assert response.status == 200, url
        found = auditor.violations()
        if found:
            problems[url] = found
    assert not problems, "\n".join(f"{url}: {v}" for url, vs in problems.items() for v in vs)


def test_versioned_pages_pass_axe(versioned_site, auditor):
    pages = html_under(versioned_site / "mothers-hiroshima")
    assert {"terms/2027-04-01/compare/index.html", "notices/2027-04-01/index.html"} <= set(pages)
    problems = {}
    for path in pages:
        auditor.page.goto((versioned_site / "mothers-hiroshima" / path).as_uri())
        found = auditor.violations()
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{url}: {v}" for url, vs in problems.items() for v in vs)


def test_every_site_page_is_valid_html(portal, versioned_site):
    files = [portal.site_dir / p for p in site_html(portal)]
    files += [versioned_site / p for p in html_under(versioned_site)]
    canary = versioned_site.parent / "canary.html"  # proves the validator reports what it finds
    canary.write_text(BAD, encoding="utf-8")
    errors = vnu([canary, *files])
    assert errors.pop(str(canary)), "vnu found nothing wrong in a broken page"
    assert not errors, "\n".join(f"{name}: {m}" for name, ms in errors.items() for m in ms)


BAD = ('<!DOCTYPE html><html><head><title>x</title></head><body>'
       '<img src="a.png"><p>open<div>stray</p></body></html>')


def test_axe_catches_known_problems(auditor):
    # A check that can never fail proves nothing: show axe a page with known faults.
    auditor.page.set_content(BAD)
    assert {"image-alt", "html-has-lang"} <= {line.split(" ")[0] for line in auditor.violations()}
