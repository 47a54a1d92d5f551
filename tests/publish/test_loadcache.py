"""The cache of loaded offices: a hit is the office loaded afresh, whatever the build day."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest

from portal.errors import ContentErrors
from portal.folders import office_folders
from portal.offices import load_folders
from portal import blobpacks
from portal.blobpacks import BlobPacks
from portal.publish import loadcache, manifest
from portal.publish.build import build
from portal.publish.loadcache import code_key, load_cached

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_versions import add_version  # noqa: E402

# Before the first effective date, on it, between the two, on and after the second.
DAYS = [dt.date(2025, 10, 16), dt.date(2025, 10, 17), dt.date(2027, 3, 31), dt.date(2027, 4, 1), dt.date(2028, 1, 1)]


def inputs(content: Path) -> tuple[list[Path], dict[str, str]]:
    folders = office_folders(content, [])
    return folders, {f.name: manifest.folder_hash(f) for f in folders}


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".madoguchi-site"}


@pytest.fixture
def versioned(content) -> Path:
    add_version(content / "mothers-hiroshima")
    return content


def test_a_cached_office_is_the_office_loaded_afresh_on_every_day(versioned, tmp_path):
    folders, digests = inputs(versioned)
    cache = tmp_path / "cache"
    for day in DAYS:   # each day against a cache filled on the day before it (and on itself)
        assert load_cached(folders, day, digests, cache) == load_folders(folders, day)
        assert load_cached(folders, day, digests, cache) == load_folders(folders, day)
    for day in reversed(DAYS):
        assert load_cached(folders, day, digests, cache) == load_folders(folders, day)


def test_a_warm_cache_loads_nothing(versioned, tmp_path, monkeypatch):
    folders, digests = inputs(versioned)
    cache = tmp_path / "cache"
    fresh = load_cached(folders, DAYS[2], digests, cache)

    def load(*args: object) -> None:
        raise AssertionError("an unchanged office was loaded again")

    monkeypatch.setattr("portal.offices.load_office", load)
    assert load_cached(folders, DAYS[2], digests, cache) == fresh
    with pytest.raises(AssertionError):   # the day a version comes into force: loaded again
        load_cached(folders, DAYS[3], digests, cache)


def test_an_office_with_a_problem_is_never_kept_and_its_error_names_file_and_key(content, tmp_path):
    yaml = content / "abashiri" / "office.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "unknown_setting: 1\n", encoding="utf-8")
    folders, digests = inputs(content)
    cache = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(ContentErrors) as caught:
            load_cached(folders, DAYS[0], digests, cache)
        assert [Path(e.path).name for e in caught.value.errors] == ["office.yaml"]
        assert "abashiri" in str(caught.value.errors[0]) and "unknown_setting" in str(caught.value.errors[0])
    assert kept(cache) == len(folders) - 1   # the sound offices only


def kept(cache: Path) -> int:
    """How many offices the packs of the cache folder hold."""
    with BlobPacks(cache, code_key()[:16]) as store:
        store.meta("")
        return len(store._known)


def test_a_build_process_writes_one_pack_and_unpickles_only_the_offices_it_needs(content, tmp_path, monkeypatch):
    folders, digests = inputs(content)
    cache = tmp_path / "cache"
    load_cached(folders, DAYS[0], digests, cache)
    assert [p.name for p in cache.iterdir()] == [p.name for p in cache.glob("*.pack")]
    assert len(list(cache.iterdir())) == 1 and kept(cache) == len(folders)
    loads = []
    real = pickle.loads
    monkeypatch.setattr(loadcache.pickle, "loads", lambda data: loads.append(len(data)) or real(data))
    assert load_cached(folders[:1], DAYS[0], digests, cache) == load_folders(folders[:1], DAYS[0])
    assert len(loads) == 2 and loads[0] < 1000 < loads[1]   # the pack's index, then the one office
    assert len(list(cache.iterdir())) == 1   # nothing new: nothing written
    reads = []
    real_pread = os.pread
    monkeypatch.setattr(blobpacks.os, "pread", lambda *a: reads.append(a[1]) or real_pread(*a))
    changed = {**digests, folders[0].name: "0" * 64}   # a changed office: not kept, no office's bytes read
    assert load_cached(folders[:1], DAYS[0], changed, cache) == load_folders(folders[:1], DAYS[0])
    assert reads == []
    assert len(list(cache.iterdir())) == 2   # the changed office, in a pack of its own


@pytest.mark.parametrize("damage", ["truncated index", "truncated blobs", "garbage blobs"])
def test_a_damaged_pack_or_entry_is_loaded_again(content, tmp_path, damage):
    folders, digests = inputs(content)
    cache = tmp_path / "cache"
    load_cached(folders, DAYS[0], digests, cache)
    (pack,) = cache.glob("*.pack")
    data = pack.read_bytes()
    if damage == "truncated index":
        pack.write_bytes(data[:100])
    elif damage == "truncated blobs":
        pack.write_bytes(data[:len(data) // 2])
    else:
        pack.write_bytes(data[:len(data) // 2] + b"\0" * (len(data) - len(data) // 2))
    assert load_cached(folders, DAYS[0], digests, cache) == load_folders(folders, DAYS[0])
    assert load_cached(folders, DAYS[0], digests, cache) == load_folders(folders, DAYS[0])


def _load_share(folders: list[Path], digests: dict[str, str], cache: Path, gate) -> None:
    gate.wait()
    load_cached(folders, DAYS[0], digests, cache)


def test_two_processes_write_a_pack_each_and_a_third_loads_nothing(versioned, tmp_path, monkeypatch):
    folders, digests = inputs(versioned)
    cache = tmp_path / "cache"
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(2)
    workers = [context.Process(target=_load_share, args=(folders[i::2], digests, cache, gate)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(list(cache.glob("*.pack"))) == 2 and not list(cache.glob(".*"))
    fresh = load_folders(folders, DAYS[0])
    monkeypatch.setattr("portal.offices.load_office", lambda *a: pytest.fail("an unchanged office was loaded again"))
    assert load_cached(folders, DAYS[0], digests, cache) == fresh


def test_the_folder_stays_a_few_packs_and_the_latest_entry_wins(versioned, tmp_path, monkeypatch):
    folders, digests = inputs(versioned)
    cache = tmp_path / "cache"
    for _ in range(blobpacks.MAX_PACKS + 2):   # each day class in turn: the office kept again each time
        for day in DAYS:
            load_cached(folders, day, digests, cache)
    assert len(list(cache.glob("*.pack"))) <= blobpacks.MAX_PACKS
    assert load_cached(folders, DAYS[-1], digests, cache) == load_folders(folders, DAYS[-1])
    fresh = load_cached(folders, DAYS[1], digests, cache)   # kept again for this day class: the newest pack
    monkeypatch.setattr("portal.offices.load_office", lambda *a: pytest.fail("an unchanged office was loaded again"))
    for _ in range(3):
        assert load_cached(folders, DAYS[1], digests, cache) == fresh


def test_the_shard_folders_of_the_old_layout_are_removed(content, tmp_path):
    folders, digests = inputs(content)
    cache = tmp_path / "cache"
    (cache / "ab").mkdir(parents=True)
    (cache / "ab" / f"{'ab' * 32}.pickle").write_bytes(b"an office kept one file each")
    load_cached(folders, DAYS[0], digests, cache)
    assert not (cache / "ab").exists()
    assert load_cached(folders, DAYS[0], digests, cache) == load_folders(folders, DAYS[0])


def test_the_site_is_the_same_with_an_empty_a_warm_and_no_cache(versioned, tmp_path):
    cache = tmp_path / "content-cache"
    build(versioned, tmp_path / "none", today=DAYS[2], pdf=False, content_cache=None, publish=False)
    build(versioned, tmp_path / "empty", today=DAYS[2], pdf=False, content_cache=cache, publish=False)
    build(versioned, tmp_path / "warm", today=DAYS[2], pdf=False, content_cache=cache, publish=False)
    assert snapshot(tmp_path / "none") == snapshot(tmp_path / "empty") == snapshot(tmp_path / "warm")
    shutil.rmtree(cache)   # always safe
    build(versioned, tmp_path / "again", today=DAYS[2], pdf=False, content_cache=cache, publish=False)
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "none")
