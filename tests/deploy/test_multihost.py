"""Two portal hosts behind Debian's nginx (the repository's deploy/nginx/madoguchi.conf, TLS) on one
PostgreSQL, with 544 synthetic offices: the site, the limits and headers of nginx, and under booking
load the guarantees of issue 20 (one place taken once, sessions and rate limits shared across hosts,
failover after kill -9, recovery after a PostgreSQL restart, nothing acknowledged lost)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import webclient as wc  # noqa: E402
from stack import STAFF_PASSWORD, Stack  # noqa: E402

from portal.offices import load_offices  # noqa: E402
from portal.web.security import HEADERS  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CHECK_SECONDS = 1   # how often each worker looks at the published snapshot pointer


@pytest.fixture(scope="module")
def stack():
    """The deployment, started once for this module and stopped at its end (also on failure)."""
    import shutil

    if shutil.which("nginx") is None:
        pytest.skip("nginx not installed (scripts/setup.sh TEST_PACKAGES)")
    deployment = Stack(hosts=2, offices=544, PORTAL_CONTENT_CHECK_SECONDS=str(CHECK_SECONDS))
    try:
        yield deployment
    finally:
        deployment.close()


@pytest.fixture(scope="module")
def engine(stack):
    """A connection pool on the portal's database, for checking what is stored."""
    eng = create_engine(stack.database_url, pool_pre_ping=True)
    yield eng
    eng.dispose()


def _front(stack, source: str | None = None) -> wc.Browser:
    return wc.Browser(stack.nginx.https, stack.nginx.tls(), source)


def _offices(stack):
    return load_offices(stack.content)


def test_nginx_serves_the_site_with_headers_limits_and_its_own_japanese_error_pages(stack):
    b = _front(stack)
    home = b.go("GET", "/")
    assert home.status == 200 and "ハローワーク" in home.body
    for name, value in HEADERS.items():   # nginx sends exactly what the portal sends
        assert home.headers[name] == value, name
    assert home.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert b.go("GET", "/assets/site.css").status == 200
    slug = _offices(stack)[0].slug
    assert b.go("GET", f"/{slug}/").status == 200
    booking = b.go("GET", f"/{slug}/booking/")
    assert booking.status == 200
    assert list(booking.headers).count("Content-Security-Policy") == 1   # the app's copy hidden
    assert b.go("GET", "/.madoguchi-site").status == 404
    assert (stack.site / ".madoguchi" / "snapshot.json").is_file()
    assert b.go("GET", "/.madoguchi/snapshot.json").status == 404   # the content snapshot stays private
    packs = json.loads((stack.site / ".madoguchi" / "snapshot.json").read_text(encoding="utf-8"))["offices"]
    assert len(packs) == 544 and b.go("GET", f"/.madoguchi/{packs[slug]}").status == 404
    assert all(p.is_file() and p.suffix == ".zip" for p in (stack.site / ".madoguchi" / "offices").iterdir())
    assert b.go("GET", "/healthz").body == "ok\n"
    for answer, code in ((b.go("GET", "/no-such-page/"), 404),
                         (b.go("POST", f"/{slug}/booking/request", {"x": "y" * 70_000}), 413),
                         (b.go("GET", "/", headers={"X-Long": "z" * 9000}), 400),
                         (b.go("GET", "/" + "a" * 9000), 414)):
        assert answer.status == code
        assert "<html lang=\"ja\">" in answer.body and f"エラーコード {code}" in answer.body
        assert answer.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
        assert "nginx" not in answer.body
        b.close()
    plain = wc.Browser(stack.nginx.http).go("GET", "/abc?x=1")
    assert plain.status == 308 and plain.location == "https://127.0.0.1/abc?x=1"


def _booked(engine, keys: list[str]) -> set[str]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT submission_key FROM booking_requests WHERE submission_key = ANY(:k)"),
                             {"k": keys}).scalars()
        return set(found)


def test_the_last_place_confirmed_on_both_hosts_at_once_is_taken_once(stack, engine):
    from portal import rules

    office = next(o for o in _offices(stack) if o.slot_policy().capacity == 1)
    stack.add_staff("tanto", office.slug)
    one, two = (wc.Browser(h.port) for h in stack.hosts)
    wc.staff_login(one, "tanto", STAFF_PASSWORD)
    two.cookies = dict(one.cookies)   # the same staff member at two desks, one host each
    for round_no in range(4):
        refs, slot = [], None
        for _ in range(2):
            seeker = _front(stack)
            fields, slot = wc.check_page(seeker, office.slug, slot, pick=round_no)   # a new slot each round
            wc.submit(seeker, office.slug, fields)
            done = seeker.go("GET", f"/{office.slug}/booking/done").body
            refs.append(re.search(r'class="reference">([A-Z0-9-]+)<', done).group(1))
        posts = []
        for browser, ref in zip((one, two), refs):
            page = browser.go("GET", f"/staff/{office.slug}/requests/{ref}").body
            posts.append((browser, ref, {"csrf_token": wc.csrf(page), "slot": slot}))
        gate = threading.Barrier(2)
        answers = []

        def confirm(browser, ref, form):
            gate.wait()
            answers.append(browser.go("POST", f"/staff/{office.slug}/requests/{ref}/confirm", form).status)

        threads = [threading.Thread(target=confirm, args=post) for post in posts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(status in (302, 303) for status in answers), answers
        start = rules.parse_slot_key(slot)
        with engine.connect() as conn:
            taken = conn.execute(text(
                "SELECT count(*) FROM appointments a JOIN booking_requests r ON r.id = a.request_id "
                "WHERE a.office_slug = :o AND a.starts_at = :s AND a.place_no IS NOT NULL "
                "AND r.status = 'confirmed'"), {"o": office.slug, "s": start}).scalar_one()
            statuses = sorted(conn.execute(text("SELECT status FROM booking_requests WHERE reference = ANY(:r)"),
                                           {"r": refs}).scalars())
        assert taken == 1, round_no
        assert statuses == ["confirmed", "requested"], round_no


def test_logging_out_on_one_host_ends_the_session_on_the_other(stack):
    slug = _offices(stack)[1].slug
    stack.add_staff("desk", slug)
    one, two = (wc.Browser(h.port) for h in stack.hosts)
    wc.staff_login(one, "desk", STAFF_PASSWORD)
    kept = dict(one.cookies)
    two.cookies = dict(kept)
    assert two.go("GET", f"/staff/{slug}/").status == 200      # the other host knows the session
    page = two.go("GET", f"/staff/{slug}/").body
    assert two.go("POST", "/staff/logout", {"csrf_token": wc.csrf(page)}).status == 303
    one.cookies = kept                                         # a copy of the cookie from before
    after = one.go("GET", f"/staff/{slug}/")
    assert after.status in (302, 303) and "/staff/login" in after.location


def test_the_rate_limit_is_shared_by_both_hosts(stack):
    slug = _offices(stack)[2].slug
    b = _front(stack)
    fields, _ = wc.check_page(b, slug)   # one form post counted so far
    page = b.go("GET", f"/{slug}/booking/request").body
    statuses = [b.go("POST", f"/{slug}/booking/request", {"csrf_token": wc.csrf(page), "name": ""}).status
                for _ in range(20)]
    assert statuses.count(429) == 11 and statuses[:9] == [200] * 9, statuses   # 10 per minute in all
    log = stack.nginx.access_log.read_text()
    served = {m for m in re.findall(r'POST /[^/]+/booking/request" (?:200|429) \d+ \S+ "(127\.0\.0\.1:\d+)"', log)}
    assert served == {f"127.0.0.1:{h.port}" for h in stack.hosts}   # both hosts counted the same client


def _load(stack, slugs: list[str], seconds: float, clients: int, during=None):
    """Seekers booking through nginx for `seconds`; `during(elapsed)` runs in the meantime.
    Returns (acknowledged submission keys, failures as (step, status, body))."""
    acked, failures, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def seeker(n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            b = _front(stack)   # a new seeker from a new address: the rate limit is per client
            slug = slugs[(n + i) % len(slugs)]
            i += 1
            try:
                fields, _ = wc.check_page(b, slug)
                wc.submit(b, slug, fields)
                with lock:
                    acked.append(wc.submission_key(fields))
            except wc.Failed as exc:
                with lock:
                    failures.append((exc.step, exc.answer.status if exc.answer else 0,
                                     exc.answer.body if exc.answer else ""))
            except OSError as exc:
                with lock:
                    failures.append(("connection", 0, repr(exc)))
            finally:
                b.close()

    threads = [threading.Thread(target=seeker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    if during:
        during()
    for t in threads:
        t.join()
    return acked, failures


def _no_traceback(failures) -> None:
    for step, status, body in failures:
        assert "Traceback" not in body and "Error:" not in body, (step, status)
        assert status >= 500, (step, status, body[:300])   # never a dropped connection or another error
        assert "ただいまご利用いただけません" in body, (step, status, body[:300])


def test_kill_9_of_one_host_fails_over_and_loses_no_acknowledged_booking(stack, engine):
    slugs = [o.slug for o in _offices(stack)[:40]]
    victim = stack.hosts[1]

    def crash():
        time.sleep(4)
        victim.kill()

    acked, failures = _load(stack, slugs, 14, 6, crash)
    assert victim.proc.poll() is not None
    assert len(acked) > 20, (len(acked), failures[:3])
    assert _booked(engine, acked) == set(acked)          # every acknowledged booking is stored
    _no_traceback(failures)
    assert len(failures) <= 6, failures                  # only requests in flight at the crash
    log = stack.nginx.access_log.read_text()
    assert f"127.0.0.1:{stack.hosts[0].port}" in log
    victim.start()                                       # back for the next test


def test_a_postgresql_restart_mid_load_recovers_by_itself_and_loses_nothing(stack, engine):
    slugs = [o.slug for o in _offices(stack)[40:80]]

    def restart():
        time.sleep(3)
        stack.postgres.restart()

    acked, failures = _load(stack, slugs, 12, 6, restart)
    assert len(acked) > 10, (len(acked), failures[:3])
    assert _booked(engine, acked) == set(acked)
    _no_traceback(failures)
    # No worker left broken: every worker of each host answers health and books, straight away.
    for host in stack.hosts:
        direct = wc.Browser(host.port)
        assert [direct.go("GET", "/healthz").status for _ in range(12)] == [200] * 12
    after, failed = _load(stack, slugs, 4, 4)
    assert failed == [] and len(after) > 4
    assert _booked(engine, after) == set(after)


def test_the_backup_script_dumps_postgresql(stack, tmp_path):
    import subprocess

    from .test_backup import run_backup

    done = run_backup(stack.database_url, tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    dump = next(tmp_path.glob("madoguchi-*.dump"))
    assert dump.stat().st_mode & 0o077 == 0
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public booking_requests" in listing


def _edit_office(folder: Path, day: str) -> None:
    """A new terms version in force from today (Japan) and a closure on `day`, in one edit."""
    import datetime as dt

    from portal.rules import TOKYO

    today = dt.datetime.now(TOKYO).date().isoformat()
    terms = (folder / "terms.md").read_text(encoding="utf-8")
    (folder / f"terms-{today}.md").write_text(terms.replace("とします。", "とします（改訂）。", 1), encoding="utf-8")
    yaml = (folder / "office.yaml").read_text(encoding="utf-8")
    history = re.search(r"(?m)^    - \{date: (\d{4}-\d\d-\d\d), kind: [^}]+\}\n(?!    - )", yaml)
    assert history and "\nbooking:\n" in yaml and "versions:" not in yaml
    yaml = yaml.replace(history.group(0), history.group(0) + f"    - {{date: {today}, kind: 一部改訂}}\n"
                        f"  versions:\n    - {{effective: {history.group(1)}, file: terms.md}}\n"
                        f"    - {{effective: {today}, file: terms-{today}.md}}\n", 1)
    yaml = yaml.replace("\nbooking:\n", f"\nbooking:\n  closures: [{day}]\n", 1)
    (folder / "office.yaml").write_text(yaml, encoding="utf-8")


def _seen_by(browser: wc.Browser, slug: str) -> tuple[int, str, frozenset[str]]:
    """(status, terms hash on the form, days offered) of one request-form page."""
    answer = browser.go("GET", f"/{slug}/booking/request")
    sha = re.search(r'name="terms_sha256" value="([0-9a-f]{64})"', answer.body)
    return answer.status, sha.group(1) if sha else "", frozenset(re.findall(r'name="slot1" value="(\d{4}-\d\d-\d\d)T',
                                                                            answer.body))


def _switched_at(seen: list[tuple[float, int, str, frozenset[str]]], old_sha: str) -> float | None:
    """When the responses became new for good (the first of the final run of new ones, at least 10)."""
    last_old = max((i for i, s in enumerate(seen) if s[2] == old_sha), default=-1)
    return seen[last_old + 1][0] if len(seen) - last_old - 1 >= 10 else None


def _swapped(stack) -> int:
    """How many workers of the hosts have logged that they took a new snapshot (portal.web.follow):
    a run of new answers alone can come from one worker while another is still loading."""
    return sum(len(re.findall(r"content snapshot \w+ taken:", h.log.read_text(encoding="utf-8", errors="replace")))
               for h in stack.hosts)


def test_a_new_build_published_on_both_hosts_switches_both_together(stack):
    """Both hosts read the same published folder: a rebuild that closes a day and brings a new
    terms version into force is taken by every worker of both hosts within seconds of each other,
    no response mixes the new terms with the old rules (or the reverse), and none is an error."""
    from portal.web.follow import load_content

    slug = next(o.slug for o in _offices(stack) if "とします。" in (stack.content / o.slug / "terms.md").read_text()
                and "kind: 一部改訂}" in (stack.content / o.slug / "office.yaml").read_text())
    browsers = {"host1": wc.Browser(stack.hosts[0].port), "host2": wc.Browser(stack.hosts[1].port),
                "nginx": _front(stack)}
    for b in browsers.values():
        page = b.go("GET", f"/{slug}/booking/eligibility").body
        answers = {name: "yes" for name in set(re.findall(r'name="(q_[a-z_]+)"', page))}
        posted = b.go("POST", f"/{slug}/booking/eligibility", {"csrf_token": wc.csrf(page), **answers})
        assert posted.status in (302, 303)
    _, old_sha, old_days = _seen_by(browsers["nginx"], slug)
    day = min(old_days)
    form_page = browsers["nginx"].go("GET", f"/{slug}/booking/request").body
    slot = re.search(rf'name="slot1" value="({day}T[^"]+)"', form_page).group(1)
    _edit_office(stack.content / slug, day)

    seen: dict[str, list] = {name: [] for name in browsers}
    stop = threading.Event()

    def poll(name: str) -> None:
        while not stop.is_set():
            seen[name].append((time.monotonic(), *_seen_by(browsers[name], slug)))
            time.sleep(0.02)

    pollers = [threading.Thread(target=poll, args=(name,)) for name in browsers]
    swapped = _swapped(stack)
    for t in pollers:
        t.start()
    try:
        subprocess.run([sys.executable, "build.py", "--content", str(stack.content), "--out", str(stack.site),
                        "--no-pdf", "--quiet", "--markdown-cache", str(stack.base / "mdcache")],
                       cwd=ROOT, check=True, capture_output=True, timeout=600)
        published = time.monotonic()
        load_content(stack.site, stack.content)      # what one worker's load costs here, right now
        load = time.monotonic() - published
        while time.monotonic() - published < 60 + 4 * load:
            if all(_switched_at(s, old_sha) for s in seen.values()) and _swapped(stack) >= swapped + 4:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for t in pollers:
            t.join(timeout=60)
    at = {name: _switched_at(s, old_sha) for name, s in seen.items()}
    assert all(at.values()), {name: [x[2][:8] for x in s[-12:]] for name, s in seen.items()}
    # Four workers (two per host) load at once on this machine's two cores: twice one load, plus
    # up to two check intervals between the pointer's replacement and a worker's look.
    bound = 2 * CHECK_SECONDS + 2 * load
    gap = abs(at["host1"] - at["host2"])
    assert gap <= bound, (gap, bound)
    for name, s in seen.items():
        new_sha = s[-1][2]
        assert new_sha != old_sha
        for _, status, sha, days in s:                 # no error meanwhile, never a mix of two snapshots
            assert status == 200, (name, status)
            assert (sha == old_sha and day in days) or (sha == new_sha and day not in days), (name, sha[:8])
    # A form kept open since before the build: the closed day is refused by both hosts.
    for name in ("host1", "host2"):
        b = browsers[name]
        page = b.go("GET", f"/{slug}/booking/request").body
        form = dict(wc.hidden(page), name="網走 花子", kana="アバシリ ハナコ", seeker_number="01234-12345678",
                    phone="090-1234-5678", slot1=slot, consent="y")
        if 'name="email"' in page:
            form["email"] = "hanako@example.jp"
        for _ in range(4):
            answer = b.go("POST", f"/{slug}/booking/request", form)
            assert answer.status == 200 and "その日は閉庁日のため予約できません" in answer.body, name
