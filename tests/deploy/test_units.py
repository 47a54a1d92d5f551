"""The deployment files: systemd accepts every unit as written (paths pointed at this checkout),
the portal never runs as root and is hardened, the timers fire in Japan time, and nginx's headers
are the portal's own."""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.web.security import HEADERS

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
NGINX = (ROOT / "deploy" / "nginx" / "madoguchi.conf").read_text(encoding="utf-8")


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_every_unit(tmp_path):
    for path in UNITS.iterdir():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace("/srv/madoguchi", str(ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr   # unknown keys only warn


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_every_service_runs_as_madoguchi_hardened(path):
    service = _unit(path)["Service"]
    assert service["User"] == "madoguchi" and service["Group"] == "madoguchi"
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "CapabilityBoundingSet": "", "UMask": "0077"}.items():
        assert service[key] == value, key
    assert service["ReadWritePaths"]


def test_the_portal_service_is_gunicorn_from_the_project_folder():
    service = _unit(UNITS / "madoguchi.service")["Service"]
    assert service["WorkingDirectory"] == "/srv/madoguchi"   # gunicorn.conf.py: access log, checks
    assert "gunicorn" in service["ExecStart"] and "portal.web:create_app()" in service["ExecStart"]
    assert service["EnvironmentFile"] == "/etc/madoguchi/portal.env"


@pytest.mark.parametrize("name,when", [("build", "*-*-* 00:05 Asia/Tokyo"), ("purge", "*-*-* 03:00 Asia/Tokyo"),
                                       ("backup", "*-*-* 02:30 Asia/Tokyo")])
def test_daily_timers_fire_in_japan_time(name, when):
    timer = _unit(UNITS / f"madoguchi-{name}.timer")["Timer"]
    assert timer["OnCalendar"] == when and timer["Persistent"] == "true"


def test_the_mail_unit_runs_the_outbox_sender_every_minute():
    assert _unit(UNITS / "madoguchi-mail.service")["Service"]["ExecStart"] == \
        "/srv/madoguchi/.venv/bin/python -m portal.web.outbox send"
    assert _unit(UNITS / "madoguchi-mail.timer")["Timer"]["OnCalendar"] == "*-*-* *:*:00"


def test_nginx_sends_the_portals_security_headers_always():
    sent = dict(re.findall(r'add_header (\S+) "([^"]*)" always;', NGINX))
    assert {k: v for k, v in sent.items() if k != "Strict-Transport-Security"} == HEADERS
    assert sent["Strict-Transport-Security"] == "max-age=31536000"
    for name in sent:
        assert f"proxy_hide_header {name};" in NGINX   # the portal's copy is dropped: one header each


def test_nginx_retries_only_the_booking_submission_after_it_was_sent():
    directives = [line for line in NGINX.splitlines() if "non_idempotent" in line and not line.strip().startswith("#")]
    assert directives == ["        proxy_next_upstream error timeout non_idempotent;"]
    block = NGINX[NGINX.index("location ~ ^/[^/]+/booking/submit$"):]
    assert "non_idempotent" in block[:block.index("}")]
