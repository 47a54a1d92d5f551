"""Commands run before the server starts: `python -m portal.web.cli prepare`.

`prepare` creates or upgrades the database (and switches SQLite to WAL) and makes sure a secret
key exists, once, before gunicorn forks its workers.
"""
from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy.exc import SQLAlchemyError

from ..errors import MadoguchiError
from . import create_app, db
from .db import database_problem


def ready_app():
    """The app, checked as gunicorn's master does before any worker starts (gunicorn.conf.py).

    Settings, content and the database (reachable, at the newest schema): the first problem
    raises MadoguchiError with one line to print.
    """
    from sqlalchemy import text

    try:
        app = create_app()
    except MadoguchiError:
        raise
    except (ImportError, SQLAlchemyError) as exc:   # a database driver not installed, a bad URL
        raise MadoguchiError(database_problem(os.environ.get("PORTAL_DATABASE_URL", ""), exc)) from None
    except Exception as exc:  # e.g. a rate-limit storage whose driver is not installed
        raise MadoguchiError(f"設定を使えません（{type(exc).__name__}: {str(exc).splitlines()[0][:200]}）") from None
    url = app.config["DATABASE_URL"]
    try:
        with db.engine_of(app).connect() as conn:
            current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as exc:
        message = database_problem(url, exc)
        if "alembic_version" in str(exc):
            message = ("PORTAL_DATABASE_URL: データベースがまだ用意されていません。"
                       "先に .venv/bin/python -m portal.web.cli prepare を実行してください")
        raise MadoguchiError(message) from None
    finally:
        db.engine_of(app).dispose()
    if current != db.heads():
        raise MadoguchiError("PORTAL_DATABASE_URL: データベースの形が古いままです。"
                             "先に .venv/bin/python -m portal.web.cli prepare を実行してください")
    site = app.config["SITE_DIR"]
    if not (site / "index.html").is_file():
        print(f"warning: PORTAL_SITE_DIR: {site} にサイトがありません（python build.py で作ります）。"
              "予約ページは使えますが、案内と利用規約のページは表示されません", file=sys.stderr)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run a command: prepare (migrate + secret key) or migrate."""
    p = argparse.ArgumentParser(prog="python -m portal.web.cli", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["prepare", "migrate"])
    p.parse_args(argv)
    app = None
    try:
        app = create_app()  # loads the content and creates instance/secret_key when needed
        db.engine_of(app).dispose()
        db.migrate(app.config["DATABASE_URL"])
    except MadoguchiError as exc:
        print(exc, file=sys.stderr)  # one line per problem, naming the file and the key
        return 1
    except (SQLAlchemyError, ImportError, OSError) as exc:   # ImportError: a driver not installed
        url = app.config["DATABASE_URL"] if app else os.environ.get("PORTAL_DATABASE_URL", "")
        print(database_problem(url, exc), file=sys.stderr)
        return 1
    print(f"database ready: {db.engine_of(app).url.render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
