"""The static site: every page rendered in memory from loaded offices, nothing written here."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from ..errors import BuildError
from ..offices import SITE_FILE, Office
from ..phrases import html_phrases
from ..release import draft_banner, office_draft, site_missing
from ..schema import SiteConfig
from ..compare import compare
from .context import Crumb, OfficeView, Page, doc_view, office_line, office_view, revisions_view
from .versions import feed, history, notices, terms_meta, version_link

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def environment(templates: Path = TEMPLATES) -> Environment:
    """The Jinja environment: autoescaped, strict about undefined names, stable output.

    Templates do not change during a build: each is read once per environment, not checked
    for changes on every one of a national build's thousands of pages (auto_reload off).
    """
    env = Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined, autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False)
    env.filters["phrases"] = html_phrases     # line breaks between Japanese phrases in headings
    return env


_PREPARED: dict[tuple[Path, str], Environment] = {}


def build_environment(templates: Path, key: str) -> Environment:
    """The environment of one build, every site template compiled in it once.

    `key` is the build's global key, which covers the templates' bytes. The build prepares it
    before forking its workers, so they inherit the compiled templates instead of each compiling
    them again (~70 ms a process); the front page is then rendered with the same one.
    """
    env = _PREPARED.get((templates, key))
    if env is None:
        env = environment(templates)
        for name in env.list_templates(filter_func=lambda n: n.startswith("site/") and n.endswith((".html", ".xml"))):
            try:
                env.get_template(name)
            except TemplateError:
                pass   # _render names the template and its error, if the build uses it
        _PREPARED.clear()   # one build's at a time
        _PREPARED[(templates, key)] = env
    return env


def _render(env: Environment, name: str, **context: object) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except TemplateError as exc:
        raise BuildError(f"templates/{name}: {exc}") from exc


def _page(site: SiteConfig, title: str, depth: int, trail: list[tuple[str, int | None]],
          office: Office | None = None, draft: str | None = None) -> Page:
    """A page `depth` folders below the root; trail items are (label, depth of their target);
    an office's page names it with its address and phone in the footer."""
    up = lambda d: "../" * (depth - d) or "./"  # noqa: E731
    crumbs = [Crumb("トップ", up(0))] + [Crumb(label, None if d is None else up(d)) for label, d in trail]
    return Page(title, "../" * depth, site.title, tuple(crumbs), draft=draft, operator=site.operator,
                office_line=office_line(office) if office else None)



def office_pages(env: Environment, site: SiteConfig, office: Office, pdfs: bool = False) -> dict[str, bytes]:
    """Every page of one office, keyed by path relative to the site root.

    `pdfs`: the build also writes leaflet.pdf and terms.pdf, so the guide and the current
    terms link to them.
    """
    slug, name, terms_title = office.slug, office.name, office.config.terms.title
    draft = office_draft(site, office)
    guide_title = office.config.guide.title if name in office.config.guide.title else f"{office.config.guide.title}｜{name}"
    page_of = lambda *args: _page(*args, draft=draft)  # noqa: E731  (every page of the office)
    # The office's facts are phrased once; each page depth only changes the two links.
    phrased = office_view(office, href="./", terms_href="terms/")
    views = [dataclasses.replace(phrased, href="../" * d or "./", terms_href="../" * d + "terms/") for d in range(4)]
    view = views.__getitem__
    terms_doc = doc_view(office, "terms")   # the current version's: on terms/ and on its own page
    files = {
        f"{slug}/index.html": _render(
            env, "site/guide.html", page=page_of(site, guide_title, 1, [(name, None)], office),
            doc=doc_view(office, "guide"), office=view(0), leaflet="leaflet.pdf" if pdfs else None),
        f"{slug}/terms/index.html": _render(
            env, "site/terms.html", page=page_of(site, f"{terms_title}｜{name}", 2, [(name, 1), ("利用規約", None)], office),
            doc=terms_doc, revisions=revisions_view(office),
            meta=terms_meta(office, office.current, "../"), office=view(1), terms_pdf="../terms.pdf" if pdfs else None),
        f"{slug}/terms/history/index.html": _render(
            env, "site/history.html",
            page=page_of(site, f"改訂履歴｜{terms_title}｜{name}", 3, [(name, 1), ("利用規約", 2), ("改訂履歴", None)], office),
            rows=history(office), meta_up="../../", office=view(2)),
    }
    for version in office.versions:
        crumbs = [(name, 1), ("利用規約", 2), (version.label, None)]
        files[f"{slug}/terms/{version.key}/index.html"] = _render(
            env, "site/terms.html", page=page_of(site, f"{terms_title}（{version.label}）｜{name}", 3, crumbs, office),
            doc=terms_doc if version is office.current else doc_view(office, "terms", version),
            revisions=revisions_view(office, version),
            meta=terms_meta(office, version, "../../"), office=view(2), terms_pdf=None)
        previous = office.previous(version)
        if previous is not None:
            crumbs = [(name, 1), ("利用規約", 2), (version.label, 3), ("新旧対照表", None)]
            files[f"{slug}/terms/{version.key}/compare/index.html"] = _render(
                env, "site/compare.html", page=page_of(site, f"新旧対照表（{version.label}）｜{name}", 4, crumbs, office),
                rows=compare(previous.doc.markdown, version.doc.markdown), meta_up="../../../",
                new=version_link(office, version), old=version_link(office, previous), office=view(3))
    items = notices(office)
    files[f"{slug}/notices/index.html"] = _render(
        env, "site/notices.html", page=page_of(site, f"お知らせ｜{name}", 2, [(name, 1), ("お知らせ", None)], office),
        notices=items, office=view(1))
    for notice in items:
        files[f"{slug}/notices/{notice.key}/index.html"] = _render(
            env, "site/notice.html",
            page=page_of(site, f"{notice.title}｜{name}", 3, [(name, 1), ("お知らせ", 2), (notice.title, None)], office),
            notice=notice, meta_up="../../", office=view(2))
    files[f"{slug}/notices/feed.xml"] = _render(env, "site/feed.xml", feed=feed(site, office, items), office=view(1))
    return files


def index_row(office: Office) -> OfficeView:
    """An office's row on the front page."""
    return office_view(office, href=f"{office.slug}/", terms_href=f"{office.slug}/terms/")


def index_page(env: Environment, site: SiteConfig, rows: list[OfficeView]) -> bytes:
    """The front page listing every office."""
    return _render(env, "site/index.html", offices=rows,
                   page=Page(site.title, "", site.title, (), draft=draft_banner(site_missing(site, Path(SITE_FILE))),
                             operator=site.operator))


def asset_files(templates: Path = TEMPLATES) -> dict[str, bytes]:
    """The stylesheets and the favicon, copied as they are."""
    return {f"assets/{a.name}": a.read_bytes() for a in sorted((templates / "assets").iterdir())
            if a.suffix in (".css", ".svg")}


def site_files(env: Environment, site: SiteConfig, rows: list[OfficeView], templates: Path = TEMPLATES) -> dict[str, bytes]:
    """The files not of one office: front page, accessibility policy, stylesheets.

    `rows` are the offices' front-page rows (index_row), hrefs relative to the site root.
    """
    one_down = [dataclasses.replace(r, href=f"../{r.href}", terms_href=f"../{r.terms_href}") for r in rows]
    files = {
        "index.html": index_page(env, site, rows),
        "accessibility/index.html": _render(
            env, "site/accessibility.html",
            page=_page(site, f"アクセシビリティ方針｜{site.title}", 1, [("アクセシビリティ方針", None)]),
            offices=one_down),
    }
    files.update(asset_files(templates))
    return files


def site_pages(site: SiteConfig, offices: list[Office], templates: Path = TEMPLATES) -> dict[str, bytes]:
    """Every file of the static site (pages and assets), keyed by relative path."""
    env = environment(templates)
    files = site_files(env, site, [index_row(o) for o in offices], templates)
    for office in offices:
        files.update(office_pages(env, site, office))
    return files
