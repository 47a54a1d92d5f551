"""The pack store of the Markdown render cache (portal/packcache.py): few files, damage costs only time."""
from __future__ import annotations

from portal.packcache import MAX_PACKS, PackCache


def test_entries_written_by_one_store_are_read_by_the_next(tmp_path):
    store = PackCache(tmp_path, "k1")
    assert store.get("a") is None
    store.put("a", ("lead", ()))
    assert store.get("a") == ("lead", ())
    store.flush()
    assert PackCache(tmp_path, "k1").get("a") == ("lead", ())
    assert len(list(tmp_path.glob("*.pickle"))) == 1


def test_packs_of_another_prefix_are_deleted_and_damaged_ones_skipped(tmp_path):
    old = PackCache(tmp_path, "old")
    old.get("a")
    old.put("a", 1)
    old.flush()
    (tmp_path / "k1-1-damaged.pickle").write_bytes(b"not a pickle")
    store = PackCache(tmp_path, "k1")
    assert store.get("a") is None
    assert not list(tmp_path.glob("old-*.pickle"))


def test_the_folder_stays_a_few_packs(tmp_path):
    for n in range(MAX_PACKS * 2):
        store = PackCache(tmp_path, "k1")
        store.get(str(n))
        store.put(str(n), n)
        store.flush()
    assert len(list(tmp_path.glob("*.pickle"))) <= MAX_PACKS
    store = PackCache(tmp_path, "k1")
    assert [store.get(str(n)) for n in range(MAX_PACKS * 2)] == list(range(MAX_PACKS * 2))


def test_nothing_new_writes_nothing(tmp_path):
    store = PackCache(tmp_path / "cache", "k1")
    store.get("a")
    store.flush()
    assert not (tmp_path / "cache").exists()


def test_the_shard_folders_of_the_one_file_per_document_layout_are_removed(tmp_path):
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / f"{'ab' * 32}.json").write_text('{"lead": ""}', encoding="utf-8")
    (tmp_path / "notes").mkdir()   # not a shard folder: left alone
    store = PackCache(tmp_path, "k1")
    store.put("a", 1)
    store.flush()
    assert not (tmp_path / "ab").exists() and (tmp_path / "notes").is_dir()
