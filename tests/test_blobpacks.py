"""The pack store of the content cache (portal/blobpacks.py): few files, entries read only when
asked for, the latest written wins, damage costs only time."""
from __future__ import annotations

import os

from portal import blobpacks
from portal.blobpacks import MAX_PACKS, BlobPacks


def _write(folder, prefix, entries):
    with BlobPacks(folder, prefix) as store:
        store.meta("")
        for key, (meta, data) in entries.items():
            store.put(key, meta, data)
        store.flush()


def test_entries_written_by_one_store_are_read_by_the_next_and_only_the_blobs_asked_for(tmp_path, monkeypatch):
    _write(tmp_path, "k1", {"a": ((1, "x"), b"A" * 1000), "b": (None, b"B")})
    assert [p.suffix for p in tmp_path.iterdir()] == [".pack"]
    reads = []
    real = os.pread
    monkeypatch.setattr(blobpacks.os, "pread", lambda *a: reads.append(a[1]) or real(*a))
    with BlobPacks(tmp_path, "k1") as store:
        assert store.meta("a") == (1, "x") and store.meta("b") is None and store.meta("c") is None
        assert reads == []
        assert store.blob("b") == b"B" and store.blob("c") is None
        assert reads == [1]


def test_packs_of_another_prefix_are_deleted_and_damaged_ones_skipped(tmp_path):
    _write(tmp_path, "old", {"a": (1, b"old")})
    (tmp_path / "k1-1-damaged.pack").write_bytes(blobpacks.MAGIC + b"\xff" * 20)
    _write(tmp_path, "k1", {"b": (2, b"bb")})
    pack = next(tmp_path.glob("k1-0*.pack"))
    pack.write_bytes(pack.read_bytes()[:-1])                  # its blob cut short
    with BlobPacks(tmp_path, "k1") as store:
        assert store.meta("a") is None and not list(tmp_path.glob("old-*"))
        assert store.meta("b") == 2 and store.blob("b") is None


def test_the_folder_stays_a_few_packs_and_the_latest_entry_wins(tmp_path):
    for n in range(MAX_PACKS * 2):
        _write(tmp_path, "k1", {str(n): (n, str(n).encode()), "same": (n, b"%d" % n)})
    assert len(list(tmp_path.glob("*.pack"))) <= MAX_PACKS
    with BlobPacks(tmp_path, "k1") as store:
        assert [store.blob(str(n)) for n in range(MAX_PACKS * 2)] == [str(n).encode() for n in range(MAX_PACKS * 2)]
        assert store.meta("same") == MAX_PACKS * 2 - 1


def test_nothing_new_writes_nothing(tmp_path):
    with BlobPacks(tmp_path / "cache", "k1") as store:
        store.meta("a")
        store.flush()
    assert not (tmp_path / "cache").exists()
