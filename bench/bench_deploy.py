"""The national deployment on PostgreSQL (bench/stack.py: Debian's nginx with deploy/nginx/madoguchi.conf
and TLS, gunicorn hosts, one PostgreSQL with fsync on), in one run:

- booking submissions per second and p99 through nginx with one host, then with two hosts (each
  host 2 sync workers; 16 clients, a kept-alive TLS connection each, repeating the final POST of
  the flow with CSRF, as bench_booking does), errors (an answer other than the redirect, or an
  answer without its row);
- the limit: bare durable INSERTs per second straight into the same PostgreSQL from 16 connections;
- staff pages through nginx (queue, day schedule, request, home, week) with BENCH_DEPLOY_STAFF_ROWS
  stored requests (default 3,000,000, as bench_staff on SQLite), generated inside PostgreSQL
  (bench/pgfill.py).

The machine's load average is printed with the figures: on a shared 2-core machine every process
(clients, nginx, both hosts' workers, PostgreSQL) competes for the same two cores.
"""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

import pgfill
from rowtype import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONCURRENCY = int(os.environ.get("BENCH_DEPLOY_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_DEPLOY_SECONDS", "10"))
OFFICES = 544
STAFF_ROWS = int(os.environ.get("BENCH_DEPLOY_STAFF_ROWS", "3000000"))
STAFF_REQUESTS = int(os.environ.get("BENCH_DEPLOY_STAFF_REQUESTS", "100"))
TARGET_MS = 100.0


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else float("nan")


def _submit_body(b, slug: str) -> list[tuple[str, str]]:
    """The request form's fields as the submit POST takes them (no submission key: each POST stores)."""
    import webclient as wc

    fields, _ = wc.check_page(b, slug)
    return [(k, v) for k, v in fields if k != "submission_key"]


def _load(port: int, tls, slugs: list[str]) -> tuple[float, list[float], list[str], float]:
    """CONCURRENCY clients posting submissions for SECONDS; (per second, latencies ms, unexpected
    statuses, the share of one core the clients themselves used)."""
    import webclient as wc

    clients = [wc.Browser(port, tls) for _ in range(CONCURRENCY)]
    bodies = [_submit_body(c, slugs[i % len(slugs)]) for i, c in enumerate(clients)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(CONCURRENCY + 1)
    deadline = [0.0]

    def work(i: int) -> None:
        mine, client, slug = [], clients[i], slugs[i % len(slugs)]
        gate.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            try:
                status = client.go("POST", f"/{slug}/booking/submit", bodies[i]).status
            except OSError as exc:
                status = type(exc).__name__
            if status not in (302, 303):
                with lock:
                    errors.append(str(status))
                break
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CONCURRENCY)]
    for t in threads:
        t.start()
    started, cpu = time.perf_counter(), time.process_time()
    deadline[0] = started + SECONDS
    gate.wait()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors, (time.process_time() - cpu) / elapsed


def _bare_inserts(url: str) -> tuple[float, list[float]]:
    """Durable single-row INSERT commits per second from CONCURRENCY connections, for SECONDS."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, payload text NOT NULL)")
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def work() -> None:
        mine = []
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                conn.execute("INSERT INTO bench_rows (payload) VALUES (%s)", ("x" * 400,))
                mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies


def _count(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql).fetchone()[0]


def staff_pages(stack, tls) -> tuple[dict[str, list[float]], str]:
    """Latencies (ms) of the staff pages through nginx, logged in as a counsellor of the busiest office."""
    import webclient as wc
    from bench_staff import _pick_office
    from stack import STAFF_PASSWORD

    office, day = _pick_office(stack.content)
    stack.add_staff("benchstaff", office.slug)
    import psycopg

    with psycopg.connect(stack.database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        # A confirmed request (the detail page's fullest), else the newest (few rows: none confirmed).
        ref = conn.execute("SELECT reference FROM booking_requests WHERE office_slug = %s "
                           "ORDER BY status = 'confirmed' DESC, id DESC LIMIT 1", (office.slug,)).fetchone()[0]
    staff = wc.Browser(stack.nginx.https, tls)
    wc.staff_login(staff, "benchstaff", STAFF_PASSWORD)
    pages = {"queue": f"/staff/{office.slug}/", "schedule": f"/staff/{office.slug}/schedule?date={day}",
             "detail": f"/staff/{office.slug}/requests/{ref}", "home": "/staff/",
             "week": f"/staff/{office.slug}/week?date={day}"}
    found = {}
    for name, path in pages.items():
        for _ in range(10):
            staff.go("GET", path)
        times = []
        for _ in range(STAFF_REQUESTS):
            t0 = time.perf_counter()
            status = staff.go("GET", path).status
            times.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status}")
        found[name] = times
    return found, office.slug


def rows() -> list[Row]:
    """One host vs two through nginx on PostgreSQL, the bare-insert limit, staff pages at STAFF_ROWS."""
    from stack import Nginx, Stack

    stack = Stack(hosts=2, offices=OFFICES, durable=True, PORTAL_RATELIMIT_SUBMIT="1000000 per minute")
    try:
        (stack.base / "nginx1").mkdir()
        single = Nginx(stack.base / "nginx1", [stack.hosts[0].port], stack.site)
        single.start()
        try:
            tls = stack.nginx.tls()
            slugs = [o.name for o in sorted(stack.content.iterdir()) if o.is_dir()][:CONCURRENCY]
            before = _count(stack.database_url, "SELECT count(*) FROM booking_requests")
            one_rate, one_ms, one_err, one_cpu = _load(single.https, single.tls(), slugs)
            load_one = os.getloadavg()
            two_rate, two_ms, two_err, two_cpu = _load(stack.nginx.https, tls, slugs)
            load_two = os.getloadavg()
        finally:
            single.stop()
        stored = _count(stack.database_url, "SELECT count(*) FROM booking_requests") - before
        print(f"  bench_deploy: one host {one_rate:.0f}/s p99 {_pct(one_ms, 99):.1f} ms ({len(one_err)} errors, "
              f"load {load_one[0]:.1f}); two hosts {two_rate:.0f}/s p99 {_pct(two_ms, 99):.1f} ms "
              f"({len(two_err)} errors, load {load_two[0]:.1f}); {stored} rows", file=sys.stderr, flush=True)
        bare_rate, bare_ms = _bare_inserts(stack.database_url)
        dsn = stack.database_url.replace("postgresql+psycopg://", "postgresql://")
        made = pgfill.fill(dsn, stack.content, STAFF_ROWS) if STAFF_ROWS else 0.0
        count = _count(stack.database_url, "SELECT count(*) FROM booking_requests")
        pages, office = staff_pages(stack, tls)
        load_staff = os.getloadavg()
    finally:
        stack.close()
    answered = len(one_ms) + len(two_ms)
    errors = len(one_err) + len(two_err) + abs(stored - answered)
    where = f"c={CONCURRENCY}, 2 sync workers per host, nginx TLS, PostgreSQL fsync on"
    load = lambda la: f"load {la[0]:.1f}"  # noqa: E731
    out = [
        Row(f"deploy: booking errors ({answered} submissions; statuses {','.join(sorted(set(one_err + two_err))) or '-'}; "
            f"{stored} rows)", str(errors), "target 0", "met" if errors == 0 else "MISSED"),
        Row(f"deploy: submissions/s, one host ({where}; {load(load_one)}; clients used {one_cpu:.2f} core)",
            f"{one_rate:.0f}/s",
            f"bare insert {bare_rate:.0f}/s", f"{one_rate / bare_rate:.2f}"),
        Row(f"deploy: submissions/s, two hosts ({load(load_two)}; clients used {two_cpu:.2f} core)", f"{two_rate:.0f}/s",
            f"one host {one_rate:.0f}/s (goal 1.6x)", f"{two_rate / one_rate:.2f}"),
        Row(f"deploy: p50 of a submission, one host / two hosts: {_pct(one_ms, 50):.1f} / {_pct(two_ms, 50):.1f} ms; p99",
            f"{_pct(one_ms, 99):.1f} / {_pct(two_ms, 99):.1f} ms",
            f"target {TARGET_MS:.0f} ms", f"{max(_pct(one_ms, 99), _pct(two_ms, 99)) / TARGET_MS:.2f}"),
        Row("deploy: bare INSERT commit on PostgreSQL, p50 / p99", f"{_pct(bare_ms, 50):.1f} / {_pct(bare_ms, 99):.1f} ms",
            "-", "-"),
    ]
    if made:
        out.append(Row(f"deploy: generate {STAFF_ROWS:,} requests inside PostgreSQL", f"{made:.0f} s", "-", "-"))
    for name, ms in pages.items():
        out.append(Row(f"deploy: staff {name} through nginx, {count:,} requests, {office} ({load(load_staff)}): "
                       f"p50 / p99 of {len(ms)}", f"{_pct(ms, 50):.1f} / {_pct(ms, 99):.1f} ms",
                       f"target p99 {TARGET_MS:.0f} ms", f"{_pct(ms, 99) / TARGET_MS:.2f}"))
    return out


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(ROOT)]
    for r in rows():
        print(r)
