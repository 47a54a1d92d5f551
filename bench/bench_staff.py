"""Staff pages with 3,000,000 stored requests across 544 synthetic offices, under gunicorn.

The database is made with the project's own migrations, then filled in one transaction with
sqlite3 executemany: every request with 1–3 preferred slots and a consent pinned to its office's
stored terms text; about 70 % hold an appointment on a real slot of their office's grid (past ones
completed, no-show or cancelled, future ones confirmed), the rest are cancelled, and the last days'
are new ("requested"). The file is cached in bench/out/ under a version string, so re-runs only
migrate it (a new migration is applied to the cached file like to a live one).

Rows: p50 and p99 latency of the staff queue of one office, that office's schedule of a full day,
one request's detail page, its audit log filtered by day and user, its accounts page, and the
booking form (open slots), each logged in (an office admin of that office) and requested one at a
time, a connection per request, after a warm-up.
"""
from __future__ import annotations

import bisect
import datetime as dt
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from rowtype import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
VERSION = "staff-v1"                        # bump when the generated data changes shape
ROWS = int(os.environ.get("BENCH_STAFF_ROWS", "3000000"))
OFFICES = 544
REQUESTS = int(os.environ.get("BENCH_STAFF_REQUESTS", "250"))   # timed requests per page
WARMUP = 20
WORKERS = 2
TARGET_MS = 50.0
UTC = dt.timezone.utc
TODAY = dt.date(2026, 11, 20)               # the data is made around a fixed day, not the clock
HISTORY_DAYS = 3 * 365
_ALPHABET = "3467ACDEFGHJKMNPQRTUVWXY"
_FMT = "%Y-%m-%d %H:%M:%S.%f"               # SQLAlchemy's DateTime text on SQLite (naive UTC)
PASSWORD = "bench password 1234"


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime(_FMT)


def _reference(n: int) -> str:
    """A unique reference for row n (a bijection of n onto 24**8, so no two rows share one)."""
    x = (n * 2_654_435_761 + 12_345) % 24 ** 8
    chars = []
    for _ in range(8):
        x, d = divmod(x, 24)
        chars.append(_ALPHABET[d])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def paths() -> tuple[Path, Path]:
    """(content folder, database file) of the cached data set."""
    folder = OUT / f"{VERSION}-{ROWS}"
    return folder / "content", folder / "portal.sqlite3"


def _office_rows(office, quota: int, first_id: int, terms, rng: random.Random, now: dt.datetime):
    """The rows of one office: requests, preferred slots, consents, appointments."""
    from portal import rules

    policy = office.slot_policy()
    start_day = TODAY - dt.timedelta(days=HISTORY_DAYS)
    places = []   # (start, place) of every slot of the office's grid, in time order
    for i in range(HISTORY_DAYS + 28):
        for slot in rules.slots_on(policy, start_day + dt.timedelta(days=i)):
            for place in range(1, policy.capacity + 1):
                places.append((slot.start, place))
    appointed = sorted(rng.sample(range(len(places)), min(int(quota * 0.7), len(places))))
    reqs, slots, consents, appts = [], [], [], []
    elig = ",".join(c.id for c in office.config.eligibility)
    statement, label = terms.statement, terms.revision_label
    n = first_id

    def add(created: dt.datetime, status: str, wishes: list[dt.datetime]) -> int:
        nonlocal n
        n += 1
        num = f"{rng.randint(10000, 99999)}-{rng.randint(10000000, 99999999)}"
        phone = f"090{rng.randint(10000000, 99999999)}"
        reqs.append((n, _reference(n), office.slug, status, _ts(created), "網走 花子", "アバシリ ハナコ", num,
                     num, phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", None, "", "", elig))
        for rank, wish in enumerate(wishes, 1):
            slots.append((n, rank, _ts(wish)))
        consents.append((n, terms.sha256, label, statement, _ts(created)))
        return n

    def wishes_near(first: dt.datetime) -> list[dt.datetime]:
        out = [first]
        for _ in range(rng.choice([0, 0, 1, 2])):
            other = places[rng.randrange(len(places))][0]
            if other not in out:
                out.append(other)
        return out

    for i in appointed:
        start, place = places[i]
        created = start - dt.timedelta(days=rng.randint(2, 12), minutes=rng.randint(0, 600))
        if start > now:
            status = "confirmed"
        else:
            status = rng.choices(["completed", "no_show", "cancelled"], [85, 5, 10])[0]
        rid = add(created, status, wishes_near(start))
        channel = rng.choice(["phone", "mypage", "email"])
        appts.append((rid, office.slug, _ts(start), None if status == "cancelled" else place, channel,
                      _ts(created + dt.timedelta(days=1)), None))
    starts = [p for p, _ in places]
    history_start = dt.datetime.combine(start_day, dt.time(9), tzinfo=UTC)
    for _ in range(quota - len(appointed)):
        if rng.random() < 0.01:   # new requests of the last ten days: the queue's top
            created = now - dt.timedelta(minutes=rng.randint(1, 10 * 24 * 60))
            status = "requested"
        else:
            created = history_start + dt.timedelta(minutes=rng.randint(0, (HISTORY_DAYS - 10) * 24 * 60))
            status = "cancelled"
        k = min(bisect.bisect_right(starts, created) + rng.randint(0, 20), len(places) - 1)
        add(created, status, wishes_near(places[k][0]))
    return reqs, slots, consents, appts


def _generate(content: Path, database: Path) -> None:
    """Make the content folder and the filled database (in a temporary name, renamed at the end)."""
    from synth import generate

    from portal.offices import load_offices
    from portal.web import db
    from portal.web.consent import current_terms

    content.parent.mkdir(parents=True, exist_ok=True)
    generate(content, OFFICES)
    part = database.with_name(database.name + ".part")
    for p in (part, part.with_name(part.name + "-wal"), part.with_name(part.name + "-shm")):
        p.unlink(missing_ok=True)
    db.migrate(f"sqlite:///{part}")
    now = dt.datetime.combine(TODAY, dt.time(3), tzinfo=UTC)
    offices = load_offices(content)
    con = sqlite3.connect(part, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")   # one big load; WAL again at the end
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    con.execute("BEGIN")
    rng = random.Random(8)
    next_id = 0
    for k, office in enumerate(offices):
        quota = ROWS // len(offices) + (1 if k < ROWS % len(offices) else 0)
        terms = current_terms(office, now)
        con.execute("INSERT OR IGNORE INTO terms_versions VALUES (?, ?, ?, ?, ?, ?)",
                    (terms.sha256, office.slug, terms.revision_label, terms.title, terms.text, _ts(now)))
        reqs, slots, consents, appts = _office_rows(office, quota, next_id, terms, rng, now)
        next_id += len(reqs)
        con.executemany("INSERT INTO booking_requests (id, reference, office_slug, status, created_at, name, kana, "
                        "seeker_number, seeker_number_typed, phone, phone_typed, email, companions, "
                        "companion_note, eligibility) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", reqs)
        con.executemany("INSERT INTO preferred_slots (request_id, rank, starts_at) VALUES (?,?,?)", slots)
        con.executemany("INSERT INTO consents (request_id, terms_sha256, revision_label, statement, agreed_at) "
                        "VALUES (?,?,?,?,?)", consents)
        con.executemany("INSERT INTO appointments (request_id, office_slug, starts_at, place_no, details_channel, "
                        "details_sent_at, previous_request_id) VALUES (?,?,?,?,?,?,?)", appts)
        if k % 50 == 0:
            print(f"  bench_staff: {k}/{len(offices)} offices, {next_id} requests", file=sys.stderr, flush=True)
    con.execute("COMMIT")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    part.rename(database)


def ensure_data() -> tuple[Path, Path, float]:
    """The cached content and database (generated when missing); seconds spent generating."""
    content, database = paths()
    if database.exists():
        return content, database, 0.0
    began = time.perf_counter()
    _generate(content, database)
    return content, database, time.perf_counter() - began


def _pick_office(content: Path):
    """The office with the most places per day, and its first open day on or after TODAY."""
    from portal import rules
    from portal.offices import load_offices

    best = None
    for office in load_offices(content):
        policy = office.slot_policy()
        day = next(TODAY + dt.timedelta(days=i) for i in range(30) if rules.slots_on(policy, TODAY + dt.timedelta(days=i)))
        size = len(rules.slots_on(policy, day)) * policy.capacity
        if best is None or size > best[0]:
            best = (size, office, day)
    return best[1], best[2]


def _serve(content: Path, database: Path, port: int, tmp: Path) -> subprocess.Popen:
    env = dict(os.environ, PORTAL_DATABASE_URL=f"sqlite:///{database}", PORTAL_CONTENT_DIR=str(content),
               PORTAL_INSTANCE_DIR=str(tmp), PORTAL_SITE_DIR=str(tmp), PORTAL_SECRET_KEY=os.urandom(16).hex(),
               PORTAL_RATELIMIT_SUBMIT="1000000 per minute", PORTAL_STAFF_RATELIMIT_LOGIN="1000 per minute",
               PORTAL_STAFF_MFA_REQUIRED="none")   # the pages are measured, not the login's second step
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--log-level", "warning", "portal.web:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited")
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


def _add_staff(content: Path, database: Path, tmp: Path, slug: str) -> str:
    """A staff member of slug, made with the real `flask staff add` command; returns the username."""
    from portal.web import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "CONTENT_DIR": str(content), "INSTANCE_DIR": str(tmp),
                      "SECRET_KEY": "x", "STAFF_ARGON2_MEMORY_KIB": 1024})
    username = f"bench{os.getpid()}{int(time.time())}"
    result = app.test_cli_runner().invoke(args=["staff", "add", username, "--password-stdin", "--office",
                                                f"{slug}:office_admin"], input=PASSWORD + "\n")
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return username


def _today_tokyo() -> str:
    """Today in Tokyo: the server's clock stamps the audit entries the filtered audit page finds."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date().isoformat()


def _timed(client, path: str, expect: int = 200) -> list[float]:
    for _ in range(WARMUP):
        client.call("GET", path)
    out = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        status, _ = client.call("GET", path)
        out.append((time.perf_counter() - t0) * 1000)
        if status != expect:
            raise RuntimeError(f"GET {path}: {status}")
    return out


def measure(content: Path, database: Path, only: tuple[str, ...] = ()) -> dict[str, list[float]]:
    """Latencies in ms of each staff page (and the booking form), on a fresh gunicorn."""
    import tempfile

    from bench_booking import Client, _free_port

    from portal.web import db

    db.migrate(f"sqlite:///{database}")
    office, day = _pick_office(content)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        username = _add_staff(content, database, tmp, office.slug)
        con = sqlite3.connect(database)
        ref = con.execute("SELECT reference FROM booking_requests WHERE office_slug = ? AND status = 'confirmed' "
                          "ORDER BY id DESC LIMIT 1", (office.slug,)).fetchone()[0]
        con.close()
        port = _free_port()
        server = _serve(content, database, port, tmp)
        try:
            staff = Client(port)
            _, page = staff.call("GET", "/staff/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            status, _ = staff.call("POST", "/staff/login", {"csrf_token": token, "username": username,
                                                            "password": PASSWORD})
            if status != 303:
                raise RuntimeError(f"staff login: {status}")
            pages = {"queue": f"/staff/{office.slug}/",
                     "schedule": f"/staff/{office.slug}/schedule?date={day.isoformat()}",
                     "detail": f"/staff/{office.slug}/requests/{ref}",
                     "home": "/staff/",
                     "week": f"/staff/{office.slug}/week?date={day.isoformat()}",
                     "new": f"/staff/{office.slug}/new",
                     # The audit log is filled by the timed pages before it: one user, one day.
                     "audit": f"/staff/{office.slug}/audit?date={_today_tokyo()}&user={username}",
                     "accounts": f"/staff/{office.slug}/accounts"}
            found = {name: _timed(staff, path) for name, path in pages.items() if not only or name in only}
            if not only or "form" in only:
                seeker = Client(port)
                seeker.prepare(office.slug)
                found["form"] = _timed(seeker, f"/{office.slug}/booking/request")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    found["_office"] = office.slug   # type: ignore[assignment]
    found["_day"] = day.isoformat()  # type: ignore[assignment]
    return found


def rows() -> list[Row]:
    """p50/p99 of the staff queue, the day's schedule, a request, the audit log, the accounts page and
    the booking form at 3M rows."""
    from bench_booking import _pct

    content, database, made = ensure_data()
    found = measure(content, database)
    office, day = found.pop("_office"), found.pop("_day")
    count = sqlite3.connect(database).execute("SELECT count(*) FROM booking_requests").fetchone()[0]
    where = f"{count:,} requests, {OFFICES} offices, {office}"
    labels = {"queue": f"staff queue page (newest 500 of the office; {where})",
              "schedule": f"staff schedule of one full day ({day})",
              "detail": "staff request detail page (history check, free slots)",
              "home": "staff home (counts of new and open requests of the office)",
              "week": f"staff week view of {day}'s week",
              "new": "staff new-booking form (free slots up to the horizon)",
              "audit": "staff audit log filtered by day and user (newest 200, references joined)",
              "accounts": "staff accounts page of the office",
              "form": "booking form page (open slots) with the same data"}
    out = []
    if made:
        out.append(Row(f"staff data: generate {count:,} requests (cached in bench/out/)", f"{made:.0f} s", "-", "-"))
    for name, label in labels.items():
        ms = found[name]
        p50, p99 = _pct(ms, 50), _pct(ms, 99)
        out.append(Row(f"{label}: p50 / p99 of {len(ms)}", f"{p50:.1f} / {p99:.1f} ms", f"target p99 {TARGET_MS:.0f} ms",
                       f"{p99 / TARGET_MS:.2f}"))
    return out


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(ROOT)]
    for r in rows():
        print(r)
