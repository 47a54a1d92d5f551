"""The production server as the run command starts it: gunicorn with two workers on loopback,
the database prepared before; one booking over real HTTP lands in the database, and the access
log carries no personal data."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

RUN = (ROOT / "scripts" / "run").read_text(encoding="utf-8")


def _gunicorn_args() -> list[str]:
    # The exact options scripts/run passes (bind and workers filled in below).
    line = RUN[RUN.index('"$VENV/bin/gunicorn" --bind'):]
    fmt = re.search(r"--access-logformat '([^']+)'", line).group(1)
    return ["--access-logfile", "-", "--access-logformat", fmt, "portal.web:create_app()"]


def test_access_log_format_has_no_address_or_query():
    fmt = _gunicorn_args()[3]
    for unsafe in ("%(h)", "%(r)", "%(q)", "%(a)", "%(f)", "%({"):
        assert unsafe not in fmt
    assert "%(U)s" in fmt


class Browser:
    """Just enough of a browser: one cookie, form posts, no redirects followed."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def go(self, method: str, path: str, data=None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        if resp.getheader("Set-Cookie"):
            self.cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
        conn.close()
        return resp.status, resp.getheader("Location") or "", text


def _hidden(html: str) -> list[tuple[str, str]]:
    import html as h
    return [(n, h.unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)]


def test_one_booking_through_gunicorn(tmp_path):
    port = _free_port()
    env = dict(os.environ, PORTAL_INSTANCE_DIR=str(tmp_path), PORTAL_SITE_DIR=str(tmp_path))
    env.pop("PORTAL_SECRET_KEY", None)
    env.pop("PORTAL_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "portal.web.cli", "prepare"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "access.log"
    with open(log, "w") as out:
        server = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", *_gunicorn_args()],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait(port)
            b = Browser(port)
            _, _, page = b.go("GET", "/mothers-hiroshima/booking/eligibility")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            status, where, _ = b.go("POST", "/mothers-hiroshima/booking/eligibility",
                                    {"csrf_token": token, "q_raising_child": "yes", "q_device": "yes"})
            assert (status, where) == (302, "/mothers-hiroshima/booking/request")
            _, _, page = b.go("GET", "/mothers-hiroshima/booking/request")
            slot = re.search(r'name="slot1" value="(\d{4}-[^"]+)"', page).group(1)
            form = dict(_hidden(page), name="広島 花子", kana="ヒロシマ ハナコ", seeker_number="３４０１０－９８７６５４３２",
                        phone="082-987-6543", slot1=slot, consent="y")
            status, where, _ = b.go("POST", "/mothers-hiroshima/booking/request", form)
            assert (status, where) == (302, "/mothers-hiroshima/booking/check")
            status, _, check = b.go("GET", where)
            assert status == 200 and "申し込み内容の確認" in check
            status, where, _ = b.go("POST", "/mothers-hiroshima/booking/submit", _hidden(check))
            assert (status, where) == (302, "/mothers-hiroshima/booking/done")
            _, _, done = b.go("GET", where)
            reference = re.search(r'class="reference">([A-Z0-9-]+)<', done).group(1)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    con = sqlite3.connect(tmp_path / "madoguchi.sqlite3")
    assert con.execute("SELECT office_slug, seeker_number FROM booking_requests WHERE reference = ?",
                       (reference,)).fetchone() == ("mothers-hiroshima", "34010-98765432")
    logged = log.read_text().replace(f"127.0.0.1:{port}", "")   # the listening address is not a client's
    assert "POST /mothers-hiroshima/booking/submit" in logged
    assert f"booking request stored: office=mothers-hiroshima reference={reference}" in logged   # the app's line
    # Long enough not to turn up by chance in a port, a pid or a time stamp.
    for secret in ("広島", "%E5", "98765432", "9876543", "987-6543", "127.0.0.1 -"):
        assert secret not in logged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_the_config_file_logs_like_the_run_command():
    import runpy
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["access_log_format"] == _gunicorn_args()[3] and conf["accesslog"] == "-"


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "データベースがまだ用意されていません。先に .venv/bin/python -m portal.web.cli prepare を実行してください"),
    ({"PORTAL_RATELIMIT_SUBMIT": "nonsense"}, "PORTAL_RATELIMIT_SUBMIT: 「nonsense」は使えない値です"),
    ({"PORTAL_DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/db"},
     "PORTAL_DATABASE_URL: データベース postgresql+psycopg://u:***@127.0.0.1:1/db を使えません"),
])
def test_gunicorn_refuses_to_start_with_one_line_and_no_traceback(tmp_path, env, expected):
    base = dict(os.environ, PORTAL_INSTANCE_DIR=str(tmp_path), PORTAL_SITE_DIR=str(tmp_path),
                PORTAL_DATABASE_URL=f"sqlite:///{tmp_path}/unprepared.sqlite3")
    base.update(env)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = subprocess.run([gunicorn, "--bind", f"127.0.0.1:{_free_port()}", "portal.web:create_app()"],
                            cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "secret" not in result.stderr
