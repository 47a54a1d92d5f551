"""A cache of many small entries kept in a few pack files: the Markdown render cache's store.

A national build renders about a thousand documents; one file per rendered document meant a
thousand file creations (and their shard folders) in a build with an empty cache, and creating
files is what the kernel charges most for on a busy machine. Here each process gathers what it
rendered and writes it at the end as one pack (a pickled dict, temporary name then rename), and
reads every pack of the folder the first time it looks something up. Packs are named by a
prefix (the renderer's key): packs of another prefix were made by other code and are deleted
when seen. Past MAX_PACKS, a process writes everything it knows as one pack and deletes the
packs it read, so the folder stays a few files. A damaged or vanished pack only costs time: its
entries are rendered again. Deleting the folder is always safe. Only the build writes here; a
build that writes also removes the shard folders (`ab/<key>.json`) the one-file-per-document layout left.
"""
from __future__ import annotations

import os
import pickle
import secrets
import shutil
from pathlib import Path

MAX_PACKS = 8


def remove_shard_folders(folder: Path) -> None:
    """Remove the shard folders (`ab/<key>.json`, `ab/<key>.pickle`) a cache kept before packs: a
    build of an older version left thousands of small files there that nothing reads any more."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if len(entry.name) == 2 and set(entry.name) <= set("0123456789abcdef") and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


class PackCache:
    """The entries of one folder under one prefix: looked up in memory, new ones written by flush()."""

    def __init__(self, folder: Path, prefix: str):
        self.folder, self.prefix = folder, prefix
        self._known: dict[str, object] | None = None   # read on first lookup
        self._read: list[Path] = []                     # the packs that were read
        self._new: dict[str, object] = {}

    def _load(self) -> dict[str, object]:
        known: dict[str, object] = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            names = []
        for name in names:
            if not name.endswith(".pickle"):
                continue
            path = self.folder / name
            if not name.startswith(f"{self.prefix}-"):
                path.unlink(missing_ok=True)   # another renderer's: never read again
                continue
            try:
                with open(path, "rb") as handle:
                    entries = pickle.load(handle)  # noqa: S301 - written by this build only
            except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
                continue   # damaged or gone meanwhile: its entries are made again
            if isinstance(entries, dict):
                known.update(entries)
                self._read.append(path)
        return known

    def get(self, key: str) -> object | None:
        """The entry kept under key, or None."""
        if key in self._new:
            return self._new[key]
        if self._known is None:
            self._known = self._load()
        return self._known.get(key)

    def put(self, key: str, value: object) -> None:
        """Keep an entry; it reaches the folder at flush()."""
        self._new[key] = value

    def flush(self) -> None:
        """Write the new entries as one pack (with every known one past MAX_PACKS); a failure only costs time."""
        if not self._new:
            return
        merge = len(self._read) + 1 > MAX_PACKS
        entries = {**(self._known or {}), **self._new} if merge else self._new
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{self.prefix}-{os.getpid()}-{secrets.token_hex(4)}.pickle"
            temporary = self.folder / f".{name}.tmp"
            with open(temporary, "wb") as handle:
                pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / name)
            remove_shard_folders(self.folder)   # one listing of a folder of a few packs
        except OSError:
            return
        if merge:
            for path in self._read:
                path.unlink(missing_ok=True)
            self._read = [self.folder / name]
            self._known = entries
        else:
            self._known = {**(self._known or {}), **self._new}
            self._read.append(self.folder / name)
        self._new = {}
