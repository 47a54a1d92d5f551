"""The database layer on SQLite and PostgreSQL: migrations match the models, SQLite pragmas,
UTC times round-trip, and foreign keys are enforced."""
from __future__ import annotations

import datetime
import fcntl
import os
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import Base, PreferredSlot

UTC = datetime.timezone.utc


def test_migrations_match_the_models(app):
    import importlib
    import pkgutil
    import portal.web
    for mod in pkgutil.iter_modules(portal.web.__path__):  # every module that may declare models
        if mod.name != "cli":
            importlib.import_module(f"portal.web.{mod.name}")
    with db.engine_of(app).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migrate_twice_is_harmless(app):
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    db.migrate(app.config["DATABASE_URL"])
    with db.engine_of(app).connect() as conn:
        assert set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads


def test_sqlite_is_durable_and_strict(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    db.migrate(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        pragma = lambda name: conn.execute(text(f"PRAGMA {name}")).scalar_one()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1
    engine.dispose()


def test_a_new_sqlite_database_and_its_side_files_are_private(tmp_path):
    path = tmp_path / "portal.sqlite3"
    db.migrate(f"sqlite:///{path}")
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:   # holds the -wal and -shm files open
        conn.execute(text("SELECT count(*) FROM booking_requests")).scalar_one()
        files = [p for p in tmp_path.iterdir() if p.name.startswith("portal.sqlite3")]
        assert {p.name for p in files} >= {"portal.sqlite3", "portal.sqlite3-wal", "portal.sqlite3-shm"}
        assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: "0o600" for p in files}
    engine.dispose()


def test_an_existing_database_keeps_the_operators_mode(tmp_path):
    path = tmp_path / "portal.sqlite3"
    db.migrate(f"sqlite:///{path}")
    path.chmod(0o640)
    db.make_engine(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o640


def test_foreign_keys_are_enforced(app):
    with Session(db.engine_of(app)) as s:
        s.add(PreferredSlot(request_id=999, rank=1, starts_at=datetime.datetime(2026, 5, 7, tzinfo=UTC)))
        with pytest.raises(IntegrityError):
            s.commit()


def test_times_round_trip_as_aware_utc(app, seeker):
    seeker.book()
    with Session(db.engine_of(app)) as s:
        slot = s.get(PreferredSlot, 1)
        assert slot.starts_at == datetime.datetime(2026, 5, 7, 0, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(app):
    with Session(db.engine_of(app)) as s:
        s.add(PreferredSlot(request_id=1, rank=1, starts_at=datetime.datetime(2026, 5, 7)))
        with pytest.raises(Exception, match="aware"):
            s.flush()


def test_app_writers_queue_on_the_writer_lock(app):
    """SQLite: a write waits for the app's writer lock held elsewhere; PostgreSQL: no lock at all."""
    engine = db.engine_of(app)
    entered = []

    def write():
        with Session(engine) as s, db.writing(s):
            entered.append(time.monotonic())

    if engine.dialect.name != "sqlite":
        write()
        assert entered
        return
    fd = os.open(f"{engine.url.database}-writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another worker in the middle of its write
    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.2)
    assert entered == []
    released = time.monotonic()
    os.close(fd)
    writer.join(5)
    assert entered and entered[0] >= released
