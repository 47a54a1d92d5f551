"""Booking submissions under the production server: gunicorn on loopback, 16 concurrent clients,
CSRF included; peer: a bare durable SQLite insert on the same server (connection kept per worker),
and the same insert opening a connection per request.

Each client passes the eligibility questions once, reads the form (CSRF token, terms hash, a slot)
and then repeats the final POST /<office>/booking/submit, which validates everything again and
stores a request with its slot and pinned consent (302 to the confirmation).
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from rowtype import Row

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CONCURRENCY = 16
SECONDS = 6.0
WORKERS = 2


# --- server side (imported by gunicorn: bench_booking:bench_app()) ------------------------------

def bench_app():
    """The portal app plus two bare insert endpoints (CSRF-exempt, no rate limit) for the peers."""
    from sqlalchemy import text

    from portal.web import create_app, db
    from portal.web.security import csrf

    app = create_app()
    engine = db.engine_of(app)
    path = engine.url.database

    @csrf.exempt
    def bare_pooled():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_rows (payload) VALUES (:p)"), {"p": "x" * 200})
        return "ok"

    @csrf.exempt
    def bare_fresh():
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("INSERT INTO bench_rows (payload) VALUES (?)", ("x" * 200,))
            conn.commit()
        finally:
            conn.close()
        return "ok"

    app.add_url_rule("/bench/bare-pooled", "bare_pooled", bare_pooled, methods=["POST"])
    app.add_url_rule("/bench/bare-fresh", "bare_fresh", bare_fresh, methods=["POST"])
    return app


# --- client side ----------------------------------------------------------------------------------

class Client:
    """One seeker with its own cookie, talking HTTP/1.0-style (a connection per request)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def call(self, method: str, path: str, body: dict | list | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return resp.status, text

    def prepare(self, slug: str) -> list[tuple[str, str]]:
        """Pass eligibility, read the form; the body of a valid final submit."""
        _, page = self.call("GET", f"/{slug}/booking/eligibility")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answers = {name: "yes" for name in set(re.findall(r'name="(q_[a-z_]+)"', page))}
        self.call("POST", f"/{slug}/booking/eligibility", {"csrf_token": token, **answers})
        _, page = self.call("GET", f"/{slug}/booking/request")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        sha = re.search(r'name="terms_sha256" value="([0-9a-f]{64})"', page).group(1)
        slot = re.search(r'name="slot1" value="(\d{4}-\d\d-\d\dT\d\d:\d\d)"', page).group(1)
        return [("csrf_token", token), ("terms_sha256", sha), ("name", "網走 花子"), ("kana", "アバシリ ハナコ"),
                ("seeker_number", "01234-12345678"), ("phone", "090-1234-5678"), ("email", ""),
                ("slot1", slot), ("slot2", ""), ("slot3", ""), ("companion_note", ""), ("consent", "y")]


def _load(port: int, path_of, body_of, expect: int) -> tuple[float, list[float], list[str]]:
    """Run CONCURRENCY clients for SECONDS; returns (requests per second, latencies in ms of the
    expected answers, the status of each unexpected one: a client stops at its first)."""
    clients = [Client(port) for _ in range(CONCURRENCY)]
    bodies = [body_of(c) for c in clients]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(CONCURRENCY + 1)
    deadline = [0.0]

    def work(client: Client, body) -> None:
        mine = []
        start_gate.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            status, _ = client.call("POST", path_of(client), body)
            if status != expect:
                errors.append(str(status))
                break
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(c, b)) for c, b in zip(clients, bodies)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline[0] = started + SECONDS
    start_gate.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp: Path, port: int) -> subprocess.Popen:
    from portal.web import db
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    db.migrate(url)
    con = sqlite3.connect(tmp / "bench.sqlite3")
    con.execute("CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    con.commit()
    con.close()
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=str(tmp), PORTAL_SECRET_KEY=os.urandom(16).hex(),
               PORTAL_RATELIMIT_SUBMIT="1000000 per minute", PORTAL_SITE_DIR=str(tmp))
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--pythonpath", f"{HERE},{ROOT}", "--log-level", "warning", "bench_booking:bench_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def rows() -> list[Row]:
    """Submissions per second and p50/p99 latency at concurrency 16, against bare inserts."""
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        server = _serve(Path(tmp), port)
        try:
            slug = "abashiri"
            book_rate, book_ms, book_errors = _load(port, lambda c: f"/{slug}/booking/submit",
                                                    lambda c: c.prepare(slug), 302)
            bare_rate, bare_ms, bare_errors = _load(port, lambda c: "/bench/bare-pooled", lambda c: [("p", "x")], 200)
            fresh_rate, _, _ = _load(port, lambda c: "/bench/bare-fresh", lambda c: [("p", "x")], 200)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        stored = sqlite3.connect(Path(tmp) / "bench.sqlite3").execute(
            "SELECT count(*) FROM booking_requests").fetchone()[0]
    where = f"c={CONCURRENCY}, gunicorn {WORKERS} sync workers, loopback"
    # An error: an answer other than the redirect to the done page, or an answer without its row.
    errors = len(book_errors) + abs(stored - len(book_ms))
    kinds = ", ".join(sorted(set(book_errors))) or "-"
    return [
        Row(f"booking: errors ({len(book_ms) + len(book_errors)} submissions; statuses {kinds}; "
            f"{stored} rows for {len(book_ms)} answers)", str(errors), f"target 0 (bare insert {len(bare_errors)})",
            "met" if errors == 0 else "MISSED"),
        Row(f"booking: submissions/s ({where}, CSRF, SQLite FULL)", f"{book_rate:.0f}/s",
            f"bare insert {bare_rate:.0f}/s", f"{book_rate / bare_rate:.2f}"),
        Row("booking: p50 latency of a submission", f"{_pct(book_ms, 50):.1f} ms",
            f"bare insert {_pct(bare_ms, 50):.1f} ms", f"{_pct(book_ms, 50) / _pct(bare_ms, 50):.2f}"),
        Row("booking: p99 latency of a submission", f"{_pct(book_ms, 99):.1f} ms",
            f"bare insert {_pct(bare_ms, 99):.1f} ms", f"{_pct(book_ms, 99) / _pct(bare_ms, 99):.2f}"),
        Row("bare insert: connection opened per request", f"{fresh_rate:.0f}/s",
            f"kept per worker {bare_rate:.0f}/s", f"{fresh_rate / bare_rate:.2f}"),
    ]
