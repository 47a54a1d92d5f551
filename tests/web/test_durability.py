"""Durability under a crash: kill -9 the gunicorn process group while seekers submit bookings,
start it again, and no booking the server acknowledged is missing; the SQLite file is intact.

The short form of bench/bench_durability.py (one run, two seconds of load, 8 clients); the
benchmark does five runs and prints them in the table.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_durability  # noqa: E402


def test_cookie_reference_is_read_from_a_flask_session_cookie():
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = "test"
    serializer = app.session_interface.get_signing_serializer(app)
    plain = serializer.dumps({"done": {"slug": "abashiri", "reference": "K7QM-3FXA"}})
    big = serializer.dumps({"done": {"slug": "abashiri", "reference": "K7QM-3FXA"}, "pad": "x" * 500})
    assert big.startswith(".")   # compressed
    for value in (plain, big):
        assert bench_durability.reference_of(f"session={value}") == "K7QM-3FXA"
    assert bench_durability.reference_of(f"session={serializer.dumps({'eligible': {}})}") is None


@pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None,
                    reason="gunicorn is not installed in this environment")
def test_no_acknowledged_booking_is_lost_when_the_server_is_killed():
    outcome = bench_durability.run_once(seconds=2.0, concurrency=8)
    assert not outcome.errors, outcome.errors
    assert len(outcome.acknowledged) >= 20, "too little load to show anything"
    assert outcome.lost == set(), f"{len(outcome.lost)} acknowledged bookings lost"
    assert outcome.integrity == "ok"
    assert outcome.after_restart, "the restarted portal did not take a booking"
