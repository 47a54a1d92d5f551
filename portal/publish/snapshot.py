"""The content snapshot a build publishes with the site, so the portal follows exactly that build.

Every build that writes `--out` also copies the content it published into `--out/.madoguchi/`:

    .madoguchi/offices/<sha256>/<slug>/...   one office folder as built (office.yaml, the Markdown
                                             files, terms-lock.json), named by its folder hash
    .madoguchi/site/<sha256>/site.yaml       site.yaml as built
    .madoguchi/snapshot.json                 the pointer: {"version", "id", "site", "offices"}

The copies are content-addressed and immutable: a folder is written under a temporary name and
renamed into place, and an unchanged office keeps its folder across builds. The pointer is
written last (temporary file + os.replace) and only when it changes, so a reader sees either the
previous snapshot or the new one, never a mix. The running portal (portal/web/follow.py) stats
the pointer and loads the snapshot it names; it checks every folder's hash first, so a copy of
the site that arrived on another host before its snapshot folders is simply not taken yet.
Folders that neither the new nor the previous pointer names are removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError, MadoguchiError
from .manifest import files_hash, folder_files, folder_hash
from .output import SNAPSHOT_FOLDER as FOLDER   # under the output folder; dot-named, never served as a page
POINTER = "snapshot.json"
VERSION = 1


@dataclass(frozen=True)
class Pointer:
    """What snapshot.json names: the snapshot's id and its folders, relative to `.madoguchi/`."""
    id: str
    site: str | None                  # "site/<sha256>" or None (no site.yaml: the defaults)
    offices: dict[str, str]           # slug → "offices/<sha256>/<slug>"

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
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("offices"), dict):
        raise MadoguchiError(f"{path}: version: このポータルの読める形式（{VERSION}）ではありません")
    return Pointer(str(data.get("id")), data.get("site"), {str(k): str(v) for k, v in data["offices"].items()})


def up_to_date(out: Path, slugs: set[str]) -> bool:
    """Does out hold a pointer naming exactly these offices, with every folder it names present?

    Lets a build with nothing else to do still write the snapshot the first time (a site built
    before snapshots existed) or after someone deleted it.
    """
    try:
        pointer = read_pointer(out)
    except MadoguchiError:
        return False
    if pointer is None or set(pointer.offices) != slugs:
        return False
    base = out / FOLDER
    return all((base / rel).is_dir() for rel in pointer.offices.values()) and \
        (pointer.site is None or (base / pointer.site).is_dir())


def _copy_office(base: Path, source: Path) -> str:
    """Copy an office folder into the store (if not already there); its path relative to base.

    Each file is read once: the bytes hashed for the folder's name are the bytes written, so the
    copy is always what its name says, even when an editor saves a file meanwhile (no second pass
    over the copy, no copy of times and permissions: a national build stores thousands of files).
    """
    files = folder_files(source)
    digest = files_hash(files)
    rel = f"offices/{digest}/{source.name}"
    if (base / rel).is_dir():
        return rel
    (base / "offices").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base / "offices"))
    os.chmod(tmp, 0o755)   # mkdtemp's 0700 would hide it from hosts running as another user (scripts/run)
    top = os.fspath(tmp / source.name)
    made = set()
    for name, data in files:
        folder, _ = os.path.split(os.path.join(top, name))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(os.path.join(top, name), "wb") as handle:
            handle.write(data)
    try:
        os.rename(tmp, base / "offices" / digest)
    except OSError:   # another build put the same folder there first: same bytes
        shutil.rmtree(tmp, ignore_errors=True)
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


def publish(out: Path, content: Path, rendered: set[str], kept: set[str]) -> Pointer:
    """Copy the content this build published into out/.madoguchi and point the portal at it.

    `rendered` offices are copied from `content` as they are now (after their lock was written);
    `kept` offices (unchanged, or not named by --office) keep the folder the previous pointer
    names when it is still there, so the snapshot is what the pages were built from.
    """
    base = out / FOLDER
    try:
        previous = read_pointer(out)
    except MadoguchiError:
        previous = None
    old = previous.offices if previous else {}
    try:
        base.mkdir(parents=True, exist_ok=True)
        offices = {}
        for slug in sorted(rendered | kept):
            keep = old.get(slug) if slug in kept else None
            offices[slug] = keep if keep and (base / keep).is_dir() else _copy_office(base, content / slug)
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
    """Remove store folders that neither this pointer nor the previous one names.

    The previous snapshot stays one build longer: a portal that read the old pointer just before
    the switch may still be loading it.
    """
    named = set(pointer.offices.values()) | ({pointer.site} if pointer.site else set())
    if previous is not None:
        named |= set(previous.offices.values()) | ({previous.site} if previous.site else set())
    tops = {"/".join(rel.split("/")[:2]) for rel in named}
    for kind in ("offices", "site"):
        folder = base / kind
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if f"{kind}/{entry.name}" not in tops:
                shutil.rmtree(entry, ignore_errors=True)


def folders(out: Path, pointer: Pointer) -> tuple[Path | None, list[Path]]:
    """The snapshot's site folder and office folders, each checked against the hash it is named by.

    Raises MadoguchiError naming the first folder that is missing or not what the build wrote
    (e.g. a copy to another host still under way).
    """
    base = out / FOLDER
    site = base / pointer.site if pointer.site else None
    if site is not None:
        data = (site / "site.yaml").read_bytes() if (site / "site.yaml").is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != site.name:
            raise MadoguchiError(f"{site}/site.yaml: スナップショットのファイルがないか、内容が違います")
    offices = []
    for slug, rel in sorted(pointer.offices.items()):
        folder = base / rel
        parts = rel.split("/")
        if len(parts) != 3 or parts[0] != "offices" or parts[2] != slug or ".." in parts:
            raise MadoguchiError(f"{pointer_path(out)}: offices.{slug}: 形式が正しくありません")
        if not folder.is_dir() or folder_hash(folder) != parts[1]:
            raise MadoguchiError(f"{folder}: スナップショットのフォルダーがないか、内容が違います")
        offices.append(folder)
    return site, offices
