"""Serve the built static site (site/) at `/`, so one address has the site and the portal."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory
from werkzeug.exceptions import MethodNotAllowed, NotFound

bp = Blueprint("site", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers that ask for /favicon.ico anyway (a bookmark, a feed reader) get the site's icon."""
    return redirect("/assets/favicon.svg", code=301)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    """A file of the built site; a folder gives its index.html (redirecting to add the slash)."""
    _refuse_other_methods()
    # Dotfiles (the build manifest `.madoguchi-site`, an editor's or VCS's leftovers) are not pages;
    # nor is a path holding NUL (/staff/%00/), which the file system refuses with a ValueError (a 500).
    if "\x00" in path or any(part.startswith(".") for part in path.split("/")):
        abort(404)
    root: Path = current_app.config["SITE_DIR"]
    target = (root / path).resolve() if path else root.resolve()
    if not target.is_relative_to(root.resolve()):
        abort(404)
    if target.is_dir():
        if path and not path.endswith("/"):
            return redirect(request.path + "/", code=308)
        path = (path + "index.html") if path else "index.html"
    return send_from_directory(root, path, max_age=300)


def _refuse_other_methods() -> None:
    # This catch-all GET route would turn a GET of a POST-only portal URL into a 404: say 405.
    adapter = current_app.url_map.bind("localhost")
    allowed = []
    for method in ("POST", "PUT", "DELETE"):
        try:
            adapter.match(request.path, method=method)
            allowed.append(method)
        except (MethodNotAllowed, NotFound):
            continue
        except Exception:  # a redirect or anything else: not our concern here
            continue
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
