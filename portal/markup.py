"""Markdown to sanitised HTML, split into sections with stable ids.

The parser is Python-Markdown with our extension (housemarkdown.py; markdownlines.py checks the
lines and reads them as CommonMark would; raw HTML is shown as text; the tree is cut at its h2s); the output is cleaned
again with nh3, so no script can reach a page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "h2", "h3", "h4", "blockquote", "code"}


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


def _render(text: str, path: Path | str) -> Rendered:
    # Imported on first use: a build that reuses every office never loads Python-Markdown.
    from .housemarkdown import render_parts

    lead, parts = render_parts(text, path)
    return Rendered(_clean(lead), tuple(Section(sid, _clean(heading), heading_text, _clean(body))
                                        for sid, heading, heading_text, body in parts))


def render_document(text: str, path: Path | str) -> Rendered:
    """Render a Markdown document into a lead and h2 sections; what the site cannot show is refused
    with its line (ContentError). A byte-order mark and CRLF line ends are accepted."""
    return _render(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), path)
