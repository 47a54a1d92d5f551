"""The shape of every staff request's query string and path, checked before any view runs.

Views parse their own parameters (a date, a page number, a status); this refuses, with the
Japanese 400 page, what no view can take: control characters (NUL ends a PostgreSQL string with
an error, so it was a 500) and text that is not valid Unicode.
"""
from __future__ import annotations

import unicodedata

from flask import abort, request


def _unusable(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def check_request() -> None:
    """Before each staff request: a query value or path part with control characters gives 400."""
    values = [v for _, v in request.args.items(multi=True)] + list(request.args.keys())
    values += [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    if any(_unusable(v) for v in values):
        abort(400)
