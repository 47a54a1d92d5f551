"""`python -m portal.web.outbox send [--loop SECONDS]`: send the outbox (run it on a timer).

Reads the same settings as the portal (PORTAL_*), so it sends from the same database. With mail
off (no PORTAL_SMTP_HOST) it says so and sends nothing; the messages wait in the outbox. With
--loop, SIGTERM or SIGINT (systemctl stop, Ctrl-C) ends it after the run in progress, exit 0:
every message of that run is recorded as sent or to retry.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from ...errors import MadoguchiError
from .. import create_app, db
from ..state import state_of
from .sender import SendPolicy, SmtpSettings, send_due


def main(argv: list[str] | None = None) -> int:
    """Run `send` once, or every --loop seconds until stopped."""
    p = argparse.ArgumentParser(prog="python -m portal.web.outbox", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["send"])
    p.add_argument("--loop", type=float, metavar="SECONDS", help="run again every SECONDS until stopped")
    p.add_argument("--batch", type=int, default=100, help="messages per run (default 100)")
    p.add_argument("--lease", type=float, default=300.0, metavar="SECONDS",
                   help="after how long a message claimed by a sender that died is sent again (default 300)")
    args = p.parse_args(argv)
    try:
        app = create_app()
    except MadoguchiError as exc:
        print(exc, file=sys.stderr)
        return 1
    settings = SmtpSettings.from_config(app.config)
    if settings is None:
        print("mail is off (PORTAL_SMTP_HOST is not set): messages wait in the outbox", file=sys.stderr)
        return 0
    policy = SendPolicy.from_config(app.config, args.batch, args.lease)
    state = state_of(app)
    base = (state.site.public_url or "http://127.0.0.1:8000").rstrip("/")
    engine = db.engine_of(app)
    stop = threading.Event()
    if args.loop is not None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda _sig, _frame: stop.set())
    while True:
        report = send_due(engine, settings, state.offices, lambda slug: f"{base}/staff/{slug}/?status=requested",
                          state.now, policy)
        if report.sent or report.retried or report.failed:
            print(f"outbox: sent {report.sent} (staff alerts {report.alerts}), to retry {report.retried}, "
                  f"failed {report.failed}", flush=True)
        if args.loop is None or stop.wait(args.loop):
            return 0


if __name__ == "__main__":
    sys.exit(main())
