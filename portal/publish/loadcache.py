"""A cache of loaded offices: an office folder whose bytes are unchanged is not read and validated again.

Loading an office (office.yaml parsed and validated, placeholders expanded, every document
rendered, the lock checked) is most of a national build's time. A loaded office depends only on
its folder's bytes, the code and libraries that load it, the working folder (messages name files
relative to it) and, through the build day, on which of its terms versions are in force. So each
office that loaded without error is kept, pickled, under a key of the first four, together with
its versions' effective dates and how many of them the build day had reached; another build
reuses it when that count is the same for its own day (and, before the first version, the day
itself, which the warning names). An office with a problem is never kept: it is loaded again, so
its error still names file and key. Deleting the cache is always safe; a damaged entry is loaded
again. The cache is the build's own, like the Markdown cache: only the build writes it. A build
option that changes what an office loads as (a new parameter of load_office) must join `_file`'s key.
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
from typing import IO, TYPE_CHECKING


if TYPE_CHECKING:
    from ..offices import Office

FORMAT = 1
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


def _file(folder: Path, inputs: str, cache_dir: Path) -> Path:
    key = hashlib.sha256(f"{code_key()}\0{os.fspath(folder)}\0{Path.cwd()}\0{inputs}".encode()).hexdigest()
    return cache_dir / key[:2] / f"{key}.pickle"


def _dates(office: Office) -> tuple[dt.date, ...]:
    return tuple(sorted(v.effective for v in office.versions if v.effective is not None))


def _dated_today(office: Office, day: dt.date) -> bool:
    """A notice dated by the build day itself (a version the lock has not recorded yet, e.g.
    after a --preview build): such an office is reused on that same day only."""
    return any(v.published_on == day for v in office.versions)


def _cached(file: Path, day: dt.date) -> Office | None:
    try:
        with open(file, "rb") as handle:
            dates, day_class, kept_on, office = pickle.load(handle)  # noqa: S301 - written by this build only
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        return None   # absent or damaged: load again
    if kept_on is not None and kept_on != day:
        return None
    return office if _day_class(dates, day) == day_class else None


def _open_new(path: Path) -> IO[bytes]:
    """Open a new cache file, making its shard folder only when it is not there yet: the folder
    is not asked for once per office."""
    try:
        return open(path, "wb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "wb")


def _keep(file: Path, office: Office, day: dt.date) -> None:
    """Write atomically (two build processes may keep the same office); a failure only costs time."""
    dates = _dates(office)
    try:
        temporary = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        with _open_new(temporary) as handle:
            kept_on = day if _dated_today(office, day) else None
            pickle.dump((dates, _day_class(dates, day), kept_on, office), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, file)
    except OSError:
        pass


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
    for folder in folders:   # as load_folders does, but keeping each office that loads
        file = _file(folder, inputs[folder.name], cache_dir)
        office = _cached(file, day)
        if office is None:
            try:
                office = load_office(folder, day)
            except ContentErrors as exc:
                errors.extend(exc.errors)
                continue
            _keep(file, office, day)
        found[folder.name] = office
    if errors:
        raise ContentErrors(errors)
    return [found[folder.name] for folder in folders]
