"""Two staff can never both take the last place of a slot: threads race on a real server on
loopback (werkzeug, threaded), against SQLite and PostgreSQL."""
from __future__ import annotations

import http.cookiejar
import threading
import urllib.parse
import urllib.request

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text
from werkzeug.serving import make_server

from portal.web.state import state_of
from portal.web import db

from .conftest import FIRST_SLOT, PASSWORD, add_staff, book
RACERS = 8


@pytest.fixture
def server(make_app, content):
    """A threaded server on 127.0.0.1 running the app; yields (app, base URL, content folder)."""
    made = {}

    def start(capacity: int):
        path = content / "abashiri" / "office.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("  capacity: 1\n", f"  capacity: {capacity}\n", 1),
                        encoding="utf-8")
        app = make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024,
                       STAFF_RATELIMIT_LOGIN="1000 per minute", STAFF_IDLE_MINUTES=60 * 24 * 60)
        assert state_of(app).offices["abashiri"].config.booking.capacity == capacity
        srv = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        made["srv"] = srv
        return app, f"http://127.0.0.1:{srv.server_port}"

    yield start
    if "srv" in made:
        made["srv"].shutdown()


class Browser:
    """A staff member's browser: its own cookie jar, following redirects like a browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as r:
            return r.read().decode("utf-8")

    def post(self, path: str, data: dict, token_from: str) -> str:
        page = BeautifulSoup(self.get(token_from), "html.parser")
        data = dict(data, csrf_token=page.find("input", {"name": "csrf_token"})["value"])
        with self.opener.open(self.base + path, urllib.parse.urlencode(data).encode(), timeout=30) as r:
            return r.read().decode("utf-8")


@pytest.mark.parametrize("capacity", [1, 2])
def test_race_for_the_last_places_of_a_slot(server, capacity):
    app, base = server(capacity)
    references = [book(app) for _ in range(RACERS)]
    for i in range(RACERS):
        add_staff(app, f"staff{i}", "abashiri")
    browsers = []
    for i in range(RACERS):
        b = Browser(base)
        b.post("/staff/login", {"username": f"staff{i}", "password": PASSWORD}, "/staff/login")
        browsers.append(b)
    gate = threading.Barrier(RACERS)
    outcome: dict[int, str] = {}

    def race(i: int) -> None:
        path = f"/staff/abashiri/requests/{references[i]}"
        page = BeautifulSoup(browsers[i].get(path), "html.parser")
        token = page.find("input", {"name": "csrf_token"})["value"]
        body = urllib.parse.urlencode({"slot": FIRST_SLOT["abashiri"], "csrf_token": token}).encode()
        gate.wait()
        with browsers[i].opener.open(f"{base}{path}/confirm", body, timeout=60) as r:
            outcome[i] = r.read().decode("utf-8")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(outcome) == RACERS
    won = [i for i, html in outcome.items() if "日時を確定しました" in html]
    full = [i for i, html in outcome.items() if "満員" in html]
    assert len(won) == capacity and len(full) == RACERS - capacity
    with db.engine_of(app).connect() as conn:
        places = conn.execute(text("SELECT place_no FROM appointments WHERE place_no IS NOT NULL ORDER BY place_no")).scalars().all()
        confirmed = conn.execute(text("SELECT count(*) FROM booking_requests WHERE status = 'confirmed'")).scalar_one()
    assert places == list(range(1, capacity + 1)) and confirmed == capacity
