"""Notifications: messages sent per second by the outbox sender to a local SMTP server (aiosmtpd),
against smtplib sending the same messages with no database; and booking submissions per second
under gunicorn with the outbox on (an address given, staff alerts on: two rows per booking) and
off (no address, no alert address: none), in the same run.
"""
from __future__ import annotations

import datetime
import os
import signal
import smtplib
import statistics
import tempfile
import time
from pathlib import Path

import bench_booking
from rowtype import Row

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = 400


class _Sink:
    """An aiosmtpd handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        return "250 OK"


def _sender_rate(tmp: Path) -> tuple[float, float, int, int]:
    """(messages/s through the outbox, messages/s with bare smtplib, delivered, expected)."""
    from aiosmtpd.controller import Controller
    from sqlalchemy.orm import Session

    from portal.web import create_app, db
    from portal.web.outbox import enqueue
    from portal.web.outbox.message import build
    from portal.web.outbox.sender import SendPolicy, SmtpSettings, send_due
    from portal.web.state import state_of

    url = f"sqlite:///{tmp / 'notify.sqlite3'}"
    db.migrate(url)
    sink = _Sink()
    port = bench_booking._free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(tmp), "SECRET_KEY": "bench", "SITE_DIR": str(tmp),
                          "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none",
                          "SMTP_FROM": "madoguchi@example.jp", "TESTING": True})
        state = state_of(app)
        office = state.offices["abashiri"]
        now = datetime.datetime.now(datetime.timezone.utc)
        start = now + datetime.timedelta(days=7)
        with Session(db.engine_of(app)) as s:
            for i in range(MESSAGES):
                enqueue.request_stored(s, office, None, f"BNCH-{i:04d}", "網走 花子", f"s{i}@example.jp", [start],
                                       "https://example.jp/abashiri/booking/status?key=x", now)
            s.commit()
        settings = SmtpSettings.from_config(app.config)
        t0 = time.perf_counter()
        report = send_due(db.engine_of(app), settings, state.offices, lambda slug: "https://example.jp/",
                          state.now, SendPolicy(batch=MESSAGES))
        outbox_rate = report.sent / (time.perf_counter() - t0)
        delivered = sink.count
        letters = [build(recipient=f"s{i}@example.jp", subject="件名", body="本文\n" * 30, ics=None,
                         message_key=f"k{i}", sender="madoguchi@example.jp", sender_name="窓口", now=now)
                   for i in range(MESSAGES)]
        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for msg in letters:
                smtp.send_message(msg)
        bare_rate = MESSAGES / (time.perf_counter() - t0)
        db.engine_of(app).dispose()
    finally:
        controller.stop()
    return outbox_rate, bare_rate, delivered, MESSAGES


def _booking_rate(tmp: Path, outbox_on: bool) -> tuple[float, int]:
    """Bookings per second (bench_booking's load) and how many outbox rows they wrote."""
    import sqlite3

    saved = os.environ.get("PORTAL_NOTIFY_STAFF_EMAIL")
    if outbox_on:
        os.environ["PORTAL_NOTIFY_STAFF_EMAIL"] = "staff@example.jp"
    try:
        port = bench_booking._free_port()
        server = bench_booking._serve(tmp, port)
    finally:
        if outbox_on and saved is None:
            os.environ.pop("PORTAL_NOTIFY_STAFF_EMAIL", None)
    try:
        def body(client: bench_booking.Client) -> list[tuple[str, str]]:
            fields = client.prepare("abashiri")
            address = "hanako@example.jp" if outbox_on else ""
            return [(k, address if k == "email" else v) for k, v in fields]
        rate, _, errors = bench_booking._load(port, lambda c: "/abashiri/booking/submit", body, 302)
        if errors:
            raise RuntimeError(f"booking errors: {sorted(set(errors))}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    rows = sqlite3.connect(tmp / "bench.sqlite3").execute("SELECT count(*) FROM outbox").fetchone()[0]
    return rate, rows


def rows() -> list[Row]:
    """Sender throughput against bare smtplib; booking throughput with the outbox on against off."""
    with tempfile.TemporaryDirectory() as a:
        outbox_rate, bare_rate, delivered, expected = _sender_rate(Path(a))
    # Off, on, off, on, each on a fresh database: the shared machine's load drifts, so each side
    # gets the mean of two turns taken in alternation.
    measured: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
    for outbox_on in (False, True, False, True):
        with tempfile.TemporaryDirectory() as tmp:
            measured[outbox_on].append(_booking_rate(Path(tmp), outbox_on))
    off_rate, on_rate = (statistics.mean(r for r, _ in measured[side]) for side in (False, True))
    off_rows, on_rows = (sum(n for _, n in measured[side]) for side in (False, True))
    return [
        Row(f"notify: sender messages/s to local aiosmtpd ({delivered}/{expected} delivered, one commit each)",
            f"{outbox_rate:.0f}/s", f"smtplib alone {bare_rate:.0f}/s", f"{outbox_rate / bare_rate:.2f}"),
        Row(f"notify: bookings/s with outbox on ({on_rows} outbox rows) vs off ({off_rows} rows), 2 turns each, "
            f"c={bench_booking.CONCURRENCY}", f"{on_rate:.1f}/s", f"off {off_rate:.1f}/s", f"{on_rate / off_rate:.2f}"),
    ]
