"""The cache of loaded offices: a hit is the office loaded afresh, whatever the build day."""
from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

from portal.errors import ContentErrors
from portal.folders import office_folders
from portal.offices import load_folders
from portal.publish import manifest
from portal.publish.build import build
from portal.publish.loadcache import load_cached

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
    assert len(list(cache.glob("*/*.pickle"))) == len(folders) - 1   # the sound offices only


def test_a_damaged_entry_is_loaded_again(content, tmp_path):
    folders, digests = inputs(content)
    cache = tmp_path / "cache"
    load_cached(folders, DAYS[0], digests, cache)
    for entry in cache.glob("*/*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])
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
