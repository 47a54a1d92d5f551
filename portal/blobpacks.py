"""Many byte entries kept in a few pack files, each entry read only when asked for: the content cache's store.

Like packcache.py (the Markdown cache's store), each process writes what it made as one pack at
the end (temporary name, then rename), packs are named by a prefix (the code's key; packs of
another prefix are deleted when seen), and past MAX_PACKS a process writes everything it knows
as one pack and deletes the packs it read. Unlike it, an entry is a small record (`meta`, any
picklable value) and a blob of bytes; a pack starts with the index of its entries (key → meta,
where the blob lies), so looking a key up reads the indexes only, and a blob is read from its pack
when asked for. A rebuild of one changed office finds it is not kept without reading the other
offices' bytes.

A pack file: MAGIC, the index's length (8 bytes, little-endian), the pickled index
{key: (meta, offset, length)}, then the blobs (offsets counted from the end of the index). Packs
are read oldest first (a pack's name starts with the time it was written), so an entry written
again later wins. A damaged or vanished pack or blob only costs time: its entries are made again.
Deleting the folder is always safe. Only the build writes here.
"""
from __future__ import annotations

import os
import pickle
import secrets
import time
from pathlib import Path

MAX_PACKS = 8
MAGIC = b"madoguchi-blobpack 1\n"
_SIZE = len(MAGIC) + 8
_DAMAGED = (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError, OverflowError,
            pickle.UnpicklingError)


class BlobPacks:
    """The entries of one folder under one prefix; new ones written by flush(); close() when done."""

    def __init__(self, folder: Path, prefix: str):
        self.folder, self.prefix = folder, prefix
        self._known: dict[str, tuple[object, str, int, int]] | None = None   # key → meta, pack, start, length
        self._read: list[str] = []            # the packs whose index was read
        self._files: dict[str, int] = {}      # pack → open descriptor, for reading blobs
        self._new: dict[str, tuple[object, bytes]] = {}

    def __enter__(self) -> BlobPacks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load(self) -> dict[str, tuple[object, str, int, int]]:
        known: dict[str, tuple[object, str, int, int]] = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            names = []
        for name in names:
            if not name.endswith(".pack"):
                continue
            path = os.path.join(self.folder, name)
            if not name.startswith(f"{self.prefix}-"):
                Path(path).unlink(missing_ok=True)   # another code's: never read again
                continue
            try:
                with open(path, "rb") as handle:
                    head = handle.read(_SIZE)
                    if len(head) != _SIZE or head[:len(MAGIC)] != MAGIC:
                        continue
                    size = int.from_bytes(head[len(MAGIC):], "little")
                    index = pickle.loads(handle.read(size))  # noqa: S301 - written by this build only
                start = _SIZE + size
                known.update({key: (meta, path, start + offset, length) for key, (meta, offset, length) in index.items()})
            except _DAMAGED:
                continue   # damaged or gone meanwhile: its entries are made again
            self._read.append(path)
        return known

    def _kept(self, key: str) -> tuple[object, str, int, int] | None:
        """Key's entry in the packs (meta, pack, start, length), the indexes read on first use."""
        if self._known is None:
            self._known = self._load()
        return self._known.get(key)

    def meta(self, key: str) -> object | None:
        """The record kept with key's blob, or None when the key is not kept."""
        if key in self._new:
            return self._new[key][0]
        found = self._kept(key)
        return found[0] if found else None

    def blob(self, key: str) -> bytes | None:
        """The bytes kept under key; None when not kept, or when its pack is damaged or gone."""
        if key in self._new:
            return self._new[key][1]
        found = self._kept(key)
        if found is None:
            return None
        _, path, start, length = found
        try:
            if path not in self._files:
                self._files[path] = os.open(path, os.O_RDONLY)
            data = os.pread(self._files[path], length, start)
        except OSError:
            return None
        return data if len(data) == length else None

    def put(self, key: str, meta: object, data: bytes) -> None:
        """Keep an entry; it reaches the folder at flush()."""
        self._new[key] = (meta, data)

    def flush(self) -> None:
        """Write the new entries as one pack (with every known one past MAX_PACKS); a failure only costs time."""
        if not self._new:
            return
        merge = len(self._read) + 1 > MAX_PACKS
        entries = dict(self._new)
        if merge:
            for key in self._known or {}:
                if key not in entries and (data := self.blob(key)) is not None:
                    entries[key] = (self._known[key][0], data)
        index, offset = {}, 0
        for key, (meta, data) in entries.items():
            index[key] = (meta, offset, len(data))
            offset += len(data)
        head = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        name = f"{self.prefix}-{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.pack"
        temporary = self.folder / f".{name}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(MAGIC + len(head).to_bytes(8, "little") + head)
                handle.writelines(data for _, data in entries.values())
            os.replace(temporary, self.folder / name)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self.close()
        if merge:
            for path in self._read:
                Path(path).unlink(missing_ok=True)
        self._known, self._read, self._new = None, [], {}   # read again if asked again

    def close(self) -> None:
        """Close the packs opened for reading blobs."""
        for fd in self._files.values():
            os.close(fd)
        self._files = {}
