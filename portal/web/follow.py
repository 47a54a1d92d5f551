"""The portal follows the build: every worker switches to a newly published content snapshot.

`build.py` publishes, with the pages, a copy of the content they were built from (one pack per
office) and last a small pointer, `<site>/.madoguchi/snapshot.json` (portal/publish/snapshot.py).
Each worker stats that pointer at most every CONTENT_CHECK_SECONDS, before a request; when its
device, inode, mtime or size changed, a background thread of the worker loads the snapshot it
names (each pack read in memory and checked against its hash, nothing extracted; loading costs
what the portal's start costs, tens of milliseconds per office), builds a whole new PortalState
(offices, site settings, slot policies, an empty terms memo) and swaps it into the app's
StateHolder in one assignment. Requests meanwhile run on the current
state; a request is pinned to one state (state.portal_state), so none mixes two snapshots. A
snapshot that cannot be read yet (a copy to this host still under way) leaves the current state
in place, is logged once, and is tried again at the next check.

Without a pointer (no build into PORTAL_SITE_DIR yet: development, most tests) the app reads
PORTAL_CONTENT_DIR once, as before, and switches as soon as a build publishes a snapshot.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ..errors import MadoguchiError
from ..offices import Office, load_folders, load_offices, load_site
from ..publish.snapshot import open_snapshot, pointer_path, read_pointer
from ..schema import SiteConfig
from .state import PortalState, StateHolder, attach

log = logging.getLogger(__name__)
_KEY = "madoguchi.follow"

Content = tuple[list[Office], SiteConfig, str]          # offices, site settings, snapshot id ("" = content/)
Signature = tuple[int, int, int, int]                   # device, inode, mtime (ns), size of the pointer


def load_content(site_dir: Path, content_dir: Path) -> Content:
    """The offices and site settings the portal serves: the snapshot published in site_dir when
    there is one, else content_dir. Raises MadoguchiError with one line (several for content)."""
    pointer = read_pointer(site_dir)
    if pointer is None:
        return load_offices(content_dir), load_site(content_dir), ""
    try:
        site_folder, office_files = open_snapshot(site_dir, pointer)
        site = load_site(site_folder) if site_folder is not None else SiteConfig()
        return load_folders(office_files), site, pointer.id
    except OSError as exc:   # e.g. a snapshot the portal's user may not read: name it, not the database
        raise MadoguchiError(f"PORTAL_SITE_DIR: {site_dir}/.madoguchi の内容を読めません"
                             f"（{type(exc).__name__}: {exc.filename or exc}）") from None


def signature(path: Path) -> Signature | None:
    """What changes when the pointer is replaced (os.replace gives a new inode); None without one."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


class Follower:
    """One worker's watch on the pointer: stat at most every `interval` seconds; load a changed
    snapshot in a background thread while requests go on with the current state, then swap."""

    def __init__(self, holder: StateHolder, site_dir: Path, content_dir: Path, interval: float,
                 make: Callable[[Content], PortalState], seen: Signature | None) -> None:
        self.holder, self.site_dir, self.content_dir = holder, site_dir, content_dir
        self.interval, self.make = interval, make
        self.seen = seen                      # the pointer the current state was loaded from
        self.failed: Signature | None = None  # a pointer already logged as not loadable
        self.checked = time.monotonic()
        self.lock = threading.Lock()
        self.loader: threading.Thread | None = None

    def refresh(self) -> None:
        """Start loading the published snapshot if the pointer changed since the state was loaded."""
        now = time.monotonic()
        if now - self.checked < self.interval:
            return
        self.checked = now
        current = signature(pointer_path(self.site_dir))
        if current is None or current == self.seen:
            return
        with self.lock:
            if self.loader is not None and self.loader.is_alive():
                return            # one load at a time; a newer pointer is noticed at the next check
            self.loader = threading.Thread(target=self._load, args=(current,), name="madoguchi-follow", daemon=True)
            self.loader.start()

    def settle(self, timeout: float = 60.0) -> None:
        """Wait for a load under way to finish (tests, and a worker's orderly stop)."""
        loader = self.loader
        if loader is not None:
            loader.join(timeout)

    def _load(self, current: Signature) -> None:
        try:
            content = load_content(self.site_dir, self.content_dir)
        except (MadoguchiError, OSError) as exc:
            if current != self.failed:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.warning("content snapshot not taken (the current one stays): %s", first)
                self.failed = current
            return
        except Exception as exc:  # a thread has no error page: say what, keep serving the current state
            log.error("content snapshot not taken (the current one stays): %s", type(exc).__name__)
            self.failed = current
            return
        self.holder.current = self.make(content)      # the swap: one reference assignment
        self.seen = current
        log.info("content snapshot %s taken: %d office(s)", content[2][:12], len(content[0]))


def follower_of(app: Flask) -> Follower:
    """The app's follower (tests wait on it with settle())."""
    return app.extensions[_KEY]


def start(app: Flask, make: Callable[[Content], PortalState]) -> StateHolder:
    """Load the content, put its state on the app, and follow the pointer from then on (a check
    before every request). Raises MadoguchiError when the content cannot be loaded at start."""
    site_dir, content_dir = Path(app.config["SITE_DIR"]), Path(app.config["CONTENT_DIR"])
    seen = signature(pointer_path(site_dir))      # before loading: a build meanwhile is noticed
    holder = attach(app, make(load_content(site_dir, content_dir)))
    follower = Follower(holder, site_dir, content_dir, float(app.config["CONTENT_CHECK_SECONDS"]), make, seen)
    app.extensions[_KEY] = follower
    app.before_request(follower.refresh)
    return holder
