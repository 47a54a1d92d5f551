"""Every link of the built site leads somewhere: each relative href names a file the build
wrote, and each #fragment an id on that page. Built the way build.py builds (build(), not a
page renderer), so a page every footer links to cannot go missing from the output again."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from portal.publish.build import build
from tests.content_offices import office_slugs


def _links(out: Path):
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in doc.find_all(["a", "link"], href=True):
            yield rel, tag["href"]


PORTAL = re.compile(r"^[a-z0-9-]+/booking/")   # served by the portal, not written by the build


def _target(out: Path, page: str, href: str) -> tuple[Path, str] | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None  # outside the static site (tel:, mailto:, other sites)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path))) if parts.path else page
    if PORTAL.match(path + "/"):
        return None
    if parts.path.endswith("/") or parts.path in (".", "./") or not href:
        path = posixpath.join(path, "index.html") if path != page else path
    return out / path, parts.fragment


@pytest.mark.parametrize("pdf", [False, pytest.param(True, marks=pytest.mark.pdf)])
def test_every_relative_link_and_fragment_resolves(content, tmp_path, pdf):
    out = tmp_path / "site"
    build(content, out, today=dt.date(2026, 11, 24), pdf=pdf)
    broken, ids = [], {}
    checked = 0
    for page, href in _links(out):
        found = _target(out, page, href)
        if found is None:
            continue
        target, fragment = found
        checked += 1
        if not target.is_file():
            broken.append(f"{page} → {href}")
            continue
        if fragment and target.suffix == ".html":
            if target not in ids:
                doc = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                ids[target] = {t["id"] for t in doc.find_all(id=True)}
            if fragment not in ids[target]:
                broken.append(f"{page} → {href} (no id)")
    assert checked > 100
    assert not [page for page, href in _links(out) if not href], "an empty href reloads the page"
    pdf_links = {(page, href) for page, href in _links(out) if href.endswith(".pdf")}
    expected = {(f"{slug}/index.html", "leaflet.pdf") for slug in office_slugs(content)} | \
        {(f"{slug}/terms/index.html", "../terms.pdf") for slug in office_slugs(content)}
    assert pdf_links == (expected if pdf else set())
    assert broken == [], "\n".join(broken)
