"""The content snapshot a build publishes with the site, so the portal follows exactly that build.

Every build that writes `--out` also stores the content it published in `--out/.madoguchi/`:

    .madoguchi/offices/<slug>-<sha256>.zip   one office folder as built (office.yaml, the Markdown
                                             files, terms-lock.json), one file per office
    .madoguchi/site/<sha256>/site.yaml       site.yaml as built
    .madoguchi/snapshot.json                 the pointer: {"version", "id", "site", "offices"}

An office pack is an uncompressed zip (zippack.py; `unzip -l` lists it) of every file of the office
folder (manifest.folder_files), each under its path relative to the folder; `<sha256>` is
manifest.files_hash of those files, so the name says what the pack holds. A pack is written under
a temporary name and renamed into place, and an unchanged office keeps its pack across builds:
a national build writes one file per changed office, not a copy of each folder. The pointer is
written last (temporary file + os.replace) and only when it changes, so a reader sees either
the previous snapshot or the new one, never a mix. The running portal (portal/web/follow.py)
stats the pointer and loads the snapshot it names in memory (open_snapshot: every pack read whole
and checked against its hash, nothing extracted), so a copy of the site that arrived on another
host before its packs is simply not taken yet. Files that neither the new nor the previous pointer
names are removed, and so are the folders `offices/<sha256>/<slug>/` of builds before packs
(pointer version 1, which this portal refuses: rebuild).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError, MadoguchiError
from . import zippack
from .manifest import files_hash, folder_files
from .output import SNAPSHOT_FOLDER as FOLDER   # under the output folder; dot-named, never served as a page
POINTER = "snapshot.json"
VERSION = 2   # 1: one folder per office (offices/<sha256>/<slug>/); 2: one pack per office
_PACK = re.compile(r"offices/([a-z0-9][a-z0-9-]*)-([0-9a-f]{64})\.zip")

if TYPE_CHECKING:
    from ..officefiles import PackedFiles


@dataclass(frozen=True)
class Pointer:
    """What snapshot.json names: the snapshot's id and its files, relative to `.madoguchi/`."""
    id: str
    site: str | None                  # "site/<sha256>" or None (no site.yaml: the defaults)
    offices: dict[str, str]           # slug → "offices/<slug>-<sha256>.zip"

    def text(self) -> str:
        """The pointer file's bytes (sorted keys: the same snapshot always gives the same file)."""
        return json.dumps({"version": VERSION, "id": self.id, "site": self.site, "offices": self.offices},
                          ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def pointer_path(out: Path) -> Path:
    """Where the pointer of the site in `out` lives."""
    return out / FOLDER / POINTER


def read_pointer(out: Path) -> Pointer | None:
    """The pointer of the site in `out`; None when there is none. A damaged one raises MadoguchiError."""
    path = pointer_path(out)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise MadoguchiError(f"{path}: 読み込めません（{exc}）") from None
    if isinstance(data, dict) and isinstance(data.get("version"), int) and data["version"] < VERSION:
        raise MadoguchiError(f"{path}: version: 以前のビルドの形式（{data['version']}）です。"
                             f"このポータルの build.py でサイトをビルドし直してください（読める形式は {VERSION}）")
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("offices"), dict):
        raise MadoguchiError(f"{path}: version: このポータルの読める形式（{VERSION}）ではありません")
    return Pointer(str(data.get("id")), data.get("site"), {str(k): str(v) for k, v in data["offices"].items()})


def up_to_date(out: Path, slugs: set[str]) -> bool:
    """Does out hold a pointer naming exactly these offices, with every pack it names present?

    Lets a build with nothing else to do still write the snapshot the first time (a site built
    before snapshots or before packs) or after someone deleted it.
    """
    try:
        pointer = read_pointer(out)
    except MadoguchiError:
        return False
    if pointer is None or set(pointer.offices) != slugs:
        return False
    base = out / FOLDER
    return all((base / rel).is_file() for rel in pointer.offices.values()) and \
        (pointer.site is None or (base / pointer.site).is_dir())


def _pack_office(base: Path, slug: str, files: list[tuple[str, bytes]]) -> str:
    """Store an office folder's files (manifest.folder_files) as one pack, if not already there;
    its path relative to base. The pack is named by the hash of the very bytes it holds."""
    rel = f"offices/{slug}-{files_hash(files)}.zip"
    target = base / rel
    if target.is_file():
        return rel
    data = zippack.pack(files)
    temporary = target.with_name(f".tmp-{os.getpid()}-{target.name}")   # one build process writes packs
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
        os.replace(temporary, target)   # another build may have put the same pack there: same files
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return rel


def _copy_site(base: Path, content: Path) -> str | None:
    source = content / "site.yaml"
    if not source.is_file():
        return None
    data = source.read_bytes()
    rel = f"site/{hashlib.sha256(data).hexdigest()}"
    if not (base / rel / "site.yaml").is_file():
        (base / rel).mkdir(parents=True, exist_ok=True)
        tmp = base / rel / ".site.yaml.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, base / rel / "site.yaml")
    return rel


def publish(out: Path, content: Path, rendered: dict[str, list[tuple[str, bytes]]], kept: set[str]) -> Pointer:
    """Store the content this build published in out/.madoguchi and point the portal at it.

    `rendered` gives the files of each office rendered now, as the build read them (with the lock
    it wrote); `kept` offices (unchanged, or not named by --office) keep the pack the previous
    pointer names when it is still there (else are packed from `content`), so the snapshot is
    what the pages were built from.
    """
    base = out / FOLDER
    try:
        previous = read_pointer(out)
    except MadoguchiError:
        previous = None   # none, damaged, or of a build before packs: every office packed anew
    old = previous.offices if previous else {}
    try:
        (base / "offices").mkdir(parents=True, exist_ok=True)
        offices = {}
        for slug in sorted(rendered.keys() | kept):
            keep = old.get(slug) if slug in kept else None
            if keep and (base / keep).is_file():
                offices[slug] = keep
            else:
                offices[slug] = _pack_office(base, slug, rendered[slug] if slug in rendered else folder_files(content / slug))
        site = _copy_site(base, content)
        ident = hashlib.sha256(json.dumps([site, offices], sort_keys=True).encode()).hexdigest()
        pointer = Pointer(ident, site, offices)
        text = pointer.text()
        path = pointer_path(out)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            tmp = base / f".{POINTER}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        _collect(base, pointer, previous)
    except OSError as exc:
        raise BuildError(f"{base}: 書き込めません（{exc.strerror}）") from exc
    return pointer


def _collect(base: Path, pointer: Pointer, previous: Pointer | None) -> None:
    """Remove stored packs and site folders that neither this pointer nor the previous one names
    (and the office folders of builds before packs, and temporary files a stopped build left).

    The previous snapshot stays one build longer: a portal that read the old pointer just before
    the switch may still be loading it.
    """
    named = set(pointer.offices.values()) | ({pointer.site} if pointer.site else set())
    if previous is not None:
        named |= set(previous.offices.values()) | ({previous.site} if previous.site else set())
    tops = {"/".join(rel.split("/")[:2]) for rel in named}
    for kind in ("offices", "site"):
        try:
            entries = list(os.scandir(base / kind))
        except OSError:
            continue
        for entry in entries:
            if f"{kind}/{entry.name}" in tops:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)


def open_snapshot(out: Path, pointer: Pointer) -> tuple[Path | None, list[PackedFiles]]:
    """The snapshot's site folder and each office's files, read in memory from its pack and
    checked against the hash it is named by.

    Raises MadoguchiError naming the first pack or file that is missing or not what the build
    wrote (e.g. a copy to another host still under way).
    """
    from ..officefiles import PackedFiles   # the loader's side: not imported by a build with nothing to do

    base = out / FOLDER
    site = base / pointer.site if pointer.site else None
    if site is not None:
        data = (site / "site.yaml").read_bytes() if (site / "site.yaml").is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != site.name:
            raise MadoguchiError(f"{site}/site.yaml: スナップショットのファイルがないか、内容が違います")
    offices = []
    for slug, rel in sorted(pointer.offices.items()):
        named = _PACK.fullmatch(rel)
        if named is None or named.group(1) != slug:
            raise MadoguchiError(f"{pointer_path(out)}: offices.{slug}: 形式が正しくありません")
        path = base / rel
        try:
            files = zippack.unpack(path.read_bytes())
        except OSError:
            files = None
        if files is None or files_hash(sorted(files.items())) != named.group(2):
            raise MadoguchiError(f"{path}: スナップショットのファイルがないか、内容が違います")
        offices.append(PackedFiles(slug, path, files))
    return site, offices
