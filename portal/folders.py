"""Where offices live under content/: one folder each, holding office.yaml.

Kept apart from offices.py (which loads and validates) so that a build with nothing to do
can find its offices without importing the schema, the Markdown parser or the templates.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ContentError, ContentErrors

OFFICE_FILE = "office.yaml"
# Names taken at the site's root, so no office folder may have them: the pages and stylesheets
# the build writes there (site.site_files) and the staff console the portal serves (/staff/).
RESERVED_NAMES = frozenset({"accessibility", "assets", "staff"})


def office_folders(content: Path, only: list[str] | None = None) -> list[Path]:
    """The office folders under content/, sorted; `only` restricts and checks the slugs."""
    if not content.is_dir():
        raise ContentErrors([ContentError(content, None, "コンテンツのフォルダーがありません")])
    folders = sorted(p for p in content.iterdir() if p.is_dir() and (p / OFFICE_FILE).exists())
    if only:
        known = {p.name for p in folders}
        missing = [s for s in only if s not in known]
        if missing:
            raise ContentErrors([ContentError(content / s, None, "その事業所のフォルダー（office.yaml）がありません")
                                 for s in missing])
        folders = [p for p in folders if p.name in set(only)]
    if not folders:
        raise ContentErrors([ContentError(content, None, "事業所のフォルダー（<名前>/office.yaml）が1つもありません")])
    return folders
