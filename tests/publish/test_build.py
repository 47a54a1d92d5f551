"""Incremental builds: unchanged offices are reused, changed ones rebuilt, output stays identical."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from tests.content_offices import office_slugs
from portal.publish.build import build
from portal.publish.site import TEMPLATES

DAY = dt.date(2026, 11, 24)


def snapshot(out: Path) -> dict[str, bytes]:
    # The content snapshot keeps the previous build's folders one build longer (tests/publish/test_snapshot.py).
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith(".madoguchi/")}


def test_second_build_reuses_every_office(content, tmp_path):
    out = tmp_path / "site"
    first = build(content, out, today=DAY, pdf=False)
    assert first.reused == ()
    second = build(content, out, today=DAY, pdf=False)
    assert second.reused == office_slugs(content)
    assert second.stats.written == 0 and second.files == first.files


def test_the_lock_file_the_build_writes_does_not_count_as_a_change(content, tmp_path):
    for lock in content.glob("*/terms-lock.json"):
        lock.unlink()
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    assert (content / "abashiri/terms-lock.json").exists()
    assert build(content, out, today=DAY, pdf=False).reused == office_slugs(content)


def test_a_lock_checked_out_with_crlf_line_endings_is_not_a_change(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    lock = content / "abashiri/terms-lock.json"
    lock.write_bytes(lock.read_bytes().replace(b"\n", b"\r\n"))   # git on Windows, autocrlf
    assert "abashiri" not in build(content, out, today=DAY, pdf=False).reused   # its folder's bytes changed
    assert build(content, out, today=DAY, pdf=False).reused == office_slugs(content)
    assert b"\r\n" in lock.read_bytes()   # not rewritten: it already says what the build would write


def test_nothing_changed_loads_nothing_and_writes_nothing(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    before = snapshot(out)
    code = ("import sys, datetime; from pathlib import Path; from portal.publish.build import build; "
            "r = build(Path(sys.argv[1]), Path(sys.argv[2]), today=datetime.date(2026, 11, 24), pdf=False); "
            "print(r.stats.written, r.reused, sorted(m for m in ('portal.schema', 'portal.markup', 'jinja2', "
            "'pydantic') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(content), str(out)], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == f"0 {office_slugs(content)!r} []"
    assert snapshot(out) == before


def test_stray_or_missing_site_file_is_noticed_when_nothing_else_changed(content, tmp_path):
    out = tmp_path / "site"
    first = build(content, out, today=DAY, pdf=False)
    (out / "stray.html").write_text("x", encoding="utf-8")
    (out / "index.html").unlink()
    report = build(content, out, today=DAY, pdf=False)
    assert report.stats.removed == 1 and report.stats.written == 1
    assert not (out / "stray.html").exists() and (out / "index.html").exists()
    assert report.files == first.files


def test_warnings_are_repeated_by_a_build_with_nothing_to_do(content, tmp_path):
    out = tmp_path / "site"
    first = build(content, out, today=DAY, pdf=False)
    assert first.warnings and build(content, out, today=DAY, pdf=False).warnings == first.warnings


def test_office_option_keeps_the_other_offices_until_their_folder_goes(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    report = build(content, out, ["abashiri"], today=DAY, pdf=False, incremental=False)
    assert report.offices == ("abashiri",) and (out / "mothers-hiroshima/index.html").exists()
    shutil.rmtree(content / "mothers-hiroshima")
    build(content, out, ["abashiri"], today=DAY, pdf=False)
    assert not (out / "mothers-hiroshima").exists()
    assert "mothers-hiroshima/" not in (out / "index.html").read_text(encoding="utf-8")


def test_office_kept_from_an_older_build_is_rebuilt_by_the_next_full_build(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    build(content, out, ["abashiri"], today=DAY + dt.timedelta(days=1), pdf=False)
    report = build(content, out, today=DAY + dt.timedelta(days=1), pdf=False)
    assert report.reused == ("abashiri",)


def test_changed_office_alone_is_rebuilt_and_output_matches_a_clean_build(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    guide = content / "abashiri/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n追記した一文です。\n", encoding="utf-8")
    report = build(content, out, today=DAY, pdf=False)
    assert report.reused == tuple(s for s in office_slugs(content) if s != "abashiri")
    assert "追記した一文です。" in (out / "abashiri/index.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build(content, clean, today=DAY, pdf=False, incremental=False)
    assert {k: v for k, v in snapshot(out).items() if k != ".madoguchi-site"} == \
        {k: v for k, v in snapshot(clean).items() if k != ".madoguchi-site"}


def test_template_change_or_other_day_rebuilds_everything(content, tmp_path):
    out = tmp_path / "site"
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    build(content, out, templates=templates, today=DAY, pdf=False)
    assert build(content, out, templates=templates, today=DAY + dt.timedelta(days=1), pdf=False).reused == ()
    base = templates / "site/_base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("本文へ移動", "本文へ"), encoding="utf-8")
    report = build(content, out, templates=templates, today=DAY + dt.timedelta(days=1), pdf=False)
    assert report.reused == ()
    assert "本文へ</a>" in (out / "abashiri/index.html").read_text(encoding="utf-8")


def test_missing_output_file_is_rebuilt(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    (out / "abashiri/terms/index.html").unlink()
    report = build(content, out, today=DAY, pdf=False)
    assert report.reused == tuple(s for s in office_slugs(content) if s != "abashiri")
    assert (out / "abashiri/terms/index.html").exists()


def test_removed_office_disappears(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    shutil.rmtree(content / "abashiri")
    build(content, out, today=DAY, pdf=False)
    assert not (out / "abashiri").exists()
    assert "ハローワーク網走" not in (out / "index.html").read_text(encoding="utf-8")


def test_parallel_build_matches_serial_and_gathers_every_error(content, tmp_path, monkeypatch):
    from portal.errors import ContentErrors
    from portal.publish import build as build_module

    serial = tmp_path / "serial"
    build(content, serial, today=DAY, pdf=False, processes=1)
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    parallel = tmp_path / "parallel"
    build(content, parallel, today=DAY, pdf=False, processes=2)
    assert snapshot(serial) == snapshot(parallel)
    for slug in ("abashiri", "mothers-hiroshima"):  # one error in each worker's share
        path = content / slug / "office.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("minutes: 10", "minutes: 0"), encoding="utf-8")
    try:
        build(content, tmp_path / "broken", today=DAY, pdf=False, processes=2)
    except ContentErrors as exc:
        assert {e.path.split("/")[-2] for e in exc.errors} == {"abashiri", "mothers-hiroshima"}
    else:
        raise AssertionError("the build should have failed")
    assert not (tmp_path / "broken").exists()


def test_a_full_rebuild_and_the_next_day_parse_no_unchanged_markdown(content, tmp_path, monkeypatch):
    cache = tmp_path / "markdown-cache"
    first = build(content, tmp_path / "site", today=DAY, pdf=False, markdown_cache=cache)
    pages = snapshot(tmp_path / "site")
    assert list(cache.glob("*.pickle"))   # two guides, two or more terms versions: parsed no more below

    def parse(*args: object) -> None:
        raise AssertionError("an unchanged document was parsed again")

    monkeypatch.setattr("portal.housemarkdown.render_parts", parse)
    again = build(content, tmp_path / "site", today=DAY, pdf=False, incremental=False, markdown_cache=cache)
    assert again.stats.written == 0 and again.files == first.files
    assert build(content, tmp_path / "site", today=DAY + dt.timedelta(days=1), pdf=False,
                 markdown_cache=cache).reused == ()
    monkeypatch.undo()
    shutil.rmtree(cache)   # always safe: the next build parses again and writes the same pages
    build(content, tmp_path / "fresh", today=DAY, pdf=False, markdown_cache=cache)
    assert snapshot(tmp_path / "fresh") == pages
