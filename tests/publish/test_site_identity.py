"""Who runs the site (issue 19): the operator from site.yaml in every page's header, the office's
address and phone in its pages' footer, a favicon, the guide linking to the office's notices, and
the feed link in plain words; a wrong operator key is one line naming the file and the key."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from portal.offices import load_offices, load_site
from portal.publish.site import site_pages

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = "operator:\n  name: テスト労働局\n  url: https://example.jp/roudoukyoku/\n"


def pages_with(tmp_path: Path, site_yaml: str) -> dict[str, BeautifulSoup]:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    (content / "site.yaml").write_text(site_yaml, encoding="utf-8")
    files = site_pages(load_site(content), load_offices(content))
    return {name: (BeautifulSoup(data, "html.parser") if name.endswith(".html") else data)
            for name, data in files.items()}


def test_operator_in_every_header_and_office_facts_in_its_footer(tmp_path):
    pages = pages_with(tmp_path, "title: オンライン職業相談のご案内\n" + OPERATOR)
    html = {name: page for name, page in pages.items() if name.endswith(".html")}
    for name, page in html.items():
        operator = page.select_one(".site-header .site-operator a")
        assert operator and operator.get_text() == "テスト労働局", name
        assert operator["href"] == "https://example.jp/roudoukyoku/"
        icon = page.select_one('link[rel="icon"]')
        assert icon and icon["href"].endswith("assets/favicon.svg"), name
    footer = html["abashiri/index.html"].select_one(".footer-office").get_text()
    assert footer == "ハローワーク網走\u3000電話 0152-44-6287"   # no address in office.yaml: none shown
    assert html["abashiri/terms/index.html"].select_one(".footer-office")
    # An office without phone and address: its name only, never an empty "電話".
    assert html["mothers-hiroshima/index.html"].select_one(".footer-office").get_text() == "マザーズハローワーク広島"
    assert html["index.html"].select_one(".footer-office") is None
    assert pages["assets/favicon.svg"].startswith(b"<svg")


def test_guide_links_to_notices_and_the_feed_link_says_what_it_is(tmp_path):
    pages = pages_with(tmp_path, "title: オンライン職業相談のご案内\n")
    assert pages["abashiri/index.html"].select_one('.next a[href="notices/"]')
    feed = pages["abashiri/notices/index.html"].select_one('a[href="feed.xml"]').get_text()
    assert "お知らせの更新" in feed and "受け取る" in feed
    assert pages["index.html"].select_one(".site-operator") is None    # no operator set: no line


def test_a_wrong_operator_is_one_line_naming_file_and_key(tmp_path):
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    (content / "site.yaml").write_text("operator:\n  url: ftp://example.jp/\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out",
                             str(tmp_path / "out"), "--no-pdf", "-q"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if "operator" in l]
    assert any("site.yaml" in l and "operator.name" in l for l in lines), result.stderr
    assert any("site.yaml" in l and "operator.url" in l for l in lines), result.stderr
    assert "Traceback" not in result.stderr
