"""The build manifest: what each office's output was built from, so unchanged offices are skipped.

Stored as JSON in the output folder's marker file. An office is reused when the global key
(templates, code, site.yaml, build day, PDF setting) it was built with and the office folder's
own bytes are what they are now, and its output files are all still there. The site-wide files
(front page, assets) and warnings are recorded too, so a build with nothing to do can say so
without loading any content.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .output import MARKER

VERSION = 2
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass
class Entry:
    key: str                # the global key the office was built with
    inputs: str
    files: list[str]
    index: dict             # the office's row on the front page (OfficeView fields)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    key: str = ""
    offices: dict[str, Entry] = field(default_factory=dict)
    site_files: list[str] = field(default_factory=list)   # front page and assets
    warnings: list[str] = field(default_factory=list)     # site-wide ones (site.yaml)


# The parts of the package and of templates/ that the static build reads (not the web app's).
CODE_GLOBS = ("*.py", "publish/*.py")
TEMPLATE_DIRS = ("site", "leaflet", "assets")


def _hash_tree(digest: hashlib._Hash, root: Path, pattern: str = "**/*") -> None:
    for path in sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def folder_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every file of an office folder as (path relative to it, with /; bytes), in folder_hash's order."""
    top = os.fspath(folder)
    cut = len(top) + 1
    files = []
    for root, _, names in os.walk(top):  # os.walk: a no-change rebuild hashes thousands of files
        files.extend(os.path.join(root, n) for n in names)
    found = []
    for path in sorted(files):
        with open(path, "rb") as handle:
            found.append((path[cut:].replace(os.sep, "/"), handle.read()))
    return found


def replaced(files: list[tuple[str, bytes]], replace: dict[str, bytes]) -> list[tuple[str, bytes]]:
    """folder_files' list as it will be once the files in `replace` (path → bytes) are written."""
    return sorted({**dict(files), **replace}.items())


def files_hash(files: list[tuple[str, bytes]]) -> str:
    """SHA-256 of a folder's files as folder_files lists them: folder_hash without reading again."""
    digest = hashlib.sha256()
    for rel, data in files:
        digest.update(rel.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def folder_hash(folder: Path) -> str:
    """SHA-256 of every file of an office folder, names included."""
    return files_hash(folder_files(folder))


def global_key(templates: Path, content: Path, *parts: str) -> str:
    """What every office's output also depends on: templates, the package's code, site.yaml and settings."""
    digest = hashlib.sha256(f"v{VERSION}\0{chr(0).join(parts)}".encode())
    for folder in TEMPLATE_DIRS:
        _hash_tree(digest, templates, f"{folder}/**/*")
    for pattern in CODE_GLOBS:
        _hash_tree(digest, PACKAGE, pattern)
    site = content / "site.yaml"
    digest.update(site.read_bytes() if site.exists() else b"")
    return digest.hexdigest()


def read(out: Path) -> Manifest:
    """The manifest of the last build into `out` (empty when there is none or it is unreadable)."""
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return Manifest()
        return Manifest(data["key"], {slug: Entry(**e) for slug, e in data["offices"].items()},
                        list(data["site_files"]), list(data["warnings"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest()


def dump(manifest: Manifest) -> str:
    """The manifest as the JSON the marker file holds (sorted, so it is deterministic).

    One line per office: json's C encoder only writes without indentation, and the indented
    Python one took ~0.05 s of a national build for a file people rarely read.
    """
    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    offices = ",\n".join(f"{line(slug)}: {line(vars(entry))}" for slug, entry in sorted(manifest.offices.items()))
    return (f'{{"version": {VERSION}, "key": {line(manifest.key)},\n"site_files": {line(sorted(manifest.site_files))},\n'
            f'"warnings": {line(manifest.warnings)},\n"offices": {{\n{offices}\n}}}}\n')


def reusable(manifest: Manifest, key: str, slug: str, inputs: str, present: set[str]) -> Entry | None:
    """The previous entry of an office whose output can stay as it is, else None.

    `present` holds the files now in the output folder (output.existing_files).
    """
    entry = manifest.offices.get(slug)
    if entry is None or entry.key != key or entry.inputs != inputs:
        return None
    return entry if present.issuperset(entry.files) else None
