"""Markdown to sanitised HTML, split into sections with stable ids.

Raw HTML in content is escaped by the parser (html=False) and the output is
cleaned again with nh3, so no script an editor pastes can reach a page.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from functools import cache
from typing import TYPE_CHECKING

from .errors import ContentError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def _parser() -> "MarkdownIt":
    # Imported on first use: a build that reuses every office never renders Markdown.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "h2", "h3", "h4", "blockquote", "code"}
_ARTICLE = re.compile(r"第\s*([0-9０-９]+)\s*条")
_EXPLICIT_ID = re.compile(r"\s*\{#([a-z][a-z0-9-]*)\}\s*$")
# An item that carries its own label as text: （1）, (1), ①, ・, 第1条, 一. Such lists get no bullet.
_ITEM_LABEL = re.compile(r"^(?:[（(][0-9０-９一二三四五六七八九十]+[）)]|[①-⑳㉑-㉟]|・|第\s*[0-9０-９]+\s*条|[一二三四五六七八九十]+\s)")


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


def _clean(html: str) -> str:
    import nh3

    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href"}, "ul": {"class"}, "ol": {"class"}},
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer")


def _render(tokens: list[Token]) -> str:
    return _clean(_parser().renderer.render(tokens, _parser().options, {})).strip()


def _plain(tokens: list[Token]) -> str:
    return "".join(t.content for t in tokens if t.type == "inline")


def section_label(section_id: str, heading_text: str) -> str:
    """A section's name for tables of contents: 第6条(利用申込み等) even where the heading lacks 第6条."""
    number = re.fullmatch(r"article-(\d+)", section_id)
    if number and "条" not in heading_text:
        return f"第{number.group(1)}条{heading_text}"
    return heading_text


def _section_id(heading: str, body: list[Token], index: int, explicit: str | None) -> str:
    if explicit:
        return explicit
    # Terms: 第4条 in the heading (網走) or at the start of the first paragraph (広島).
    first_inline = next((t.content for t in body if t.type == "inline"), "")
    for text in (heading, first_inline[:12]):
        match = _ARTICLE.search(text)
        if match:
            return f"article-{unicodedata.normalize('NFKC', match.group(1))}"
    return f"section-{index}"


def _mark_labelled_lists(tokens: list[Token]) -> None:
    """Give lists whose every item starts with its own label (（1）, ①, ・) the class `labelled`."""
    stack: list[tuple[Token, list[bool]]] = []
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            stack.append((tok, []))
        elif tok.type == "list_item_open" and stack:
            first = next((t.content for t in tokens[i + 1:] if t.type == "inline"), "")
            stack[-1][1].append(bool(_ITEM_LABEL.match(first)))
        elif tok.type in ("bullet_list_close", "ordered_list_close") and stack:
            opener, labels = stack.pop()
            if labels and all(labels):
                opener.attrSet("class", "labelled")


def render_document(text: str, path) -> Rendered:
    """Render a Markdown document into a lead and h2 sections; headings must not skip levels."""
    md = _parser()
    tokens = md.parse(text)
    _mark_labelled_lists(tokens)
    groups: list[tuple[list[Token], list[Token]]] = []  # (heading tokens, body tokens)
    lead: list[Token] = []
    level, i = 1, 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            new = int(tok.tag[1])
            line = (tok.map[0] + 1) if tok.map else "?"
            if new == 1:
                raise ContentError(path, f"{line}行目", "見出し1（# ）は使えません。題名は office.yaml の title に書きます")
            if new > level + 1:
                raise ContentError(path, f"{line}行目", f"見出しのレベルが飛んでいます（h{level} の次に h{new}）")
            level = new
            if new == 2:  # heading_open, inline, heading_close start a new section
                groups.append((tokens[i:i + 3], []))
                i += 3
                continue
        (groups[-1][1] if groups else lead).append(tok)
        i += 1
    sections, seen = [], set()
    for index, (heading, body) in enumerate(groups, 1):
        inline = heading[1]
        explicit = _EXPLICIT_ID.search(inline.content)
        if explicit:
            inline.content = _EXPLICIT_ID.sub("", inline.content)
            inline.children = md.parseInline(inline.content)[0].children
        sid = _section_id(inline.content, body, index, explicit.group(1) if explicit else None)
        if sid in seen:
            raise ContentError(path, f"見出し「{inline.content}」", f"id「{sid}」が重複しています")
        seen.add(sid)
        heading_html = _clean(md.renderer.renderInline(inline.children, md.options, {})).strip()
        sections.append(Section(sid, heading_html, inline.content, _render(body)))
    return Rendered(lead=_render(lead), sections=tuple(sections))
