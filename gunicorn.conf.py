"""gunicorn settings read from the working directory (scripts/run and the benchmarks start it here).

Each worker moves everything that exists once the app is loaded (the offices' content, templates,
rule caches, the imported libraries) into the garbage collector's permanent generation. Without
it a full collection walks all of it every few dozen requests: with 544 offices that paused a
staff page for about 90 ms (the p99 of bench/bench_staff.py's queue went from 30 to 110 ms).
"""
import gc


def post_worker_init(worker):
    """Called in each worker after the app is loaded, before the first request."""
    gc.freeze()
