"""gunicorn settings read from the working directory (scripts/run and the benchmarks start it here).

The master checks the portal before starting workers (on_starting), and the access log leaves
out what could be personal data.

Each worker moves everything that exists once the app is loaded (the offices' content, templates,
rule caches, the imported libraries) into the garbage collector's permanent generation. Without
it a full collection walks all of it every few dozen requests: with 544 offices that paused a
staff page for about 90 ms (the p99 of bench/bench_staff.py's queue went from 30 to 110 ms).
"""
import gc
import sys

# No client address and no query string (staff search terms are names and phone numbers): no
# personal data in any access-log line. scripts/run passes the same on the command line.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# The path percent-encoded and every header escaped: no forged line, no raw markup (issue 14).
logger_class = "portal.web.accesslog.SafeAccessLogger"


def on_starting(server):
    """Check the portal once in the master, before any worker: settings, content, database.

    A worker that fails to load the app prints a traceback and gunicorn retries; this prints the
    one line that says what to fix and stops. Other apps (the benchmarks' own) are left alone.
    """
    if not str(getattr(server.app, "app_uri", "") or "").startswith("portal.web"):
        return
    from portal.errors import MadoguchiError
    from portal.web.cli import ready_app

    try:
        ready_app()
    except MadoguchiError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)


def post_worker_init(worker):
    """Called in each worker after the app is loaded, before the first request."""
    gc.freeze()
