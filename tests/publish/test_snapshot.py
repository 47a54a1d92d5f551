"""The content snapshot a build publishes for the portal (portal/publish/snapshot.py): written
with the pages, one content-addressed pack per office, the pointer replaced only when the content
changed, read in memory and refused when a pack is not what its name says."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from portal.errors import MadoguchiError
from portal.offices import load_folders, load_offices
from portal.publish.build import build
from portal.publish.manifest import files_hash, folder_files
from portal.publish.output import existing_files
from portal.publish.snapshot import FOLDER, open_snapshot, pointer_path, read_pointer

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
    site, offices = open_snapshot(out, pointer)
    assert (site / "site.yaml").read_bytes() == (content / "site.yaml").read_bytes()
    for files in offices:   # every file, terms-lock.json as the build left it too
        assert files.files == dict(folder_files(content / files.slug))
        with zipfile.ZipFile(files.folder) as pack:   # a plain zip: `unzip -l` lists it
            assert pack.namelist() == [name for name, _ in folder_files(content / files.slug)]
            assert {i.compress_type for i in pack.infolist()} == {zipfile.ZIP_STORED}
    # One file per office, no folder per office.
    assert sorted(p.name for p in (out / FOLDER / "offices").iterdir()) == \
        sorted(f"{s}-{files_hash(folder_files(content / s))}.zip" for s in slugs)
    assert not any(rel.startswith(FOLDER) for rel in existing_files(out))   # not a page of the site
    for files in offices:   # readable by hosts running as another user than the build's
        assert files.folder.stat().st_mode & 0o644 == 0o644
    # The portal loads the offices from the packs as from the folders, nothing extracted.
    fresh = {o.slug: o for o in load_offices(content, today=DAY)}
    for office in load_folders(offices, DAY):
        assert office.folder == out / FOLDER / pointer.offices[office.slug]
        same = fresh[office.slug]
        assert (office.config, office.terms_text(), office.guide.markdown, office.guide.rendered) == \
            (same.config, same.terms_text(), same.guide.markdown, same.guide.rendered)
        assert [w.replace(str(office.folder), "") for w in office.warnings] == \
            [w.replace(str(same.folder), "") for w in same.warnings]   # each names its own file
        assert [v.source_sha256 for v in office.versions] == [v.source_sha256 for v in same.versions]
    assert sorted(p.name for p in (out / FOLDER).iterdir()) == ["offices", "site", "snapshot.json"]


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
    with zipfile.ZipFile(out / FOLDER / second.offices["abashiri"]) as pack:
        assert "2026-12-01" in pack.read("office.yaml").decode("utf-8")
    # The previous snapshot stays one build longer, then goes.
    assert (out / FOLDER / first.offices["abashiri"]).is_file()
    _add_closure(content, "abashiri", "2026-12-02")
    build(content, out, today=DAY, pdf=False)
    assert not (out / FOLDER / first.offices["abashiri"]).exists()
    assert len(list((out / FOLDER / "offices").iterdir())) == len(first.offices) + 1   # the previous one


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
    open_snapshot(out, read_pointer(out))


@pytest.mark.parametrize("damage", ["missing", "truncated", "other files"])
def test_a_pack_not_fully_there_or_not_what_its_name_says_is_refused_naming_it(content, tmp_path, damage):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False)
    pointer = read_pointer(out)
    pack = out / FOLDER / pointer.offices["abashiri"]
    data = pack.read_bytes()
    if damage == "missing":                   # e.g. the pointer copied to another host before the packs
        pack.unlink()
    elif damage == "truncated":               # a copy still under way
        pack.write_bytes(data[:len(data) // 2])
    else:                                     # another office's pack under this name
        shutil.copy(out / FOLDER / pointer.offices["mothers-hiroshima"], pack)
    with pytest.raises(MadoguchiError, match=f"{pack}: スナップショットのファイルがないか、内容が違います"):
        open_snapshot(out, pointer)
    pack.write_bytes(data)
    open_snapshot(out, pointer)               # the copy completes: taken
    pointer_path(out).write_text("{", encoding="utf-8")
    with pytest.raises(MadoguchiError, match="snapshot.json: 読み込めません"):
        read_pointer(out)


def test_the_folders_of_a_build_before_packs_are_removed_and_their_pointer_asks_for_a_rebuild(content, tmp_path):
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False, publish=False)
    old = out / FOLDER / "offices" / ("a" * 64) / "abashiri"   # what version 1 wrote
    old.mkdir(parents=True)
    shutil.copy(content / "abashiri" / "office.yaml", old)
    pointer_path(out).write_text(json.dumps({"version": 1, "id": "x", "site": None,
                                             "offices": {"abashiri": f"offices/{'a' * 64}/abashiri"}}), encoding="utf-8")
    with pytest.raises(MadoguchiError, match="以前のビルドの形式（1）です。.*ビルドし直してください"):
        read_pointer(out)
    assert build(content, out, today=DAY, pdf=False).stats.written == 0   # the pages stay; the snapshot is redone
    assert not (out / FOLDER / "offices" / ("a" * 64)).exists()
    assert all(p.is_file() for p in (out / FOLDER / "offices").iterdir())
    open_snapshot(out, read_pointer(out))


@pytest.mark.slow
def test_a_cold_national_build_adds_one_file_per_office_and_two_cache_packs(tmp_path):
    """544 synthetic offices (bench/synth.py), empty caches, two build processes: beside the pages
    the snapshot adds one pack per office (no folder per office), the content cache two packs."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from synth import generate

    content = generate(tmp_path / "content", 544)
    out = tmp_path / "site"
    build(content, out, today=DAY, pdf=False, markdown_cache=tmp_path / "mc", content_cache=tmp_path / "cc")
    store = out / FOLDER
    files = [p for p in store.rglob("*") if p.is_file()]
    folders_made = [p for p in store.rglob("*") if p.is_dir()]
    assert len(files) == 544 + 2                    # the packs, site.yaml, the pointer
    assert len(folders_made) == 3                   # offices/, site/, site/<sha256>/
    assert len(list((tmp_path / "cc").iterdir())) == 2


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
