"""Terms versions on the site: current by build day, notices ahead of time, 新旧対照表, Atom."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_versions import add_version  # noqa: E402


def build(content: Path, out: Path, today: str) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                             "--no-pdf", "--today", today], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


def page(out: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def versioned(content) -> Path:
    add_version(content / "mothers-hiroshima")
    return content


def test_before_the_effective_date_the_old_text_is_current_and_the_new_is_announced(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")
    current = page(out, "mothers-hiroshima/terms/index.html")
    assert "利用料は無料とします。" in current.get_text()
    notice_link = current.select_one('.version-box a[href="../notices/2027-04-01/"]')
    assert notice_link is not None
    upcoming = page(out, "mothers-hiroshima/terms/2027-04-01/index.html")
    assert "利用料は当面無料とします。" in upcoming.get_text()
    assert "令和9年4月1日から適用されます" in upcoming.select_one(".version-box").get_text()
    notice = page(out, "mothers-hiroshima/notices/2027-04-01/index.html")
    assert notice.select_one('time[datetime="2027-04-01"]').get_text() == "令和9年4月1日"
    assert "第3条の表現を改めます。" in notice.get_text()


def test_on_the_effective_date_the_new_text_is_current(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-04-01")
    current = page(out, "mothers-hiroshima/terms/index.html")
    assert "利用料は当面無料とします。" in current.get_text()
    old = page(out, "mothers-hiroshima/terms/2025-10-17/index.html")
    assert "現在の利用規約ではありません" in old.select_one(".version-box").get_text()


def test_compare_page_marks_exactly_the_changed_passage(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")
    table = page(out, "mothers-hiroshima/terms/2027-04-01/compare/index.html")
    assert [t.get_text() for t in table.select("caption")] == ["第3条（利用料）"]
    assert [i.get_text() for i in table.find_all("ins")] == ["当面"]
    assert table.find_all("del") == []
    assert "下線" in table.select_one(".legend").get_text()  # not colour alone: underline and words


def test_history_lists_every_revision_with_links_where_text_exists(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")
    rows = page(out, "mothers-hiroshima/terms/history/index.html").select("table.history tbody tr")
    assert [r.find("time")["datetime"] for r in rows] == ["2027-04-01", "2025-10-17", "2022-09-15"]
    assert "本文の掲載はありません" in rows[2].get_text()  # the 2022 text is not on file
    assert "第3条の表現を改めます。" in rows[0].select_one(".summary").get_text()   # the revision's summary
    assert rows[1].select_one(".summary") is None
    assert rows[0].select_one('a[href="../../terms/2027-04-01/compare/"]')


def test_feed_is_valid_atom(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")
    parsed = feedparser.parse((out / "mothers-hiroshima/notices/feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.id == "tag:madoguchi,2024:mothers-hiroshima/terms/2027-04-01"
    assert entry.updated.startswith("2027-03-01")
    empty = feedparser.parse((out / "abashiri/notices/feed.xml").read_bytes())
    assert not empty.bozo and empty.entries == []


def test_feed_links_resolve_from_the_feeds_own_address(versioned, tmp_path):
    import xml.etree.ElementTree as ET
    from urllib.parse import urljoin, urlparse

    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")
    feed_url = "http://127.0.0.1:8000/mothers-hiroshima/notices/feed.xml"
    targets: dict[str, list[str]] = {"self": [], "alternate": []}
    for link in ET.parse(out / "mothers-hiroshima/notices/feed.xml").getroot().iter("{http://www.w3.org/2005/Atom}link"):
        targets[link.get("rel")].append(urlparse(urljoin(feed_url, link.get("href"))).path)
    assert targets["self"] == ["/mothers-hiroshima/notices/feed.xml"]
    assert targets["alternate"][0] == "/mothers-hiroshima/notices/"
    assert targets["alternate"][1:] == ["/mothers-hiroshima/notices/2027-04-01/"]
    for path in [*targets["self"], *targets["alternate"]]:
        target = out / path.lstrip("/")
        assert (target / "index.html" if path.endswith("/") else target).is_file(), path


def test_build_records_new_versions_in_the_lock(versioned, tmp_path):
    build(versioned, tmp_path / "site", "2027-03-31")
    lock = (versioned / "mothers-hiroshima/terms-lock.json").read_text(encoding="utf-8")
    assert '"2027-04-01"' in lock


def test_editing_a_published_version_fails_the_build(versioned, tmp_path):
    build(versioned, tmp_path / "site", "2027-03-31")
    new = versioned / "mothers-hiroshima/terms-2027-04-01.md"
    new.write_text(new.read_text(encoding="utf-8").replace("当面無料", "当面無償"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(versioned), "--out",
                             str(tmp_path / "site"), "--no-pdf"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "terms-2027-04-01.md" in result.stderr and "新しい施行日の版" in result.stderr


# --- issue #15 point 4: a notice announced ahead is dated the day it went out, never in the future ---

def notice_date(out: Path, slug: str, key: str) -> str:
    item = page(out, f"{slug}/notices/index.html").select_one(f'.notice-list li:has(a[href="{key}/"]) time')
    return item["datetime"]


def feed_updated(out: Path, slug: str) -> str:
    return feedparser.parse((out / f"{slug}/notices/feed.xml").read_bytes()).feed.updated


def test_a_notice_without_announced_is_dated_the_day_a_build_first_published_it(third_office, content, tmp_path):
    slug = third_office.name
    out = tmp_path / "site"
    build(content, out, "2026-05-01")    # the revision of 2026-06-01 is published a month ahead
    assert notice_date(out, slug, "2026-06-01") == "2026-05-01"
    assert feed_updated(out, slug).startswith("2026-05-01")   # not 2026-06-01: never in the future
    assert '"2026-06-01": "2026-05-01"' in (content / slug / "terms-lock.json").read_text(encoding="utf-8")
    build(content, out, "2026-05-20")    # later builds keep the day it went out
    assert notice_date(out, slug, "2026-06-01") == "2026-05-01"


def test_the_feed_is_never_updated_in_the_future(versioned, tmp_path):
    out = tmp_path / "site"
    build(versioned, out, "2027-03-31")   # announced 2027-03-01, effective 2027-04-01
    assert feed_updated(out, "mothers-hiroshima").startswith("2027-03-01")
