"""What an attack over HTTP found in the production server (issue 14), tried against real
gunicorn started as `scripts/run` starts it: the access log cannot be forged or carry raw markup,
and the rate limit holds per client across both workers and across hosts sharing a database."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


from .conftest import ROOT
from .test_server import Browser, _free_port, _gunicorn_args, _wait

pytestmark = pytest.mark.slow
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@contextmanager
def gunicorn(tmp_path: Path, env: dict, workers: int = 2, args: list[str] | None = None):
    """gunicorn from the project folder (so gunicorn.conf.py applies); yields (port, log path)."""
    port = _free_port()
    log = tmp_path / f"access-{port}.log"
    with open(log, "w") as out:
        server = subprocess.Popen([GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                                   *(args or _gunicorn_args())], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait(port)
            yield port, log
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def _env(tmp_path: Path, **extra: str) -> dict:
    env = dict(os.environ, PORTAL_INSTANCE_DIR=str(tmp_path), PORTAL_SITE_DIR=str(tmp_path),
               PORTAL_SECRET_KEY="shared-by-every-host", **extra)
    env.pop("PORTAL_DATABASE_URL", None) if "PORTAL_DATABASE_URL" not in extra else None
    env.pop("PORTAL_RATELIMIT_STORAGE", None)
    env.pop("PORTAL_RATELIMIT_SUBMIT", None)   # the default: 10 per minute;100 per day
    subprocess.run([sys.executable, "-m", "portal.web.cli", "prepare"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return env


def test_the_access_log_cannot_be_forged_or_carry_markup(tmp_path):
    env = _env(tmp_path)
    # The run command's format, plus one request header, to see headers escaped too.
    args = list(_gunicorn_args())
    args[3] += ' %({x-probe}i)s'
    with gunicorn(tmp_path, env, args=args) as (port, log):
        paths = ["/abashiri/%0d%0a127.0.0.1%20-%20-%20%5B01/Jan/2026%5D%20%22GET%20/forged%22%20200",
                 "/%3Cscript%3Ealert(1)%3C/script%3E", "/a%00b%1b%5B31m", "/%E5%BA%83%E5%B3%B6"]
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.putheader("X-Probe", "<script>x</script>\t\u00e9")   # gunicorn itself refuses ESC here
            conn.endheaders()
            conn.getresponse().read()
            conn.close()
    text_ = log.read_text(encoding="utf-8", errors="replace")
    access = re.compile(r"^\[\d{2}/\w{3}/\d{4}:")   # %(t)s; gunicorn's own lines read [2026-…
    lines = [line for line in text_.splitlines() if access.match(line)]
    assert len(lines) == len(paths), lines   # one line per request: no forged line
    logged = "\n".join(lines)
    assert "<script>" not in logged and "\x1b" not in logged and "\x00" not in logged
    assert not any(line.startswith("127.0.0.1") for line in text_.splitlines())
    assert "\x1b" not in text_ and "<script>" not in text_
    # Two workers write the log: its lines need not come in the order the requests were made.
    for encoded in ("%0D%0A127.0.0.1", "%3Cscript%3E", "%00", "%E5%BA%83"):
        assert sum(encoded in line for line in lines) == 1, (encoded, lines)
    assert all("\\x3cscript\\x3ex\\x3c/script\\x3e\\x09\\xe9" in line for line in lines), lines


def _hammer(ports: list[int], count: int = 40) -> list[int]:
    """count form posts from one client (one cookie and CSRF token) at once, spread over ports."""
    browser = Browser(ports[0])
    _, _, page = browser.go("GET", "/abashiri/booking/eligibility")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(i: int) -> int:
        b = Browser(ports[i % len(ports)])
        b.cookie = browser.cookie
        return b.go("POST", "/abashiri/booking/request", {"csrf_token": token, "name": "x"})[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(post, range(count)))


def test_the_limit_holds_across_both_workers(tmp_path):
    env = _env(tmp_path)
    with gunicorn(tmp_path, env, workers=2) as (port, _log):
        codes = _hammer([port])
    assert codes.count(429) == 30 and len(codes) - codes.count(429) == 10, codes


@pytest.mark.postgres
def test_the_limit_holds_across_hosts_sharing_a_database(tmp_path, postgres_server):
    name = "hosts_" + uuid.uuid4().hex[:8]
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        env = _env(tmp_path, PORTAL_DATABASE_URL=f"{postgres_server}/{name}")
        one, two = tmp_path / "one", tmp_path / "two"
        one.mkdir(), two.mkdir()
        with gunicorn(one, env, workers=2) as (port_a, _), gunicorn(two, env, workers=2) as (port_b, _):
            codes = _hammer([port_a, port_b])
        assert codes.count(429) == 30, codes
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

