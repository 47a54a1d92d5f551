"""Durability: kill -9 the whole gunicorn process group under booking load, restart, compare.

Each run starts the portal under gunicorn (bench_booking's server: 2 sync workers, SQLite in WAL
mode with synchronous=FULL), drives full booking submissions from CONCURRENCY clients (bench_booking's
client: CSRF, eligibility, the final POST), and records every reference the server acknowledged:
a 302 to the confirmation page whose session cookie carries the reference. Mid-load the master
and its workers get SIGKILL at once; the portal is started again on the same file (migrations and
SQLite's WAL recovery run as in production), takes one more booking, and then the database must
hold every acknowledged reference and pass `PRAGMA integrity_check`.

The peak resident memory (VmHWM) of each gunicorn worker is read just before the kill, so the
runs also give the peak memory of one portal worker under booking load.

What this does not show: a power cut or kernel crash (the page cache survives kill -9); that is
what synchronous=FULL is for, and it needs other hardware to test.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import sqlite3
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from bench_booking import Client, _free_port, _serve
from rowtype import Row

CONCURRENCY = 8
RUNS = 5
SECONDS = 3.0
SLUG = "abashiri"


def reference_of(cookie: str) -> str | None:
    """The reference in a Flask session cookie `session=…` (read, not verified: the server made it)."""
    value = cookie.split("=", 1)[1] if "=" in cookie else cookie
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".", 1)[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        data = zlib.decompress(data)
    done = json.loads(data).get("done")
    return done.get("reference") if isinstance(done, dict) else None


@dataclass
class Outcome:
    """What one kill-and-restart run found."""
    acknowledged: set[str] = field(default_factory=set)
    stored: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)   # unexpected answers before the kill
    integrity: str = ""
    worker_peak_kib: int = 0
    after_restart: bool = False                        # the restarted portal took a booking
    load_seconds: float = 0.0

    @property
    def lost(self) -> set[str]:
        return self.acknowledged - self.stored


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _kill_group(pgid: int, proc) -> None:
    os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:   # the workers too must be gone before the restart
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def _book(client: Client, body) -> tuple[int, str | None]:
    status, _ = client.call("POST", f"/{SLUG}/booking/submit", body)
    return status, (reference_of(client.cookie) if status == 302 else None)


def run_once(seconds: float = SECONDS, concurrency: int = CONCURRENCY) -> Outcome:
    """One run: load, kill -9 the process group after `seconds`, restart, compare."""
    out = Outcome()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port = _free_port()
        server = _serve(tmp, port)
        killed = threading.Event()
        lock = threading.Lock()
        try:
            clients = [Client(port) for _ in range(concurrency)]
            bodies = [c.prepare(SLUG) for c in clients]
            gate = threading.Barrier(concurrency + 1)

            def work(client: Client, body) -> None:
                gate.wait()
                while not killed.is_set():
                    try:
                        status, ref = _book(client, body)
                    except (OSError, http.client.HTTPException):
                        if killed.is_set():
                            return
                        raise
                    with lock:
                        if ref:
                            out.acknowledged.add(ref)
                        elif not killed.is_set():
                            out.errors.append(str(status))

            threads = [threading.Thread(target=work, args=(c, b)) for c, b in zip(clients, bodies)]
            for t in threads:
                t.start()
            gate.wait()
            began = time.perf_counter()
            time.sleep(seconds)
            out.worker_peak_kib = max((_vm_hwm_kib(p) for p in _children(server.pid)), default=0)
            killed.set()
            out.load_seconds = time.perf_counter() - began
            _kill_group(server.pid, server)
            for t in threads:
                t.join(timeout=60)
        finally:
            if server.poll() is None:
                _kill_group(server.pid, server)
        port = _free_port()
        server = _serve(tmp, port)   # migrate (WAL recovery) and start again on the same file
        try:
            client = Client(port)
            ref = _book(client, client.prepare(SLUG))[1]
            out.after_restart = ref is not None
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        con = sqlite3.connect(tmp / "bench.sqlite3")
        try:
            out.integrity = "; ".join(r[0] for r in con.execute("PRAGMA integrity_check"))
            out.stored = {r[0] for r in con.execute("SELECT reference FROM booking_requests")}
        finally:
            con.close()
        if ref:
            out.stored.discard(ref)
    return out


def rows() -> list[Row]:
    """Lost acknowledged bookings and integrity of each of RUNS kill -9 runs; worker peak memory."""
    found = []
    peaks = []
    for i in range(1, RUNS + 1):
        o = run_once()
        peaks.append(o.worker_peak_kib)
        in_flight = len(o.stored - o.acknowledged)
        note = f"{len(o.acknowledged)} acknowledged in {o.load_seconds:.1f} s, {in_flight} stored unanswered"
        if o.errors:
            note += f", {len(o.errors)} errors {sorted(set(o.errors))}"
        if not o.after_restart:
            note += ", restarted portal took NO booking"
        found.append(Row(f"durability run {i}: kill -9 under booking load (c={CONCURRENCY}); {note}",
                         f"{len(o.lost)} lost, integrity {o.integrity}", "0 lost, ok",
                         "met" if not o.lost and o.integrity == "ok" and o.after_restart else "MISSED"))
    found.append(Row(f"peak memory of one portal worker (VmHWM) under booking load, c={CONCURRENCY}",
                     f"{max(peaks) / 1024:.0f} MB", "-", "-"))
    return found
