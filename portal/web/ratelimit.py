"""A `limits` storage in the portal's own database, so a rate limit holds per client across all
gunicorn workers of one host and across hosts sharing one PostgreSQL database (issue 14).

`memory://` counted per worker: with two workers a client got twice the limit. This needs no
extra server: one row per (limit, client) key with its count and the end of its fixed window,
bumped by one atomic upsert. On SQLite the write queues on the app's writer lock (as bookings
do) and skips the fsync (synchronous=NORMAL: a power cut may forget the last counts, nothing else);
on PostgreSQL its commits do not wait for the disk either (synchronous_commit=off, for this
storage's own connections only): a crash may forget the last few counts, never a booking, and each
submission waits for one flush (its booking's) instead of two.
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .db import make_engine, writing

_BUMP = text("INSERT INTO rate_limits (key, count, expires_at) VALUES (:key, :amount, :expires) "
             "ON CONFLICT (key) DO UPDATE SET "
             "count = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.count + :amount END, "
             "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires ELSE rate_limits.expires_at END "
             "RETURNING count")
SWEEP_CHANCE = 0.01   # about one hit in a hundred deletes the windows that have ended


def _relaxed_sync(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _async_commit(dbapi_conn: object, _record: object) -> None:
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True   # a session setting, not part of a transaction
    dbapi_conn.execute("SET synchronous_commit TO off")
    dbapi_conn.autocommit = autocommit


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limits` table (`database://` in PORTAL_RATELIMIT_STORAGE)."""
    STORAGE_SCHEME = ["madoguchi+database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, url: str = "",
                 **options: object) -> None:
        super().__init__(uri, wrap_exceptions)
        self.engine: Engine = make_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _relaxed_sync)
        elif self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _async_commit)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a database failure raises."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count amount more hits of key in its window (a new window of expiry seconds if it ended)."""
        now = time.time()
        with Session(self.engine) as db, writing(db):
            count = db.execute(_BUMP, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).scalar_one()
            if random.random() < SWEEP_CHANCE:
                db.execute(text("DELETE FROM rate_limits WHERE expires_at <= :now"), {"now": now})
            db.commit()
        return count

    def get(self, key: str) -> int:
        """Hits of key in its current window (0 when it has ended)."""
        with self.engine.connect() as conn:
            found = conn.execute(text("SELECT count FROM rate_limits WHERE key = :key AND expires_at > :now"),
                                 {"key": key, "now": time.time()}).scalar()
        return found or 0

    def get_expiry(self, key: str) -> float:
        """When key's window ends (now when there is none)."""
        with self.engine.connect() as conn:
            found = conn.execute(text("SELECT expires_at FROM rate_limits WHERE key = :key"), {"key": key}).scalar()
        return max(found or 0.0, time.time())

    def check(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Forget every counter; how many there were."""
        with Session(self.engine) as db, writing(db):
            gone = db.execute(text("DELETE FROM rate_limits")).rowcount
            db.commit()
        return gone

    def clear(self, key: str) -> None:
        """Forget key's counter."""
        with Session(self.engine) as db, writing(db):
            db.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": key})
            db.commit()
