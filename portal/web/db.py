"""The database: one engine per app (pooled connections kept per worker), a session per request.

SQLite gets foreign keys, synchronous=FULL and secure_delete on every connection; WAL mode is
persistent in the file and is switched on by `migrate`, which runs before any worker starts
(two workers switching a new database to WAL at once can crash one of them).
"""
from __future__ import annotations

import fcntl
import sqlite3
import os
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_KEY = "madoguchi.db"


def make_engine(url: str) -> Engine:
    """An engine for url; parameters are hidden from error messages (they hold personal data)."""
    engine = create_engine(url, hide_parameters=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database not in (None, "", ":memory:"):
            private_file(Path(engine.url.database))
    return engine


def private_file(path: Path) -> None:
    """Create path readable by its owner only, unless it exists (an operator's mode is kept).

    SQLite would create the database 0644 (world-readable under the usual umask); it gives the
    -wal and -shm files it makes later the database file's mode, so they are private too.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except FileExistsError:
        pass
    except FileNotFoundError:   # no such folder: SQLite will say so when it connects
        pass


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "synchronous=FULL", "secure_delete=ON", "busy_timeout=5000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


@contextmanager
def writing(db: Session):
    """Run a write transaction of db holding the app's writer lock (SQLite; nothing on other servers).

    SQLite lets one writer in at a time and makes the others poll, sleeping 1, 2, 5, 10… ms between
    tries: under load a quarter of the booking inserts slept so, long after the lock was free.
    Writers of this app instead queue on an exclusive lock of `<database>-writer.lock` and wake the
    moment the previous one is done; other writers (the command line) still meet busy_timeout as
    before. Take it before the transaction's first write; it is released when the block ends.
    """
    url = db.get_bind().url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    # Opened per use: a descriptor shared across fork or threads would share its lock too.
    fd = os.open(f"{url.database}-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def init_app(app: Flask) -> None:
    """Create the app's engine and close each request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[_KEY] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close)


def engine_of(app: Flask) -> Engine:
    """The app's engine."""
    return app.extensions[_KEY].kw["bind"]


def session() -> Session:
    """The current request's session (created on first use)."""
    if "db" not in g:
        g.db = current_app.extensions[_KEY]()
    return g.db


def _close(exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is None:
        return
    try:
        if exc is not None:
            db.rollback()
        db.close()
    except SQLAlchemyError:
        # The database went away during the request (a restart, a failover): the rollback of the
        # closing session fails too. The answer is already made (a 503 page); drop the connection
        # so the pool never hands it out again, instead of failing past Flask with a bare 500.
        db.invalidate()


def heads() -> set[str]:
    """The newest schema revisions (one per independent branch of migrations)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(config).get_heads())


def migrate(url: str) -> None:
    """Create or upgrade the database to the newest schema (and switch SQLite to WAL)."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.execute(text("PRAGMA journal_mode=WAL"))
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")  # "heads": independent branches of two features both apply
    finally:
        engine.dispose()


def database_problem(url: str, exc: Exception) -> str:
    """One line for a database that cannot be used, naming the setting and the URL (no password)."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: its own message says so
        shown = "?"
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"PORTAL_DATABASE_URL: データベース {shown} を使えません（{type(exc).__name__}: {first}）"
