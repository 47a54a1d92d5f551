"""kill -9 of the sender in the middle of a batch, against a real SMTP server: after a restart every
message has arrived, and none twice except the one the killed sender had handed over but not yet
recorded (same Message-ID: "at most once as far as SMTP allows", see portal.web.outbox.sender)."""
from __future__ import annotations

import collections
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.models import OutboxMessage

from ..staff.conftest import book

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


def sender(database_url: str, smtp, tmp_path: Path, *args: str) -> subprocess.Popen:
    """`python -m portal.web.outbox send` in its own process, on the test's database and server."""
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, "PORTAL_INSTANCE_DIR": str(tmp_path / "sender"),
           "PORTAL_SECRET_KEY": "test-secret", "PORTAL_SITE_DIR": str(tmp_path / "site"),
           "PORTAL_SMTP_HOST": smtp.host, "PORTAL_SMTP_PORT": str(smtp.port), "PORTAL_SMTP_SECURITY": "none",
           "PORTAL_SMTP_FROM": "madoguchi@example.jp"}
    return subprocess.Popen([sys.executable, "-m", "portal.web.outbox", "send", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def statuses(app) -> collections.Counter:
    with Session(db.engine_of(app)) as s:
        return collections.Counter(s.scalars(select(OutboxMessage.status)))


def test_kill_9_mid_batch_loses_no_message(make_app, smtp, database_url, tmp_path):
    app = make_app(**smtp.config())
    for i in range(20):
        book(app, email=f"seeker{i}@example.jp")
    with Session(db.engine_of(app)) as s:
        # Due by the real clock the sender reads (the bookings were made at the tests' fixed clock).
        s.execute(update(OutboxMessage).values(next_attempt_at=LONG_AGO, created_at=LONG_AGO))
        s.commit()
        expected = {f"<{key}@example.jp>" for key in s.scalars(select(OutboxMessage.message_key))}
    assert len(expected) == 20

    smtp.collector.delay = 0.2        # each DATA takes a while: the kill lands mid-batch
    first = sender(database_url, smtp, tmp_path)
    deadline = time.monotonic() + 60
    while len(smtp.collector.messages) < 5:
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the sender sent nothing"
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    left = statuses(app)
    assert left["sent"] < 20 and left["sending"] > 0, left     # killed with claimed rows unsent

    smtp.collector.delay = 0
    second = sender(database_url, smtp, tmp_path, "--lease", "0")   # the dead sender's claim has expired
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert statuses(app) == {"sent": 20}
    received = smtp.collector.ids()
    assert set(received) == expected                             # none lost
    twice = [key for key, n in collections.Counter(received).items() if n > 1]
    assert len(twice) <= 1, twice                                # only the one in flight at the kill


def test_loop_sends_what_comes_later_and_stops_cleanly_on_sigterm(make_app, smtp, database_url, tmp_path):
    """`send --loop` (the sender as a daemon) picks up a message written after it started, and
    SIGTERM (systemctl stop) ends it with exit 0 instead of killing it mid-run."""
    app = make_app(**smtp.config())

    def due() -> None:   # due by the real clock the sender reads (bookings use the tests' fixed clock)
        with Session(db.engine_of(app)) as s:
            s.execute(update(OutboxMessage).values(next_attempt_at=LONG_AGO, created_at=LONG_AGO))
            s.commit()

    def arrived(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(smtp.collector.messages) < count:
            assert loop.poll() is None, loop.communicate()
            assert time.monotonic() < deadline, f"{len(smtp.collector.messages)} of {count} arrived"
            time.sleep(0.05)

    book(app, email="first@example.jp")
    due()
    loop = sender(database_url, smtp, tmp_path, "--loop", "0.2")
    try:
        arrived(1)
        book(app, email="second@example.jp")
        due()
        arrived(2)
    finally:
        loop.send_signal(signal.SIGTERM)
        out, err = loop.communicate(timeout=30)
    assert loop.returncode == 0, err
    assert sorted(m["To"] for m in smtp.collector.messages) == ["first@example.jp", "second@example.jp"]
    assert statuses(app) == {"sent": 2}
