"""Commands run before the server starts: `python -m portal.web.cli prepare`.

`prepare` creates or upgrades the database (and switches SQLite to WAL) and makes sure a secret
key exists, once, before gunicorn forks its workers.
"""
from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from ..errors import MadoguchiError
from . import create_app, db


def main(argv: list[str] | None = None) -> int:
    """Run a command: prepare (migrate + secret key) or migrate."""
    p = argparse.ArgumentParser(prog="python -m portal.web.cli", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["prepare", "migrate"])
    p.parse_args(argv)
    try:
        app = create_app()  # loads the content and creates instance/secret_key when needed
        db.engine_of(app).dispose()
        db.migrate(app.config["DATABASE_URL"])
    except MadoguchiError as exc:
        print(exc, file=sys.stderr)  # one line per problem, naming the file and the key
        return 1
    except SQLAlchemyError as exc:
        print(f"database: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"database ready: {db.engine_of(app).url.render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
