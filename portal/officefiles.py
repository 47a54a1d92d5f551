"""Where an office's files are read from: its folder on disk, or a snapshot pack's files in memory.

The loader (offices.py) reads office.yaml, the Markdown documents and terms-lock.json through an
OfficeFiles, so the portal loads the content snapshot a build published (publish/snapshot.py)
from its packs without extracting anything. Both sources give the same bytes the same way:
`folder` is the path messages name the files under (the office folder, or the pack), `slug` the
office's folder name, and a document must be a file directly in the office folder.
"""
from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ContentError
from .yamlfile import load_yaml_text


def text_of(data: bytes) -> str:
    """A file's bytes as Path.read_text(encoding="utf-8") gives them (universal newlines).

    Raises UnicodeDecodeError when they are not UTF-8.
    """
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


class OfficeFiles:
    """An office folder on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.slug = folder.name
        self._resolved: Path | None = None   # the folder with its links resolved, once needed

    def __repr__(self) -> str:
        return f"{type(self).__name__}({os.fspath(self.folder)!r})"

    def path(self, name: str) -> Path:
        """Where a file of the office is, as messages name it."""
        return self.folder / name

    def read(self, name: str) -> bytes | None:
        """A file's bytes (name relative to the office folder, with /); None when there is none."""
        try:
            with open(self.folder / name, "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def yaml(self, name: str) -> Any:
        """A YAML file's data, as yamlfile.load_yaml reads one (ContentError naming file and line)."""
        path = self.path(name)
        data = self.read(name)
        if data is None:
            raise ContentError(path, None, "ファイルがありません")
        try:
            text = text_of(data)
        except UnicodeDecodeError:
            raise ContentError(path, None, "UTF-8 で保存してください") from None
        return load_yaml_text(text, path)

    def document(self, name: str) -> bytes | None:
        """The bytes of a file directly in the office folder (not in a subfolder, not a link
        leading out of it); None when there is no such file."""
        path = self.folder / name
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None
        # A regular file named right under the folder needs no resolving (most documents).
        if not (stat.S_ISREG(mode) and path.parent == self.folder):
            if self._resolved is None:
                self._resolved = self.folder.resolve()
            if not path.is_file() or path.resolve().parent != self._resolved:
                return None
        with open(path, "rb") as handle:
            return handle.read()


class PackedFiles(OfficeFiles):
    """An office's files held in memory (a snapshot pack, read and checked against its hash)."""

    def __init__(self, slug: str, where: Path, files: Mapping[str, bytes]) -> None:
        super().__init__(where)
        self.slug = slug
        self.files = files   # path relative to the office folder, with / → bytes

    def read(self, name: str) -> bytes | None:
        return self.files.get(posixpath.normpath(name))

    def document(self, name: str) -> bytes | None:
        rel = posixpath.normpath(name)
        return None if "/" in rel or rel in (".", "..") else self.files.get(rel)
