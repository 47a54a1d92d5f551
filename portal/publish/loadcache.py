"""A cache of loaded offices: an office folder whose bytes are unchanged is not read and validated again.

Loading an office (office.yaml parsed and validated, placeholders expanded, every document
rendered, the lock checked) is most of a national build's time. A loaded office depends only on
its folder's bytes, the code and libraries that load it, the working folder (messages name files
relative to it) and, through the build day, on which of its terms versions are in force. So each
office that loaded without error is kept, pickled, under a key of the first four, together with
its versions' effective dates and how many of them the build day had reached; another build
reuses it when that count is the same for its own day (and, before the first version, the day
itself, which the warning names). An office with a problem is never kept: it is loaded again, so
its error still names file and key.

The offices are kept in packs (portal/blobpacks.py), not one file each: every build process
writes the offices it loaded as one pack (temporary name, then rename), the folder is merged into
one pack past blobpacks.MAX_PACKS, and a pack written later wins over an older one for the same
key (the office kept again on another day class). Each office is pickled apart, its dates and day
class in the pack's index: a build reads the indexes, then the bytes of only the offices it
reuses (a rebuild of one changed office reads none). A build with nothing to do never opens the
cache. Deleting the folder is always safe; a damaged or
vanished pack, or a damaged entry, is loaded again. The cache is the build's own, like the
Markdown cache: only the build writes it. A build option that changes what an office loads as (a
new parameter of load_office) must join `_key`'s key.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import pickle
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from ..blobpacks import BlobPacks
from ..packcache import remove_shard_folders

if TYPE_CHECKING:
    from ..offices import Office

FORMAT = 2   # 2: packs of offices pickled apart
PACKAGE = Path(__file__).resolve().parents[1]


@cache
def code_key() -> str:
    """What a loaded office depends on besides its folder: this code, the libraries, the format."""
    from ..markup import renderer_key

    digest = hashlib.sha256(f"{FORMAT} {renderer_key()} pydantic {version('pydantic')} "
                            f"pyyaml {version('pyyaml')}".encode())
    for path in [*sorted(PACKAGE.glob("*.py")), Path(__file__)]:   # the loaders (offices, schema, …) and this
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _day_class(dates: tuple[dt.date, ...], day: dt.date) -> tuple[int, str]:
    """What of the build day a loaded office depends on: how many effective dates it has reached
    (and, before the first, the day itself, which the 'no version in force' warning names)."""
    reached = bisect.bisect_right(dates, day)
    return reached, "" if reached or not dates else day.isoformat()


def _key(folder: Path, inputs: str) -> str:
    return hashlib.sha256(f"{code_key()}\0{os.fspath(folder)}\0{Path.cwd()}\0{inputs}".encode()).hexdigest()


def _dates(office: Office) -> tuple[dt.date, ...]:
    return tuple(sorted(v.effective for v in office.versions if v.effective is not None))


def _dated_today(office: Office, day: dt.date) -> bool:
    """A notice dated by the build day itself (a version the lock has not recorded yet, e.g.
    after a --preview build): such an office is reused on that same day only."""
    return any(v.published_on == day for v in office.versions)


def _cached(store: BlobPacks, key: str, day: dt.date) -> Office | None:
    try:
        dates, day_class, kept_on = store.meta(key)   # type: ignore[misc]
        if (kept_on is not None and kept_on != day) or _day_class(dates, day) != day_class:
            return None
        return pickle.loads(store.blob(key))  # noqa: S301 - written by this build only
    except (EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError,
            pickle.UnpicklingError):
        return None   # absent or damaged: load again


def _keep(store: BlobPacks, key: str, office: Office, day: dt.date) -> None:
    """Keep the office, pickled apart: a build reads and unpickles only the offices it needs."""
    dates = _dates(office)
    kept_on = day if _dated_today(office, day) else None
    store.put(key, (dates, _day_class(dates, day), kept_on), pickle.dumps(office, protocol=pickle.HIGHEST_PROTOCOL))


def load_cached(folders: list[Path], day: dt.date, inputs: dict[str, str], cache_dir: Path | None) -> list[Office]:
    """load_folders(folders, day), reusing offices kept in `cache_dir` (None: no cache).

    `inputs` holds each folder's hash (manifest.folder_hash), by folder name. Raises ContentErrors
    with every problem of the offices not found in the cache, as load_folders does.
    """
    from ..errors import ContentErrors
    from ..offices import load_folders, load_office

    if cache_dir is None:
        return load_folders(folders, day)
    found: dict[str, Office] = {}
    errors = []
    kept = False
    with BlobPacks(cache_dir, code_key()[:16]) as store:
        for folder in folders:   # as load_folders does, but keeping each office that loads
            key = _key(folder, inputs[folder.name])
            office = _cached(store, key, day)
            if office is None:
                try:
                    office = load_office(folder, day)
                except ContentErrors as exc:
                    errors.extend(exc.errors)
                    continue
                _keep(store, key, office, day)
                kept = True
            found[folder.name] = office
        if kept:
            store.flush()   # the offices this process loaded, as one pack
            remove_shard_folders(cache_dir)
    if errors:
        raise ContentErrors(errors)
    return [found[folder.name] for folder in folders]
