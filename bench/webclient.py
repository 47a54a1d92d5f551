"""A seeker's and a staff member's browser, just enough of one: cookies, keep-alive, HTTPS against
nginx or plain HTTP against one host, from a chosen loopback address (the rate limit counts per
client address, so each simulated seeker can come from its own 127.x.y.z).

Used by tests/deploy/ and bench/bench_deploy.py.
"""
from __future__ import annotations

import html
import http.client
import itertools
import re
import ssl
import threading
import urllib.parse

_addresses = itertools.count(1)
_lock = threading.Lock()
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def next_address() -> str:
    """A loopback address not handed out before in this process (127.1.0.1, 127.1.0.2, …)."""
    with _lock:
        n = next(_addresses)
    return f"127.{1 + n // 65025}.{(n // 255) % 255}.{1 + n % 255}"


class Answer:
    """Status, Location and body of one response."""

    def __init__(self, status: int, location: str, body: str, headers: dict[str, str]) -> None:
        self.status, self.location, self.body, self.headers = status, location, body, headers


class Browser:
    """One client with its cookies and one kept-alive connection (reopened when the server closed it)."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None, source: str | None = None,
                 timeout: float = 30.0) -> None:
        self.port, self.tls, self.timeout = port, tls, timeout
        self.source = source or next_address()
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return http.client.HTTPSConnection("localhost", self.port, timeout=self.timeout, context=self.tls,
                                               source_address=(self.source, 0))
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                          source_address=(self.source, 0))

    def go(self, method: str, path: str, data: list[tuple[str, str]] | dict | None = None,
           headers: dict[str, str] | None = None) -> Answer:
        """One request; raises OSError (http.client's errors included) when no answer came."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # Flask-WTF checks the Referer of an HTTPS post against the Host nginx passes ($host:
            # no port), as a browser on port 443 would send it.
            sent.setdefault("Referer", f"https://localhost{path}")
        if self.conn is None:
            self.conn = self._connect()
        try:
            self.conn.request(method, path, body=body, headers=sent)
            resp = self.conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.split(";", 1)[0].partition("=")
            if "Max-Age=0" in value or "expires=Thu, 01 Jan 1970" in value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = rest
        if resp.getheader("Connection", "").lower() == "close" or resp.version == 10:
            self.close()
        return Answer(resp.status, resp.getheader("Location") or "", text, dict(resp.headers.items()))

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def csrf(page: str) -> str:
    """The CSRF token of the form on the page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def hidden(page: str) -> list[tuple[str, str]]:
    """The hidden fields of the page's form (what the check page posts to submit)."""
    return [(n, html.unescape(v)) for n, v in HIDDEN.findall(page)]


class Failed(Exception):
    """A step of the flow got an unexpected answer: which step, and the answer (None: no answer)."""

    def __init__(self, step: str, answer: Answer | None) -> None:
        super().__init__(f"{step}: {answer.status if answer else 'no answer'}")
        self.step, self.answer = step, answer


def _expect(step: str, answer: Answer, *statuses: int) -> Answer:
    if answer.status not in statuses:
        raise Failed(step, answer)
    return answer


def check_page(b: Browser, slug: str, slot: str | None = None, pick: int = 0) -> tuple[list[tuple[str, str]], str]:
    """Walk eligibility and the request form up to the check page, wishing `slot` or else the
    form's pick-th open slot; (the check page's hidden fields, the slot)."""
    base = f"/{slug}/booking"
    page = _expect("eligibility", b.go("GET", f"{base}/eligibility"), 200).body
    answers = {name: "yes" for name in set(re.findall(r'name="(q_[a-z_]+)"', page))}
    _expect("eligibility post", b.go("POST", f"{base}/eligibility", {"csrf_token": csrf(page), **answers}), 302, 303)
    page = _expect("request form", b.go("GET", f"{base}/request"), 200).body
    if slot is None:
        slot = re.findall(r'name="slot1" value="(\d{4}-\d\d-\d\dT\d\d:\d\d[^"]*)"', page)[pick]
    sha = re.search(r'name="terms_sha256" value="([0-9a-f]{64})"', page).group(1)
    form = [("csrf_token", csrf(page)), ("terms_sha256", sha), ("name", "網走 花子"), ("kana", "アバシリ ハナコ"),
            ("seeker_number", "01234-12345678"), ("phone", "090-1234-5678"), ("slot1", slot), ("slot2", ""),
            ("slot3", ""), ("companion_note", ""), ("consent", "y"), ("website", "")]
    if 'name="email"' in page:
        form.append(("email", "hanako@example.jp"))
    posted = _expect("request post", b.go("POST", f"{base}/request", form), 302, 303)
    where = urllib.parse.urlsplit(posted.location).path                  # post/redirect/get
    check = _expect("check page", b.go("GET", where), 200).body
    return hidden(check), slot


def submit(b: Browser, slug: str, fields: list[tuple[str, str]]) -> Answer:
    """The final POST of the flow; 302 to the done page acknowledges the booking."""
    return _expect("submit", b.go("POST", f"/{slug}/booking/submit", fields), 302, 303)


def submission_key(fields: list[tuple[str, str]]) -> str:
    """The submission key among the check page's hidden fields."""
    return dict(fields)["submission_key"]


def staff_login(b: Browser, username: str, password: str) -> None:
    """Log a staff member in (303 to the console)."""
    page = b.go("GET", "/staff/login").body
    _expect("staff login", b.go("POST", "/staff/login", {"csrf_token": csrf(page), "username": username,
                                                        "password": password}), 303)
