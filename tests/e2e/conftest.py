"""Fixtures of the browser tests: the built site and the real portal on a free port of
127.0.0.1 (real SQLite file, fixed clock), one headless Debian Chromium per session driven by
Playwright, and the checkers axe-core and vnu (from npm, installed into tests/e2e/node_modules
by scripts/test).

Missing tools skip these tests on a developer's machine and fail them in CI (CI=true).
"""
from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from portal.offices import load_offices, load_site
from portal.publish.output import write_site
from portal.publish.site import site_pages

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path(os.environ.get("MADOGUCHI_CHROMIUM", "/usr/bin/chromium"))
# Debian's Chromium as the machine runs it: no GPU, no QUIC, and no background connections
# (the network is closed: they would only be refused). Playwright adds --headless, --no-sandbox
# and a fresh temporary --user-data-dir itself.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

UTC = datetime.timezone.utc
# Friday 2026-05-01 10:00 in Tokyo (as in tests/web): the next open day is Thursday 7 May.
NOW = datetime.datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
TODAY = datetime.date(2026, 5, 1)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def need(condition: bool, message: str) -> None:
    """Skip (fail in CI) when a tool the browser tests need is missing."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": the browser tests must run in CI", pytrace=False)
    pytest.skip(message)


class Clock:
    """The portal's clock: NOW unless a journey moves it (and puts it back)."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@dataclass
class Portal:
    """The running portal: its address, the app (for reading the database) and the built site."""
    url: str
    app: object
    site_dir: Path
    pages_dir: Path                          # HTML of every portal response saved for vnu
    clock: Clock
    saved: dict[str, str] = field(default_factory=dict)   # file name → URL it came from

    def save_html(self, name: str, url: str, html: str) -> None:
        """Keep a served page's HTML (exactly as served) for the HTML validator."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.pages_dir / f"{len(self.saved):03d}-{slug}.html"
        path.write_text(html, encoding="utf-8")
        self.saved[path.name] = f"{name} ({url})"


def serve(base: Path, content: Path):
    """Build the site of content, migrate a SQLite file, serve site + portal on 127.0.0.1:<free port>."""
    from werkzeug.serving import make_server

    from portal.web import create_app, db

    site_dir = base / "site"
    write_site(site_dir, site_pages(load_site(content), load_offices(content, None, TODAY)))
    url = f"sqlite:///{base / 'portal.sqlite3'}"
    db.migrate(url)
    clock = Clock(NOW)
    app = create_app({"SECRET_KEY": "e2e-secret", "DATABASE_URL": url, "INSTANCE_DIR": str(base / "instance"),
                      "SITE_DIR": str(site_dir), "NOW": clock, "RATELIMIT_SUBMIT": "10000 per minute",
                      "CONTENT_DIR": str(content),
                      # Cheap password hashing and no login limit: the tests log in many times.
                      "STAFF_ARGON2_MEMORY_KIB": 1024, "STAFF_RATELIMIT_LOGIN": "10000 per minute",
                      # The journeys test the console; MFA has its own tests (tests/web/staff/test_mfa.py).
                      "STAFF_MFA_REQUIRED": "none"})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-portal", daemon=True)
    thread.start()
    pages_dir = base / "portal-pages"
    pages_dir.mkdir()
    try:
        yield Portal(f"http://127.0.0.1:{server.server_port}", app, site_dir, pages_dir, clock)
    finally:
        server.shutdown()
        thread.join(10)
        db.engine_of(app).dispose()


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """The site and portal of the real content."""
    yield from serve(tmp_path_factory.mktemp("e2e"), CONTENT)


ONLINE_OFFICE = "abashiri"


@pytest.fixture(scope="session")
def online_portal(tmp_path_factory):
    """A second site and portal whose ハローワーク網走 also takes online cancellations (neither seed
    office does), with the same staff accounts as `portal`."""
    base = tmp_path_factory.mktemp("e2e-online")
    content = Path(shutil.copytree(CONTENT, base / "content"))
    yaml = content / ONLINE_OFFICE / "office.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "channels: [phone, email]\n" in text
    yaml.write_text(text.replace("channels: [phone, email]\n", "channels: [phone, email, online]\n", 1), encoding="utf-8")
    for served in serve(base, content):
        add_staff(served)
        yield served


STAFF_PASSWORD = "correct horse battery"
# username → office binding, made with the real `flask staff add` command.
STAFF = {"aki": "abashiri:counsellor", "hiro": "mothers-hiroshima:counsellor", "kanri": "abashiri:office_admin"}


def add_staff(portal: Portal) -> None:
    """The STAFF accounts on a running portal, made with the real `flask staff add` command."""
    runner = portal.app.test_cli_runner()
    for username, binding in STAFF.items():
        result = runner.invoke(args=["staff", "add", username, "--office", binding, "--password-stdin"],
                               input=STAFF_PASSWORD + "\n")
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def staff(portal) -> dict[str, str]:
    """Staff accounts on the running portal (password STAFF_PASSWORD): username → office binding."""
    add_staff(portal)
    return STAFF


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    need(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, portal: Portal, viewport: dict, **options):
    context = browser.new_context(base_url=portal.url, viewport=viewport, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def desktop(browser, portal):
    """A fresh desktop tab (own cookies) showing the pages as served: CSP in force."""
    context = _context(browser, portal, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, portal):
    """A fresh phone-sized tab (390×844, touch, mobile viewport meta honoured)."""
    context = _context(browser, portal, PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (the npm package in tests/e2e/node_modules)."""
    need(AXE_JS.exists(), f"{AXE_JS.relative_to(ROOT)} missing (bash scripts/test installs it with npm)")
    return AXE_JS.read_text(encoding="utf-8")


class Auditor:
    """Runs axe-core on the page a tab shows. axe's script is added to every document of the
    tab's context before the page's own (an init script, which the page's CSP does not govern),
    so the pages are audited exactly as served."""

    def __init__(self, page) -> None:
        self.page = page

    def violations(self) -> list[str]:
        """WCAG 2.0/2.1 A and AA violations on the current page, one line per rule and node."""
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS)
        return [f"{v['id']} ({v['impact']}): {v['help']} at {' '.join(n['target'][0] for n in v['nodes'][:5])}"
                for v in result["violations"]]


@pytest.fixture(scope="module")
def auditor(browser, portal, axe_source):
    """A tab for the accessibility audit, shared by a module's tests."""
    context = _context(browser, portal, DESKTOP)
    context.add_init_script(axe_source)
    yield Auditor(context.new_page())
    context.close()


def vnu(files: list[Path]) -> dict[str, list[str]]:
    """Validate HTML files with the Nu Html Checker; error messages by file name."""
    need(VNU_JAR.exists(), f"{VNU_JAR.relative_to(ROOT)} missing (bash scripts/test installs it with npm)")
    java = shutil.which("java")
    need(java is not None, "java not found (apt-get install default-jre-headless)")
    # A short run: the client compiler and the serial collector halve vnu's CPU time here.
    result = subprocess.run([java, "-Xss8m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    out: dict[str, list[str]] = {}
    for m in messages:
        name = m.get("url", "?").removeprefix("file:")
        out.setdefault(name, []).append(f"line {m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]")
    return out
