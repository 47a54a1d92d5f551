"""The content snapshot a build publishes for the portal (portal/publish/snapshot.py): written
with the pages, content-addressed, the pointer replaced only when the content changed."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from portal.errors import MadoguchiError
from portal.publish.build import build
from portal.publish.output import existing_files
from portal.publish.snapshot import FOLDER, folders, pointer_path, read_pointer

DAY = dt.date(2026, 11, 24)


def _add_closure(content: Path, slug: str, day: str) -> None:
    """Close the office on day (booking.closures), as an editor would."""
    path = content / slug / "office.yaml"
    text = path.read_text(encoding="utf-8")
    if "  closures: [" in text:
        text = text.replace("  closures: [", f"  closures: [{day}, ", 1)
    else:
        assert "\nbooking:\n" in text
        text = text.replace("\nbooking:\n", f"\nbooking:\n  closures: [{day}]\n", 1)
    path.write_text(text, encoding="utf-8")


def test_a_build_publishes_the_content_it_was_built_from(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    pointer = read_pointer(out)
    slugs = sorted(p.parent.name for p in content.glob("*/office.yaml"))
    assert sorted(pointer.offices) == slugs
    site, offices = folders(out, pointer)
    assert (site / "site.yaml").read_bytes() == (content / "site.yaml").read_bytes()
    for folder in offices:
        for source in (content / folder.name).iterdir():   # terms-lock.json as the build left it, too
            assert (folder / source.name).read_bytes() == source.read_bytes()
    assert not any(rel.startswith(FOLDER) for rel in existing_files(out))   # not a page of the site
    for folder in offices:   # readable by hosts running as another user than the build's
        assert folder.parent.stat().st_mode & 0o755 == 0o755


def test_an_unchanged_build_leaves_the_pointer_alone_and_a_change_replaces_it(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    before = os.stat(pointer_path(out))
    first = read_pointer(out)
    assert build(content, out, today=DAY, pdf=False).stats.written == 0
    build(content, out, today=DAY + dt.timedelta(days=1), pdf=False)   # the daily build: same content
    after = os.stat(pointer_path(out))
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    _add_closure(content, "abashiri", "2026-12-01")
    build(content, out, today=DAY, pdf=False)
    second = read_pointer(out)
    assert second.id != first.id
    assert second.offices["abashiri"] != first.offices["abashiri"]
    assert {s: p for s, p in second.offices.items() if s != "abashiri"} == \
        {s: p for s, p in first.offices.items() if s != "abashiri"}
    assert "2026-12-01" in (out / FOLDER / second.offices["abashiri"] / "office.yaml").read_text(encoding="utf-8")
    # The previous snapshot stays one build longer, then goes.
    assert (out / FOLDER / first.offices["abashiri"]).is_dir()
    _add_closure(content, "abashiri", "2026-12-02")
    build(content, out, today=DAY, pdf=False)
    assert not (out / FOLDER / first.offices["abashiri"]).is_dir()


def test_an_office_not_named_keeps_the_content_its_pages_were_built_from(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    first = read_pointer(out)
    others = [s for s in first.offices if s != "abashiri"]
    _add_closure(content, others[0], "2026-12-01")             # edited, but not built
    _add_closure(content, "abashiri", "2026-12-01")
    build(content, out, only=["abashiri"], today=DAY, pdf=False)
    second = read_pointer(out)
    assert second.offices[others[0]] == first.offices[others[0]]
    assert second.offices["abashiri"] != first.offices["abashiri"]


def test_a_site_built_before_snapshots_gets_one_at_the_next_build(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    shutil.rmtree(out / FOLDER)
    build(content, out, today=DAY, pdf=False)
    assert read_pointer(out) is not None
    folders(out, read_pointer(out))


def test_a_snapshot_not_fully_there_is_refused_naming_the_folder(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    pointer = read_pointer(out)
    office = out / FOLDER / pointer.offices["abashiri"]
    (office / "guide.md").unlink()            # e.g. a copy to another host still under way
    with pytest.raises(MadoguchiError, match=f"{office}: スナップショットのフォルダーがないか、内容が違います"):
        folders(out, pointer)
    pointer_path(out).write_text("{", encoding="utf-8")
    with pytest.raises(MadoguchiError, match="snapshot.json: 読み込めません"):
        read_pointer(out)


def test_the_daily_build_switches_the_terms_page_on_its_effective_date(content, tmp_path, capsys):
    """What the deployment runs just after 00:00 in Tokyo (README, Following the build): the same
    command every day; on a version's effective date it makes that version the current page."""
    import sys

    from portal.publish.cli import main

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_versions import add_version

    add_version(content / "mothers-hiroshima")
    out = tmp_path / "site"
    current = out / "mothers-hiroshima" / "terms" / "index.html"
    args = ["--content", str(content), "--out", str(out), "--no-pdf", "--quiet"]
    assert main([*args, "--today", "2027-03-31"]) == 0
    assert "利用料は無料とします。" in current.read_text(encoding="utf-8")
    pointer = os.stat(pointer_path(out))
    assert main([*args, "--today", "2027-04-01"]) == 0
    assert "利用料は当面無料とします。" in current.read_text(encoding="utf-8")
    # The content did not change: the portal has nothing to reload (it picks the version by its clock).
    assert os.stat(pointer_path(out)).st_mtime_ns == pointer.st_mtime_ns
    assert main([*args, "--today", "2027-04-01"]) == 0     # run twice the same day: nothing to do
    assert "利用料は当面無料とします。" in current.read_text(encoding="utf-8")
