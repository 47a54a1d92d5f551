"""The printable PDFs, checked with the real tools: poppler (pdfinfo, pdffonts, pdftotext,
pdftoppm), zbarimg and the shared fidelity checker. The real content is built once per module."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from portal.errors import BuildError, ContentErrors
from portal.publish.build import BuildReport, build
from portal.offices import load_offices
from portal.publish.context import booking_url
from portal.publish.pdf import (BACK_SIZES, FRONT_SIZES, _layout, _printable, _stylesheet, check_glyphs, office_jobs,
                                render_leaflet)
from portal.publish.site import TEMPLATES, environment
from portal.schema import SiteConfig
from tests.content_offices import SEEDS, office_slugs
from tests.fidelity import SEED_OF, SHARED_CHECKER, check, second_opinion

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SLUGS = office_slugs()   # every office in content/: adding one keeps these green
LOCAL = "http://127.0.0.1:8000"   # content/site.yaml sets no public_url


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, BuildReport]:
    """The real content built with PDFs into a fresh folder, with an empty cache of its own."""
    base = tmp_path_factory.mktemp("pdf")
    out, cache = base / "site", base / "cache"
    report = build(CONTENT, out, pdf_cache=cache, publish=False)   # never writes into content/
    return out, cache, report


@pytest.fixture
def site(built) -> Path:
    return built[0]


def tool(*args: object) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, timeout=60).stdout


def info(pdf: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in tool("pdfinfo", pdf).splitlines() if ":" in line)


def catalog_lang(pdf: Path) -> str | None:
    """/Lang of the catalog, which WeasyPrint writes inside a compressed object stream."""
    data = pdf.read_bytes()
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            text = zlib.decompressobj().decompress(data[match.end():match.end() + 500_000])
        except zlib.error:
            continue
        found = re.search(rb"/Type /Catalog.*?/Lang \(([^)]*)\)", text, re.S)
        if found:
            return found.group(1).decode()
    return None


def test_every_office_gets_both_pdfs_and_the_report_counts_them(built):
    site, _, report = built
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf")) == [
        f"{slug}/{name}" for slug in SLUGS for name in ("leaflet.pdf", "terms.pdf")]
    assert (report.pdfs_rendered, report.pdfs_cached) == (2 * len(SLUGS), 0)
    assert sum("public_url" in w for w in report.warnings) == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_leaflet_is_one_a4_sheet_printed_on_both_sides(site, slug):
    meta = info(site / slug / "leaflet.pdf")
    assert meta["Pages"].strip() == "2"
    assert "595.276 x 841.89 pts (A4)" in meta["Page size"]


def test_back_page_uses_the_largest_size_that_fits(built):
    # Measured for the issue: Hiroshima's terms fit at 7pt and overflow at 7.5pt.
    sizes = built[2].back_sizes
    assert sizes["mothers-hiroshima"] == 7.0
    assert 7.0 <= sizes["abashiri"] <= 12.0 and sizes["abashiri"] * 2 == int(sizes["abashiri"] * 2)
    # The search may rule a size out by its probe: laid out for real, the next size up overflows.
    jobs = office_jobs(SiteConfig(), load_offices(CONTENT), environment(TEMPLATES), TEMPLATES)
    for job in jobs:
        i = BACK_SIZES.index(sizes[job.slug])
        stylesheet = _stylesheet(job.css, job.chars)
        assert len(_layout(job.back_at(i), stylesheet).pages) == 1
        if i + 1 < len(BACK_SIZES):
            assert len(_layout(job.back_at(i + 1), stylesheet).pages) == 2, job.slug


@pytest.mark.parametrize("pdf", [f"{s}/{n}" for s in SLUGS for n in ("leaflet.pdf", "terms.pdf")])
def test_fonts_embedded_subset_tagged_titled_japanese(site, pdf):
    path = site / pdf
    rows = tool("pdffonts", path).splitlines()[2:]
    assert rows, "no fonts"
    for row in rows:
        assert "Noto-Sans-CJK-JP" in row, row
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row
    meta = info(path)
    assert meta["Tagged"].strip() == "yes"
    assert meta["Title"].count("ハローワーク") == 1   # the office named once, whether the title holds it or not
    assert catalog_lang(path) == "ja"
    assert 'pdfuaid:part="1"' in tool("pdfinfo", "-meta", path)


def test_pdfs_carry_a_font_subset_of_their_own_characters_only(site):
    # The whole font's glyph ids took about 400 KiB a PDF (see portal/publish/fontsubset.py).
    for pdf in site.rglob("*.pdf"):
        assert pdf.stat().st_size < 200 * 1024, pdf
        assert "Noto-Sans-CJK-JP-Subset" in tool("pdffonts", pdf)


def test_font_subset_holds_characters_written_as_references():
    # The sanitizer writes U+00A0 as &nbsp;; markup and CSS page numbers are ASCII, always kept.
    chars = _printable("<p>窓口&nbsp;案内 &#x2460;</p>")
    assert {"\u00a0", "①", "窓", "/", "9"} <= set(chars) and "&" in chars


@pytest.mark.parametrize("slug", SLUGS)
def test_qr_code_opens_the_booking_page(site, slug, tmp_path):
    tool("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", site / slug / "leaflet.pdf", tmp_path / "front")
    decoded = tool("zbarimg", "--raw", "-q", *sorted(tmp_path.glob("front*.png"))).strip()
    assert decoded == f"{LOCAL}/{slug}/booking/"
    assert f"{LOCAL}/{slug}/booking/" in re.sub(r"\s+", "", tool("pdftotext", "-f", "1", "-l", "1",
                                                                 site / slug / "leaflet.pdf", "-"))


def test_a_title_wider_than_the_band_wraps_beside_the_qr_code(third_office, content, tmp_path):
    # The third office's title names the office (「ハローワーク三日月 オンライン職業相談のご案内」):
    # too wide for one line beside the code, it must wrap instead of pushing the code off the page.
    slug = third_office.name
    build(content, tmp_path / "site", [slug], pdf_cache=None, publish=False)
    leaflet = tmp_path / "site" / slug / "leaflet.pdf"
    tool("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", leaflet, tmp_path / "front")
    decoded = subprocess.run(["zbarimg", "--raw", "-q", *sorted(tmp_path.glob("front*.png"))],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    assert decoded == f"{LOCAL}/{slug}/booking/"


def test_booking_url_comes_from_site_configuration():
    site = SiteConfig(public_url="https://madoguchi.example.jp/")
    assert booking_url(site, "abashiri") == "https://madoguchi.example.jp/abashiri/booking/"
    assert booking_url(SiteConfig(), "abashiri") == f"{LOCAL}/abashiri/booking/"


SEED_IN_PDF = [("abashiri", "leaflet.pdf"), ("mothers-hiroshima", "leaflet.pdf"), ("mothers-hiroshima", "terms.pdf")]


@pytest.mark.parametrize("slug, pdf", SEED_IN_PDF)
def test_every_sentence_of_the_seed_is_in_the_pdf(site, slug, pdf):
    result = check(SEED_OF[slug], site / slug / pdf)
    assert result.complete, result.report()


@pytest.mark.skipif(not SHARED_CHECKER.exists(), reason="no ../shared beside the repository")
@pytest.mark.parametrize("slug, pdf", SEED_IN_PDF)
def test_the_shared_checker_agrees_on_the_pdf(site, slug, pdf):
    result = second_opinion(SEED_OF[slug], site / slug / pdf)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("slug", SLUGS)
def test_terms_pdf_numbers_its_pages_n_of_n(site, slug):
    pages = tool("pdftotext", "-layout", site / slug / "terms.pdf", "-").split("\f")[:-1]
    assert len(pages) >= (2 if slug in SEEDS else 1)   # the seeds' terms run over pages; short ones print 1 / 1
    for number, page in enumerate(pages, 1):
        last = [line for line in page.splitlines() if line.strip()][-1]
        assert re.sub(r"\s", "", last) == f"{number}/{len(pages)}"   # printed as 「n / N」


def test_unchanged_offices_are_not_rendered_again(built, tmp_path):
    site, cache, _ = built
    again = build(CONTENT, tmp_path / "site", pdf_cache=cache, publish=False)
    assert (again.pdfs_rendered, again.pdfs_cached) == (0, 2 * len(SLUGS))
    for pdf in site.rglob("*.pdf"):
        assert (tmp_path / "site" / pdf.relative_to(site)).read_bytes() == pdf.read_bytes()


def test_one_process_gives_the_same_bytes_as_two(built, tmp_path):
    site = built[0]
    report = build(CONTENT, tmp_path / "site", pdf_cache=None, processes=1, publish=False)
    assert report.pdfs_rendered == 2 * len(SLUGS) and report.back_sizes == built[2].back_sizes
    for pdf in site.rglob("*.pdf"):
        assert (tmp_path / "site" / pdf.relative_to(site)).read_bytes() == pdf.read_bytes(), pdf


def test_a_changed_office_is_rendered_again_alone(built, content, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(built[1], cache)
    guide = content / "abashiri/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("ご了承ください。", "ご了承ください（改）。", 1),
                     encoding="utf-8")
    report = build(content, tmp_path / "site", pdf_cache=cache)
    assert (report.pdfs_rendered, report.pdfs_cached) == (2, 2 * (len(SLUGS) - 1))
    assert "ご了承ください（改）" in tool("pdftotext", tmp_path / "site/abashiri/leaflet.pdf", "-")
    assert len(list(cache.glob("abashiri.*.leaflet.pdf"))) == 1   # the stale entry was replaced


def test_character_outside_the_font_fails_the_build_naming_it(content, tmp_path):
    guide = content / "abashiri/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nお守り\U0001F9FF\n", encoding="utf-8")
    guide = content / "mothers-hiroshima/guide.md"
    guide.write_text("\ue000" + guide.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(content, tmp_path / "site", pdf_cache=None)
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 2, messages
    assert "abashiri/guide.md" in messages[0] and "U+1F9FF" in messages[0] and "\U0001F9FF" in messages[0]
    assert "mothers-hiroshima/guide.md: 1行目" in messages[1] and "U+E000" in messages[1]
    assert not (tmp_path / "site").exists()


def test_variation_selectors_and_line_breaks_are_not_missing_glyphs(content):
    guide = content / "abashiri/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n葛\U000E0100飾区\t\r\n", encoding="utf-8")
    check_glyphs(load_offices(content))


def test_character_from_office_yaml_names_office_yaml(content, tmp_path):
    yaml_path = content / "abashiri/office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("tool: Zoom", "tool: Zoom\u0e01", 1),
                         encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(content, tmp_path / "site", pdf_cache=None)
    assert all("abashiri/office.yaml" in str(e) and "U+0E01" in str(e) for e in caught.value.errors)


def test_terms_too_long_for_the_back_page_fail_naming_the_office(content, tmp_path):
    (content / "mothers-hiroshima/terms-lock.json").unlink(missing_ok=True)  # an unpublished draft
    terms = content / "mothers-hiroshima/terms.md"
    text = terms.read_text(encoding="utf-8")
    terms.write_text(text + "\n" + "追記の文です。" * 400 + "\n", encoding="utf-8")
    with pytest.raises(BuildError, match="mothers-hiroshima（マザーズハローワーク広島）: 利用規約.*7pt"):
        build(content, tmp_path / "site", ["mothers-hiroshima"], pdf_cache=None)


def _lengthen_guide(content: Path, items: int) -> None:
    guide = content / "mothers-hiroshima/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n## 追記\n\n"
                     + "".join(f"- 追記の項目{i}です。\n" for i in range(items)), encoding="utf-8")


@pytest.mark.parametrize("items", [1, 7, 14])
def test_a_longer_guide_gets_the_largest_front_size_that_fits(content, items):
    _lengthen_guide(content, items)
    hiroshima = [o for o in load_offices(content) if o.slug == "mothers-hiroshima"]
    job, = office_jobs(SiteConfig(), hiroshima, environment(TEMPLATES), TEMPLATES)
    _, (_, size) = render_leaflet(job)
    i = FRONT_SIZES.index(size)
    assert 0 < i, "these guides overflow the design size"
    stylesheet = _stylesheet(job.css, job.chars)
    assert len(_layout(job.front_at(i), stylesheet).pages) == 1
    assert len(_layout(job.front_at(i - 1), stylesheet).pages) == 2


def test_a_long_guide_sets_the_front_page_smaller_and_says_so_on_every_build(content, tmp_path):
    _lengthen_guide(content, 4)
    cache = tmp_path / "cache"
    for rendered in (2, 0):
        report = build(content, tmp_path / "site", ["mothers-hiroshima"], pdf_cache=cache)
        assert report.pdfs_rendered == rendered
        shrunk = [w for w in report.warnings if "表面の文字" in w]
        assert len(shrunk) == 1 and "mothers-hiroshima（マザーズハローワーク広島）" in shrunk[0], report.warnings
        assert re.search(r"9\.8ptから[78]\.\dptに縮めました", shrunk[0]), shrunk[0]
    leaflet = tmp_path / "site/mothers-hiroshima/leaflet.pdf"
    assert info(leaflet)["Pages"].strip() == "2"
    assert "追記の項目3です。" in tool("pdftotext", "-f", "1", "-l", "1", leaflet, "-")


def test_a_guide_too_long_even_at_7pt_fails_naming_guide_md(content, tmp_path):
    _lengthen_guide(content, 40)
    with pytest.raises(BuildError, match="mothers-hiroshima（マザーズハローワーク広島）: 案内.*7ptでも.*guide.md"):
        build(content, tmp_path / "site", ["mothers-hiroshima"], pdf_cache=None)
    assert not (tmp_path / "site").exists()


def test_an_announced_version_too_long_for_the_back_page_fails_while_it_can_change(content, tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_versions import add_version

    folder = content / "mothers-hiroshima"
    add_version(folder, "利用料は無料とします。", "利用料は無料とします。" + "追記の文です。" * 60)
    with pytest.raises(BuildError, match="mothers-hiroshima（マザーズハローワーク広島）の施行予定の版"
                                         "（令和9年4月1日一部改訂）: 利用規約がリーフレットの裏面.*7pt"):
        build(content, tmp_path / "site", ["mothers-hiroshima"], pdf_cache=None, today=dt.date(2027, 3, 31))
    assert '"2027-04-01"' not in (folder / "terms-lock.json").read_text(encoding="utf-8")   # not yet published
    build(content, tmp_path / "site", ["mothers-hiroshima"], pdf=False, today=dt.date(2027, 3, 31))   # site alone


def test_no_pdf_build_never_loads_weasyprint(tmp_path):
    code = ("import sys; from pathlib import Path; from portal.publish.build import build; "
            f"r = build(Path({str(CONTENT)!r}), Path({str(tmp_path / 'site')!r}), pdf=False, publish=False); "
            "assert r.pdfs_rendered == r.pdfs_cached == 0; "
            "bad = [m for m in ('weasyprint', 'segno', 'fontTools') if m in sys.modules]; assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not list((tmp_path / "site").rglob("*.pdf"))


def test_cli_reports_rendered_and_cached(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path / "site"), "--preview"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    line = re.search(r"^PDFs: \d+ rendered, \d+ cached \(leaflet back page: (.+)\)$", result.stdout, re.M)
    assert line, result.stdout
    sizes = dict(part.rsplit(" ", 1) for part in line.group(1).split(", "))
    assert list(sizes) == list(SLUGS) and all(re.fullmatch(r"[\d.]+pt", s) for s in sizes.values())
    assert sizes["mothers-hiroshima"] == "7pt"     # the seed's terms need the smallest size
