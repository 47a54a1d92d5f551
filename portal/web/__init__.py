"""The portal web app: booking flow, staff console and the built static site on one address.

`create_app` is the only place an app is assembled. Everything that imports Flask or SQLAlchemy
lives in this subpackage, so the static build (`build.py`, `portal.publish`) never loads them.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from jinja2 import StrictUndefined

from ..phrases import html_phrases
from . import config, db, errors, follow, health, security, state
from .booking import bp as booking_bp
from .site import bp as site_bp
from .staff import accounts
from .staff import bp as staff_bp
from .staff import cli as staff_cli


def _log_to_stderr() -> None:
    """The portal's own log lines (a stored booking's office and reference, an error's type and
    place) on stderr at INFO, where gunicorn's output goes; set once per process."""
    import logging

    logger = logging.getLogger("portal")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def create_app(test_config: dict | None = None) -> Flask:
    """Assemble the app: defaults → instance/config.py → PORTAL_* environment → test_config."""
    if not (test_config or {}).get("TESTING"):
        _log_to_stderr()
    instance = Path(os.environ.get("PORTAL_INSTANCE_DIR") or config.ROOT / "instance")
    if test_config and "INSTANCE_DIR" in test_config:
        instance = Path(test_config["INSTANCE_DIR"])
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder=str(config.ROOT / "templates"),
                static_folder=str(config.ROOT / "templates" / "assets"), static_url_path="/assets")
    app.config.update(config.defaults(instance))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(instance)
    app.config["DATABASE_URL"] = config.database_url(app.config["DATABASE_URL"])
    app.config["SITE_DIR"] = Path(app.config["SITE_DIR"])
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["phrases"] = html_phrases   # line breaks between Japanese phrases in headings

    # The content of the snapshot the last build published (else content/), each office's slot
    # policy built once; a new build's snapshot replaces the whole state (follow.py).
    hasher = accounts.hasher(app.config["STAFF_ARGON2_MEMORY_KIB"])

    def make(content: follow.Content) -> state.PortalState:
        offices, site, snapshot = content
        return state.PortalState(offices={o.slug: o for o in offices}, site=site, clock=app.config["NOW"],
                                 hasher=hasher, snapshot=snapshot)

    follow.start(app, make)

    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(site_bp)
    app.cli.add_command(staff_cli.group)
    return app
