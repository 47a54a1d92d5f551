"""Protection on every response: CSRF, rate limit, security headers, cookie flags, proxies."""
from __future__ import annotations

import time

from flask import Flask, Response, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage
from werkzeug.middleware.proxy_fix import ProxyFix

from . import ratelimit  # noqa: F401  registers the `madoguchi+database` storage with limits

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


class ProcessMemoryStorage(MemoryStorage):
    """limits' `memory://` storage, sweeping expired counters from the request itself.

    MemoryStorage starts a timer thread on every hit when the previous one (10 ms) has ended: under
    load that is a new thread on almost every form submission, and its start and wake-up were a tenth
    of a submission's CPU time. Counting is unchanged (an expired window is dropped on the next read
    either way); the sweep that frees memory runs at most every SWEEP_SECONDS, inline.
    """
    STORAGE_SCHEME = ["madoguchi+memory"]
    SWEEP_SECONDS = 5.0

    def __init__(self, uri: str | None = None, **options: object) -> None:
        super().__init__(uri, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    # Overrides MemoryStorage's private hook, called on every hit (its name is mangled):
    # tests/web/test_security.py fails if a limits upgrade renames it.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()

# No inline script or style anywhere: the pages work without JavaScript.
CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def submit_limit() -> str:
    """The per-client limit on form submissions, from the configuration."""
    return current_app.config["RATELIMIT_SUBMIT"]


def init_app(app: Flask) -> None:
    """Bind CSRF and the limiter, set cookie flags, trust proxies, add headers to every response."""
    if app.config["HTTPS"]:
        # __Host- cookies must be Secure, have Path=/ and no Domain: the browser enforces it.
        app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session",
                          SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=None, PREFERRED_URL_SCHEME="https")
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    csrf.init_app(app)
    if app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = "madoguchi+memory://"  # the same storage, no thread per hit
    elif app.config["RATELIMIT_STORAGE_URI"] == "database://":
        # Counters in the portal's database: one count per client across workers and hosts.
        app.config["RATELIMIT_STORAGE_URI"] = "madoguchi+database://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"url": app.config["DATABASE_URL"]}
    limiter.init_app(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["HTTPS"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            # Pages may hold personal data (check answers): never keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
