"""The static site build, end to end through build.py as editors run it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import SATURDAY_OFFICE
from tests.content_offices import office_slugs
from tests.fidelity import SEED_OF, SHARED_CHECKER, check, second_opinion

ROOT = Path(__file__).resolve().parents[2]


def run_build(*args: str) -> subprocess.CompletedProcess:
    if "--content" not in args:   # the repository's content/: a preview, never writing terms-lock.json there
        args = (*args, "--preview")
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = run_build("--out", out, *NO_PDF)
    assert result.returncode == 0, result.stderr
    return out


NO_PDF: tuple[str, ...] = ("--no-pdf",)  # PDFs have their own tests


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("office", sorted(SEED_OF))
def test_every_sentence_of_the_seed_is_on_the_site(site, office):
    # The guide and the terms in force, not an archived version, must hold the whole source.
    result = check(SEED_OF[office], site / office / "index.html", site / office / "terms/index.html")
    assert result.complete, result.report()


@pytest.mark.skipif(not SHARED_CHECKER.exists(), reason="no ../shared beside the repository")
@pytest.mark.parametrize("office", sorted(SEED_OF))
def test_the_shared_checker_agrees(site, office):
    result = second_opinion(SEED_OF[office], site / office)
    assert result.returncode == 0, result.stdout


def test_pages_written(site):
    names = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert {"index.html", "abashiri/index.html", "abashiri/terms/index.html", "mothers-hiroshima/index.html",
            "mothers-hiroshima/terms/index.html", "mothers-hiroshima/terms/2025-10-17/index.html",
            "mothers-hiroshima/terms/history/index.html", "mothers-hiroshima/notices/index.html"} <= names
    index = soup(site / "index.html")
    assert [a["href"] for a in index.select(".office-list h2 a")] == [f"{slug}/" for slug in office_slugs()]


@pytest.mark.parametrize("page", ["index.html", "abashiri/index.html", "abashiri/terms/index.html",
                                  "mothers-hiroshima/index.html", "mothers-hiroshima/terms/index.html"])
def test_pages_are_semantic_small_and_script_free(site, page):
    path = site / page
    doc = soup(path)
    assert doc.html["lang"] == "ja"
    assert len(doc.find_all("h1")) == 1
    levels = [int(h.name[1]) for h in doc.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert not doc.find_all("script") and "@font-face" not in (site / "assets/site.css").read_text()
    assert doc.find("meta", attrs={"name": "viewport"})
    assert path.stat().st_size < 40_000


def test_terms_articles_are_sections_with_stable_ids(site):
    doc = soup(site / "mothers-hiroshima/terms/index.html")
    sections = doc.select("main section[id^=article-]")
    assert [s["id"] for s in sections] == [f"article-{n}" for n in range(1, 15)]
    assert sections[5].get_text().count("(1)") >= 1  # item numbers are text, not CSS counters
    assert doc.select_one('nav.toc a[href="#article-6"]').get_text() == "第6条(利用申込み等)"


def test_revision_line_in_era_and_western_dates(site):
    doc = soup(site / "mothers-hiroshima/terms/index.html")
    line = doc.select_one(".revisions")
    assert line.get_text() == "令和4年9月15日制定／令和7年10月17日一部改訂"
    assert [t["datetime"] for t in line.find_all("time")] == ["2022-09-15", "2025-10-17"]
    assert "2025年10月17日" in doc.select_one(".western").get_text()
    assert doc.select_one(".issuer").get_text() == "広島公共職業安定所長"
    assert soup(site / "abashiri/terms/index.html").select_one(".revisions") is None


def test_office_open_on_saturdays_says_its_open_days(saturday_office, tmp_path):
    out = tmp_path / "site"
    result = run_build("--content", saturday_office.parent, "--out", out, "--office", SATURDAY_OFFICE, *NO_PDF)
    assert result.returncode == 0, result.stderr
    contact = soup(out / SATURDAY_OFFICE / "index.html").select_one(".contact").get_text()
    assert "火・木・土曜日10:00～16:00" in contact
    assert "相談日の3開庁日前（開庁日は月曜日から土曜日まで）17:00まで" in contact
    terms = soup(out / SATURDAY_OFFICE / "terms/index.html").get_text()
    assert "相談3開庁日前までに予約を確定した方が利用できます。「開庁日」とは、月曜日から土曜日まで" \
           "（祝日・休日、12月29日から1月3日まで及び臨時の休業日を除く）の日をいいます。" in terms


def test_guide_shows_facts_from_office_yaml(site):
    guide = soup(site / "abashiri/index.html")
    assert guide.select_one('a[href="tel:0152446287"]')
    contact = guide.select_one(".contact").get_text()
    assert "平日9：30～12：00、13：30～16：00" in contact
    # the office's own way of writing times and alternatives, as in its terms
    assert "相談日の前日（閉庁日を除く）17：00まで" in contact and "電話又はメールでご連絡ください" in contact
    hiroshima = soup(site / "mothers-hiroshima/index.html")
    assert not hiroshima.select('a[href^="tel:"]')  # no phone number in the seed: none invented


def test_changing_a_window_changes_terms_and_guide(content, tmp_path):
    yaml_path = content / "abashiri/office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace('end: "12:00"', 'end: "11:00"'),
                         encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("--content", content, "--out", out, *NO_PDF)
    assert result.returncode == 0, result.stderr
    article4 = soup(out / "abashiri/terms/index.html").select_one("#article-4").get_text()
    assert "③ 希望日時（平日9：30～11：00、13：30～16：00の間の30分間）" in article4
    assert "9：30～12：00" not in article4
    assert "平日9：30～11：00" in soup(out / "abashiri/index.html").get_text()


def test_same_input_gives_identical_bytes(tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert run_build("--out", out, *NO_PDF).returncode == 0
    files = lambda d: {p.relative_to(d): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}  # noqa: E731
    assert files(outs[0]) == files(outs[1])


def test_nothing_changed_rewrites_nothing(tmp_path):
    out = tmp_path / "site"
    run_build("--out", out, *NO_PDF)
    result = run_build("--out", out, *NO_PDF)
    assert "(0 written," in result.stdout


def test_office_option_rebuilds_one_office_and_leaves_the_others(tmp_path):
    out = tmp_path / "site"
    assert run_build("--out", out, *NO_PDF).returncode == 0
    before = (out / "mothers-hiroshima/index.html").read_bytes()
    result = run_build("--out", out, "--office", "abashiri", "--no-incremental", *NO_PDF)
    assert result.returncode == 0 and "built 1 office(s) (abashiri;" in result.stdout
    assert (out / "abashiri/index.html").exists()
    assert (out / "mothers-hiroshima/index.html").read_bytes() == before
    assert "mothers-hiroshima/" in (out / "index.html").read_text(encoding="utf-8")


def test_office_option_into_a_new_folder_builds_that_office_alone(tmp_path):
    out = tmp_path / "site"
    assert run_build("--out", out, "--office", "abashiri", *NO_PDF).returncode == 0
    assert (out / "abashiri/index.html").exists() and not (out / "mothers-hiroshima").exists()


@pytest.mark.parametrize("old, new, expected", [
    ('end: "12:00"', 'end: "25:00"', "office.yaml: hours.windows[0].end: 「25:00」はありえない時刻です"),
    ("minutes: 30", "minutes: no", "office.yaml: session.minutes（"),
    ("service: オンライン職業相談", "service: オンライン職業相談\nextra: 1", "office.yaml: extra: 未知の項目"),
])
def test_content_error_is_one_line_exit_1_and_no_traceback(content, tmp_path, old, new, expected):
    yaml_path = content / "abashiri/office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = run_build("--content", content, "--out", tmp_path / "site", *NO_PDF)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    assert "abashiri/office.yaml" in errors[0]


def test_a_removed_or_renamed_office_folder_warns_that_its_address_is_gone(content, tmp_path):
    from portal.publish.build import build
    build(content, tmp_path / "site", pdf=False)
    (content / "abashiri").rename(content / "abashiri-2")
    report = build(content, tmp_path / "site", pdf=False)
    gone = [w for w in report.warnings if "がなくなったため" in w]
    assert len(gone) == 1 and "site/abashiri:" in gone[0] and "QR コード" in gone[0]
    assert not (tmp_path / "site/abashiri").exists() and (tmp_path / "site/abashiri-2/index.html").is_file()


def test_failed_build_leaves_previous_site_untouched(content, tmp_path):
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out, *NO_PDF).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / "mothers-hiroshima/terms.md").write_text("{{ undefined.thing }}\n", encoding="utf-8")
    (content / "abashiri/guide.md").write_text("新しい本文\n", encoding="utf-8")
    result = run_build("--content", content, "--out", out, *NO_PDF)
    assert result.returncode == 1 and "undefined.thing" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_refuses_to_overwrite_a_folder_it_did_not_build(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run_build("--out", out, *NO_PDF)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (out / "notes.txt").read_text() == "keep me"


def test_pasted_script_is_not_published(content, tmp_path):
    guide = content / "abashiri/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n<script>alert('x')</script>\n", encoding="utf-8")
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out, *NO_PDF).returncode == 0
    page = soup(out / "abashiri/index.html")
    assert not page.find_all("script")
    assert "<script>alert('x')</script>" in page.get_text()


def test_static_build_never_imports_flask_or_the_database():
    code = ("import sys, portal.publish.build, portal.publish.cli; "
            "bad = [m for m in ('flask', 'sqlalchemy', 'weasyprint') if m in sys.modules]; "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
