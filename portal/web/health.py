"""`/healthz`: does this host answer and reach its database? For load balancers and monitoring.

A plain-text body (`ok`, or what is wrong without any detail of the server or its data), 200 or
503, never cached, exempt from the rate limit (a monitor polls it from one address). The check is
one `SELECT 1` on a pooled connection, so a worker whose connections broke (a database restart)
reconnects here as it would for a page.
"""
from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import db
from .security import limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """200 `ok` when the database answers; 503 `database unavailable` when it does not."""
    try:
        db.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session().rollback()
        return _plain("database unavailable\n", 503)
    return _plain("ok\n", 200)


def _plain(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain",
                    headers={"Cache-Control": "no-store"})
