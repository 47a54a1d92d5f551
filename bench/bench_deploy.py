"""The national deployment on PostgreSQL (bench/stack.py: Debian's nginx with deploy/nginx/madoguchi.conf
and TLS, gunicorn hosts, one PostgreSQL with fsync on), in one run:

- scale-out: booking submissions per second through nginx to one host, then two, where each host
  has a fixed CPU budget of its own (BENCH_DEPLOY_HOST_CPU cores, a cgroup quota: bench/cpuquota.py),
  as separate machines would; the goal is two hosts ≥ 1.6× one;
- the same on the whole machine (hosts without a budget): on 2 cores the clients, nginx, every
  worker and PostgreSQL share the same CPUs, so this shows what the machine, not the portal, allows;
- latency: submissions at a steady BENCH_DEPLOY_RATE per second (open loop, timed from each one's
  due moment) to one and two hosts; the goal is p99 ≤ 100 ms. Under the saturating load above, 16
  clients queue for 4 workers and the latency is mostly that queue;
- errors over all runs (an answer other than the redirect, or an answer without its row);
- the limit: bare durable INSERTs per second straight into the same PostgreSQL from 16 connections;
- staff pages through nginx (queue, day schedule, request, home, week) with BENCH_DEPLOY_STAFF_ROWS
  stored requests (default 3,000,000, as bench_staff on SQLite), generated inside PostgreSQL
  (bench/pgfill.py); 0 skips them.

Each host runs 2 sync workers; the closed-loop runs use 16 clients with a kept-alive TLS connection
each, repeating the final POST of the flow with CSRF as bench_booking does, after a 2 s warm-up.
The machine's load average is printed with the figures.
"""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
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
HOST_CPU = float(os.environ.get("BENCH_DEPLOY_HOST_CPU", "0.5"))   # each budgeted host's share of the cores
WARM_SECONDS = 2.0
RATE = float(os.environ.get("BENCH_DEPLOY_RATE", "30"))            # the steady rate whose p99 is the target


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else float("nan")


def _submit_body(b, slug: str) -> list[tuple[str, str]]:
    """The request form's fields as the submit POST takes them (no submission key: each POST stores)."""
    import webclient as wc

    fields, _ = wc.check_page(b, slug)
    return [(k, v) for k, v in fields if k != "submission_key"]


def _load(port: int, tls, slugs: list[str], seconds: float = SECONDS) -> tuple[float, list[float], list[str], float]:
    """CONCURRENCY clients posting submissions for `seconds`; (per second, latencies ms, unexpected
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
    deadline[0] = started + seconds
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


def _steady(port: int, tls, slugs: list[str], rate: float) -> tuple[list[float], list[str]]:
    """Submissions sent at a steady `rate` per second for SECONDS (open loop: each has its time,
    whether or not earlier ones were answered), spread over CONCURRENCY clients; (latencies ms from
    each submission's scheduled time, so a backlog counts in full; unexpected statuses)."""
    import webclient as wc

    clients = [wc.Browser(port, tls) for _ in range(CONCURRENCY)]
    bodies = [_submit_body(c, slugs[i % len(slugs)]) for i, c in enumerate(clients)]
    total = int(rate * SECONDS)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    turn = iter(range(total))
    start = time.perf_counter() + 0.5

    def work(i: int) -> None:
        client, slug = clients[i], slugs[i % len(slugs)]
        while True:
            with lock:
                n = next(turn, None)
            if n is None:
                return
            due = start + n / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            try:
                status = client.go("POST", f"/{slug}/booking/submit", bodies[i]).status
            except OSError as exc:
                status = type(exc).__name__
            with lock:
                if status in (302, 303):
                    latencies.append((time.perf_counter() - due) * 1000)
                else:
                    errors.append(str(status))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    return latencies, errors


@dataclass
class Run:
    """One load run: its label, rate, latencies, errors, load average after, and CPU used by hosts."""
    label: str
    rate: float
    ms: list[float]
    errors: list[str]
    load: float
    host_cores: list[float] = field(default_factory=list)
    throttled: list[int] = field(default_factory=list)
    warm: int = 0   # submissions answered while warming up (stored, not timed)


def _closed(label: str, proxy, slugs: list[str], hosts=()) -> Run:
    """CONCURRENCY clients as fast as the hosts answer, through proxy; the hosts' CPU use measured."""
    from cpuquota import session_seconds

    warm = _load(proxy.https, proxy.tls(), slugs, WARM_SECONDS)   # every worker past its first requests
    before = [session_seconds(h.proc.pid) for h in hosts]
    throttled = [h.cpu.throttled() if h.cpu else 0 for h in hosts]
    started = time.perf_counter()
    rate, ms, errors, _clients = _load(proxy.https, proxy.tls(), slugs)
    elapsed = time.perf_counter() - started
    cores = [(session_seconds(h.proc.pid) - b) / elapsed for h, b in zip(hosts, before)]
    throttled = [(h.cpu.throttled() if h.cpu else 0) - t for h, t in zip(hosts, throttled)]
    return Run(label, rate, ms, warm[2] + errors, os.getloadavg()[0], cores, throttled, len(warm[1]))


def _proxy(stack, name: str, hosts) -> "Nginx":
    from stack import Nginx

    (stack.base / name).mkdir()
    proxy = Nginx(stack.base / name, [h.port for h in hosts], stack.site)
    proxy.start()
    return proxy


def _budgeted_hosts(stack) -> list:
    """Two more hosts, each in its own cgroup of HOST_CPU cores (bench/cpuquota.py)."""
    from cpuquota import CpuQuota
    from stack import Host

    hosts = [Host(f"budget{n}", stack.env, stack.base, cpu=CpuQuota(f"host{n}", HOST_CPU)) for n in (1, 2)]
    for h in hosts:
        h.launch()
    for h in hosts:
        h.wait_ready()
    return hosts


def rows() -> list[Row]:
    """Scale-out on hosts of a fixed budget, the whole machine, a steady rate, the bare-insert limit,
    staff pages at STAFF_ROWS."""
    from cpuquota import CpuQuota
    from stack import Stack

    stack = Stack(hosts=2, offices=OFFICES, durable=True, PORTAL_RATELIMIT_SUBMIT="1000000 per minute")
    runs: list[Run] = []
    extra, proxies = [], []
    try:
        slugs = [o.name for o in sorted(stack.content.iterdir()) if o.is_dir()][:CONCURRENCY]
        before = _count(stack.database_url, "SELECT count(*) FROM booking_requests")
        if CpuQuota.available():
            extra = _budgeted_hosts(stack)
            proxies += [_proxy(stack, "nginx-b1", extra[:1]), _proxy(stack, "nginx-b2", extra)]
            runs.append(_closed(f"one host of {HOST_CPU:g} core", proxies[-2], slugs, extra[:1]))
            runs.append(_closed(f"two hosts of {HOST_CPU:g} core", proxies[-1], slugs, extra))
            for h in extra:
                h.stop()
        proxies.append(_proxy(stack, "nginx1", stack.hosts[:1]))
        runs.append(_closed("one host, whole machine", proxies[-1], slugs, stack.hosts[:1]))
        runs.append(_closed("two hosts, whole machine", stack.nginx, slugs, stack.hosts))
        for label, proxy in ((f"one host at {RATE:g}/s", proxies[-1]), (f"two hosts at {RATE:g}/s", stack.nginx)):
            ms, errors = _steady(proxy.https, proxy.tls(), slugs, RATE)
            runs.append(Run(label, RATE, ms, errors, os.getloadavg()[0]))
        for proxy in proxies:
            proxy.stop()
        proxies = []
        stored = _count(stack.database_url, "SELECT count(*) FROM booking_requests") - before
        print("  bench_deploy: " + "; ".join(f"{r.label} {r.rate:.0f}/s p99 {_pct(r.ms, 99):.1f} ms "
                                              f"({len(r.errors)} errors, load {r.load:.1f})" for r in runs),
              file=sys.stderr, flush=True)
        bare_rate, bare_ms = _bare_inserts(stack.database_url)
        dsn = stack.database_url.replace("postgresql+psycopg://", "postgresql://")
        made = pgfill.fill(dsn, stack.content, STAFF_ROWS) if STAFF_ROWS else 0.0
        count = _count(stack.database_url, "SELECT count(*) FROM booking_requests")
        pages, office = staff_pages(stack, stack.nginx.tls()) if STAFF_ROWS else ({}, "")
        load_staff = os.getloadavg()
    finally:
        for proxy in proxies:
            proxy.stop()
        for h in extra:
            h.stop()
            h.cpu.close()
        stack.close()
    return _table(runs, stored, bare_rate, bare_ms, made, count, pages, office, load_staff)


def _table(runs: list[Run], stored: int, bare_rate: float, bare_ms: list[float], made: float, count: int,
           pages: dict[str, list[float]], office: str, load_staff) -> list[Row]:
    answered = sum(len(r.ms) + r.warm for r in runs)
    statuses = sorted({e for r in runs for e in r.errors})
    errors = sum(len(r.errors) for r in runs) + abs(stored - answered)
    by = {r.label: r for r in runs}
    where = f"c={CONCURRENCY}, 2 sync workers per host, nginx TLS, PostgreSQL fsync on"
    out = [Row(f"deploy: booking errors ({answered} submissions; statuses {','.join(statuses) or '-'}; "
               f"{stored} rows)", str(errors), "target 0", "met" if errors == 0 else "MISSED")]
    budget = [r for r in runs if "core" in r.label]
    if budget:
        one, two = budget
        use = lambda r: " + ".join(f"{c:.2f}" for c in r.host_cores)  # noqa: E731
        out += [
            Row(f"deploy: submissions/s, {one.label} (cgroup quota; used {use(one)} core, throttled in "
                f"{sum(one.throttled)} periods; {where}; load {one.load:.1f})", f"{one.rate:.0f}/s", "-", "-"),
            Row(f"deploy: submissions/s, {two.label} each (used {use(two)} core, throttled in "
                f"{sum(two.throttled)} periods; load {two.load:.1f})", f"{two.rate:.0f}/s",
                f"one host {one.rate:.0f}/s (goal 1.6x)", f"{two.rate / one.rate:.2f}"),
        ]
    else:
        out.append(Row("deploy: hosts of a fixed budget (needs root and a writable cpu cgroup)", "skipped", "-", "-"))
    one, two = by["one host, whole machine"], by["two hosts, whole machine"]
    out += [
        Row(f"deploy: submissions/s, {one.label} (hosts used {one.host_cores[0]:.2f} core; load {one.load:.1f})",
            f"{one.rate:.0f}/s", f"bare insert {bare_rate:.0f}/s", f"{one.rate / bare_rate:.2f}"),
        Row(f"deploy: submissions/s, {two.label} (hosts used {' + '.join(f'{c:.2f}' for c in two.host_cores)} core; "
            f"load {two.load:.1f}: the 2 cores are the limit)", f"{two.rate:.0f}/s",
            f"one host {one.rate:.0f}/s", f"{two.rate / one.rate:.2f}"),
        Row(f"deploy: p50 / p99 of a submission at saturation ({CONCURRENCY} clients queue), one / two hosts",
            f"{_pct(one.ms, 50):.0f} / {_pct(one.ms, 99):.0f}, {_pct(two.ms, 50):.0f} / {_pct(two.ms, 99):.0f} ms",
            "-", "-"),
    ]
    for r in runs:
        if "/s" in r.label:
            out.append(Row(f"deploy: submission latency, {r.label} steady (open loop, from each one's due time; "
                           f"load {r.load:.1f}): p50 / p99 of {len(r.ms)}",
                           f"{_pct(r.ms, 50):.1f} / {_pct(r.ms, 99):.1f} ms", f"target p99 {TARGET_MS:.0f} ms",
                           f"{_pct(r.ms, 99) / TARGET_MS:.2f}"))
    out.append(Row("deploy: bare INSERT commit on PostgreSQL, p50 / p99",
                   f"{_pct(bare_ms, 50):.1f} / {_pct(bare_ms, 99):.1f} ms", "-", "-"))
    if made:
        out.append(Row(f"deploy: generate {STAFF_ROWS:,} requests inside PostgreSQL", f"{made:.0f} s", "-", "-"))
    for name, ms in pages.items():
        out.append(Row(f"deploy: staff {name} through nginx, {count:,} requests, {office} "
                       f"(load {load_staff[0]:.1f}): p50 / p99 of {len(ms)}",
                       f"{_pct(ms, 50):.1f} / {_pct(ms, 99):.1f} ms",
                       f"target p99 {TARGET_MS:.0f} ms", f"{_pct(ms, 99) / TARGET_MS:.2f}"))
    return out


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(ROOT)]
    for r in rows():
        print(r)
