"""Serve the built static site (site/) at `/`, so one address has the site and the portal."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory

bp = Blueprint("site", __name__)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site; a folder gives its index.html (redirecting to add the slash)."""
    root: Path = current_app.config["SITE_DIR"]
    target = (root / path).resolve() if path else root.resolve()
    if not target.is_relative_to(root.resolve()):
        abort(404)
    if target.is_dir():
        if path and not path.endswith("/"):
            return redirect(request.path + "/", code=308)
        path = (path + "index.html") if path else "index.html"
    return send_from_directory(root, path, max_age=300)
