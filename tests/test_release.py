"""Draft vs release (portal/release.py): a build missing a fact for release is a visible draft;
a release build refuses, one line per missing fact; --no-pdf keeps the published leaflets."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portal.offices import load_office, load_site
from portal.publish.build import build
from portal.release import draft_banner, office_missing, site_missing

from .conftest import ROOT, THIRD_OFFICE

DAY = dt.date(2026, 5, 1)
PUBLIC = "public_url: https://madoguchi.example.jp\n"


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def run_build(content: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                           "--no-pdf", "--preview", "--today", DAY.isoformat(), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def stamped(text: str) -> bool:
    """The 見本 stamp on a page: set large and rotated, pdftotext gives its characters on lines of their own."""
    return {"見", "本"} <= {line.strip() for line in text.splitlines()}


def test_missing_facts_of_the_seed_offices(content):
    site = load_site(content)
    assert [e.key for e in site_missing(site, content / "site.yaml")] == ["public_url"]
    # 網走 cancels by e-mail without an address; 広島 takes phone and counter requests without either fact.
    assert [e.key for e in office_missing(load_office(content / "abashiri"))] == ["office.email"]
    assert [e.key for e in office_missing(load_office(content / "mothers-hiroshima"))] == ["office.phone", "office.address"]
    assert draft_banner([]) is None


def test_a_default_build_is_a_visible_draft(content, tmp_path):
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0   # a fresh clone still builds
    banner = page(out / "abashiri/index.html").select_one(".draft-banner").get_text()
    assert banner.startswith("見本") and "public_url" in banner and "office.email" in banner
    assert "public_url" in page(out / "index.html").select_one(".draft-banner").get_text()
    assert page(out / "mothers-hiroshima/terms/index.html").select_one(".draft-banner") is not None


@pytest.mark.parametrize("how", ["flag", "site.yaml"])
def test_a_release_build_refuses_one_line_per_missing_fact(content, tmp_path, how):
    if how == "site.yaml":
        (content / "site.yaml").write_text("release: true\n", encoding="utf-8")
    result = run_build(content, tmp_path / "site", *(["--release"] if how == "flag" else []))
    assert result.returncode == 1 and not (tmp_path / "site").exists()
    lines = result.stderr.strip().splitlines()
    found = [(line.split(": ")[1].split("content/", 1)[1], line.split(": ")[2]) for line in lines]
    assert found == [("site.yaml", "public_url"), ("abashiri/office.yaml", "office.email"),
                     ("mothers-hiroshima/office.yaml", "office.phone"),
                     ("mothers-hiroshima/office.yaml", "office.address")], lines
    assert all(line.startswith("error: ") for line in lines)


def test_release_with_every_fact_given_has_no_banner(third_office, content, tmp_path):
    (content / "site.yaml").write_text(PUBLIC, encoding="utf-8")
    out = tmp_path / "site"
    result = run_build(content, out, "--release", "--office", THIRD_OFFICE)
    assert result.returncode == 0, result.stderr
    guide = page(out / THIRD_OFFICE / "index.html")
    assert guide.select_one(".draft-banner") is None
    # The guide's title already names the office: the page title does not repeat it.
    assert guide.title.get_text() == "ハローワーク三日月 オンライン職業相談のご案内"


@pytest.mark.pdf
def test_leaflets_of_a_draft_are_stamped_and_no_pdf_keeps_them(third_office, content, tmp_path):
    out, cache = tmp_path / "site", tmp_path / "pdf-cache"
    build(content, out, [THIRD_OFFICE], today=DAY, pdf_cache=cache, publish=False)
    leaflet = out / THIRD_OFFICE / "leaflet.pdf"
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), leaflet, "-"], capture_output=True, text=True,
                            check=True).stdout for n in (1, 2)]
    assert all(stamped(text) for text in pages)   # no public_url: a draft, both pages stamped
    assert "127.0.0.1:8000" in pages[0]
    # The guide title holds the office name: the PDF title and the masthead name it once.
    info = subprocess.run(["pdfinfo", leaflet], capture_output=True, text=True, check=True).stdout
    title = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Title:"))
    assert title == "ハローワーク三日月 オンライン職業相談のご案内"
    assert pages[0].count("ハローワーク三日月") == 1
    before = leaflet.read_bytes()
    build(content, out, [THIRD_OFFICE], today=DAY, pdf=False, publish=False)
    assert leaflet.read_bytes() == before and (out / THIRD_OFFICE / "terms.pdf").exists()
    assert page(out / THIRD_OFFICE / "index.html").select_one('a[href="leaflet.pdf"]') is not None
    (content / "site.yaml").write_text(PUBLIC, encoding="utf-8")
    build(content, out, [THIRD_OFFICE], today=DAY, pdf_cache=cache, publish=False, release=True)
    text = subprocess.run(["pdftotext", leaflet, "-"], capture_output=True, text=True, check=True).stdout
    assert not stamped(text) and "madoguchi.example.jp/mikazuki/booking/" in text
