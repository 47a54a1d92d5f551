"""Markdown to sanitised HTML, split into sections with stable ids, kept in a render cache.

The parser is Python-Markdown with our extension (housemarkdown.py; markdownlines.py checks the
lines and reads them as CommonMark would; raw HTML is shown as text; the tree is cut at its h2s); the output is cleaned
again with nh3, so no script can reach a page. Inside `render_cache(folder)` a document whose
Markdown, renderer versions and rendering code are unchanged is read back from the folder instead
of being parsed again; deleting the folder is always safe.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .housemarkdown import Probe
    from .packcache import PackCache

_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "h2", "h3", "h4", "blockquote", "code"}
_CACHE: ContextVar[PackCache | None] = ContextVar("markdown_cache", default=None)
CACHE_FORMAT = 3   # bump when the cached entries change shape


@dataclass(frozen=True)
class Section:
    """One h2 section of a document: an article of the terms, or a part of the guide."""
    id: str
    heading: str        # sanitised inline HTML
    heading_text: str   # plain text, for tables of contents
    body: str           # sanitised HTML


@dataclass(frozen=True)
class Rendered:
    """A Markdown document rendered: the lead before the first h2, then its sections."""
    lead: str
    sections: tuple[Section, ...]


@cache
def _cleaner():
    import nh3

    return nh3.Cleaner(tags=_ALLOWED_TAGS, attributes={"a": {"href"}, "ul": {"class"}, "ol": {"class"}},
                       url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer")


def _clean(html: str) -> str:
    return _cleaner().clean(html).strip()


def section_label(section_id: str, heading_text: str) -> str:
    """A section's name for tables of contents: 第6条(利用申込み等) even where the heading lacks 第6条."""
    number = re.fullmatch(r"article-(\d+)(?:-(\d+))?", section_id)
    if number and "条" not in heading_text:
        branch = f"の{number.group(2)}" if number.group(2) else ""
        return f"第{number.group(1)}条{branch}{heading_text}"
    return heading_text


def render_text(text: str, path: Path | str, probe: Probe | None = None) -> Rendered:
    """render_document's work on a text with LF line ends and no byte-order mark, never cached;
    `probe` notes the texts its decisions were made on (templaterender.py)."""
    # Imported on first use: a build that reuses every office, or finds every document in the
    # cache, never loads Python-Markdown.
    from .housemarkdown import render_parts

    lead, parts = render_parts(text, path) if probe is None else render_parts(text, path, probe)
    return Rendered(_clean(lead), tuple(Section(sid, _clean(heading), heading_text, _clean(body))
                                        for sid, heading, heading_text, body in parts))


@cache
def renderer_key() -> str:
    """What the HTML depends on besides the Markdown: library versions and our rendering code."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} markdown {version('markdown')} nh3 {version('nh3')}".encode())
    here = Path(__file__).parent
    for name in ("markup.py", "housemarkdown.py", "markdownlines.py", "templaterender.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def current_cache() -> PackCache | None:
    """The store of the enclosing render_cache block, or None."""
    return _CACHE.get()


@contextmanager
def render_cache(folder: Path | None) -> Iterator[None]:
    """Within the block, render_document keeps and reuses rendered documents in `folder` (None: off),
    and templaterender.filled the templates it rendered.

    The documents rendered within are written to the folder when the block ends (packcache.py).
    """
    from .packcache import PackCache

    store = PackCache(folder, renderer_key()[:16]) if folder is not None else None
    token = _CACHE.set(store)
    try:
        yield
    finally:
        _CACHE.reset(token)
        if store is not None:
            store.flush()


def render_document(text: str, path: Path | str) -> Rendered:
    """Render a Markdown document into a lead and h2 sections; what the site cannot show is refused
    with its line (ContentError). A byte-order mark and CRLF line ends are accepted."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    store = _CACHE.get()
    if store is None:
        return render_text(text, path)
    # Only documents that rendered are kept: a refused one is parsed again, to name its file and line.
    key = hashlib.sha256(f"{renderer_key()}\0{text}".encode()).hexdigest()
    rendered = store.get(key)
    if not isinstance(rendered, Rendered):
        rendered = render_text(text, path)
        store.put(key, rendered)
    return rendered
