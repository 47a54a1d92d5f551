"""The static site: every page rendered in memory from loaded offices, nothing written here."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from ..errors import BuildError
from ..offices import Office
from ..schema import SiteConfig
from .context import Crumb, Page, doc_view, office_view, revisions_view

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def environment(templates: Path = TEMPLATES) -> Environment:
    """The Jinja environment: autoescaped, strict about undefined names, stable output."""
    return Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined, autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _render(env: Environment, name: str, **context) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except TemplateError as exc:
        raise BuildError(f"templates/{name}: {exc}") from exc


def office_pages(env: Environment, site: SiteConfig, office: Office) -> dict[str, bytes]:
    """The guide and terms pages of one office, keyed by path relative to the site root."""
    home = Crumb("トップ", "../")
    guide_page = Page(office.config.guide.title + "｜" + office.name, "../", site.title,
                      (home, Crumb(office.name, None)))
    terms_page = Page(office.config.terms.title + "｜" + office.name, "../../", site.title,
                      (Crumb("トップ", "../../"), Crumb(office.name, "../"), Crumb("利用規約", None)))
    return {
        f"{office.slug}/index.html": _render(
            env, "site/guide.html", page=guide_page, doc=doc_view(office, "guide"),
            office=office_view(office, href="./", terms_href="terms/")),
        f"{office.slug}/terms/index.html": _render(
            env, "site/terms.html", page=terms_page, doc=doc_view(office, "terms"),
            revisions=revisions_view(office), office=office_view(office, href="../", terms_href="./")),
    }


def site_pages(site: SiteConfig, offices: list[Office], templates: Path = TEMPLATES) -> dict[str, bytes]:
    """Every file of the static site (pages and assets), keyed by relative path."""
    env = environment(templates)
    views = [office_view(o, href=f"{o.slug}/", terms_href=f"{o.slug}/terms/") for o in offices]
    files = {"index.html": _render(env, "site/index.html", page=Page(site.title, "", site.title, ()),
                                   offices=views)}
    for office in offices:
        files.update(office_pages(env, site, office))
    for asset in sorted((templates / "assets").glob("*.css")):
        files[f"assets/{asset.name}"] = asset.read_bytes()
    return files
