"""Markdown to sanitised HTML, split into sections with stable ids.

The parser is markdown-it-pyrs (markdown-it in Rust, CommonMark) with its raw-HTML rules left
out, so HTML an editor pastes is shown as text; the output is cleaned again with nh3, so no
script can reach a page. A document is parsed once into a tree (for headings, ids and lists)
and rendered once; the HTML is then cut at its h2 headings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError

if TYPE_CHECKING:
    from markdown_it_pyrs import MarkdownIt, Node

# CommonMark without html_block / html_inline (raw HTML stays text) and without typography.
_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline"]
_HEADINGS = {"heading", "lheading"}   # ATX (## x) and setext (x over ---)
_BLOCKS = {"root", "paragraph", "heading", "lheading", "bullet_list", "ordered_list", "list_item", "blockquote",
           "code_block", "fence", "hr", "link_reference_definition"}


@cache
def _parser() -> "MarkdownIt":
    # Imported on first use: a build that reuses every office never renders Markdown.
    from markdown_it_pyrs import MarkdownIt

    md = MarkdownIt("zero")
    md.enable_many(_RULES)
    return md


_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "h2", "h3", "h4", "blockquote", "code"}
_NUM = r"[0-9０-９]+|[一二三四五六七八九十百]+"
_ARTICLE = re.compile(rf"第\s*({_NUM})\s*条(?:\s*の\s*({_NUM}))?")   # 第4条, 第十条, 第3条の2
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_EXPLICIT_ID = re.compile(r"\s*\{#([a-z][a-z0-9-]*)\}\s*$")
# An item that carries its own label as text: （1）, (1), ①, ・, 第1条, 一. Such lists get no bullet.
_ITEM_LABEL = re.compile(r"^(?:[（(][0-9０-９一二三四五六七八九十]+[）)]|[①-⑳㉑-㉟]|・|第\s*[0-9０-９]+\s*条|[一二三四五六七八九十]+\s)")
_LIST_OPEN = re.compile(r"<(ul|ol)(?=[ >])")
# What Markdown would render but the site cannot show faithfully: refused with the line to fix.
_REFUSED_BLOCKS = {
    "hr": "区切り線（---、***）は使えません。見出し（## ）で区切ってください",
    "fence": "コードブロック（```）は使えません",
    "code_block": "行頭に半角スペースが4つ以上あると、コードとして扱われ改行が失われます。字下げは全角スペースにしてください",
}
_NOT_A_HEADING = re.compile(r"^#{1,6}(?:\u3000|[^\s#])", re.M)   # ##　第13条, ##第13条: text, not a heading
_IMAGE = re.compile(r"!\[[^\]]*\]\(")
_TABLE = re.compile(r"^\s*\|.*\|\s*\n\s*\|?\s*:?-{3,}", re.M)
_H2 = re.compile(r"<h2>(.*?)</h2>\n", re.S)


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


class _Source:
    """The document's UTF-8 bytes: the tree's source map counts bytes."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8")

    def line(self, node: "Node") -> int | str:
        return self.data[:node.srcmap[0]].count(b"\n") + 1 if node.srcmap else "?"

    def inline(self, node: "Node") -> str:
        """The raw source of a block's inline content ("" when it holds none)."""
        kids = node.children
        if not kids or kids[0].name in _BLOCKS or not kids[0].srcmap or not kids[-1].srcmap:
            return ""
        return self.data[kids[0].srcmap[0]:kids[-1].srcmap[1]].decode("utf-8")


def _first_inline(source: _Source, nodes: list["Node"]) -> str:
    """The raw inline source of the first paragraph, heading or tight list item among `nodes`."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if text := source.inline(node):
            return text
        stack.extend(reversed(node.children))
    return ""


def _number(text: str) -> int:
    """An article number written in digits (full- or half-width) or in kanji up to 百九十九."""
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total = 0
    for unit, size in (("百", 100), ("十", 10)):
        if unit in text:
            before, _, text = text.partition(unit)
            total += (_KANJI_DIGITS.get(before, 0) or 1) * size if len(before) <= 1 else 0
    return total + (_KANJI_DIGITS.get(text, 0) if text else 0)


def _section_id(heading: str, first_inline: str, index: int, explicit: str | None) -> str:
    if explicit:
        return explicit
    # Terms: 第4条 in the heading (網走) or at the start of the first paragraph (広島).
    for text in (heading, first_inline[:12]):
        match = _ARTICLE.search(text)
        if match:
            branch = f"-{_number(match.group(2))}" if match.group(2) else ""   # 第3条の2: article-3-2
            return f"article-{_number(match.group(1))}{branch}"
    return f"section-{index}"


def _survey(source: _Source, root: "Node", path: Path | str) -> list[bool]:
    """Check the headings (no h1, no skipped level, none inside a list or quote) in one pass and
    say, for every list in document order, whether each of its items starts with its own label."""
    labelled: list[bool] = []
    level = 1
    stack = [(child, 1) for child in reversed(root.children)]
    while stack:
        node, depth = stack.pop()
        name = node.name
        if name in _HEADINGS:
            new, line = node.meta["level"], source.line(node)
            if new == 1:
                raise ContentError(path, f"{line}行目", "見出し1（# ）は使えません。題名は office.yaml の title に書きます")
            if depth > 1:
                raise ContentError(path, f"{line}行目", "見出しは箇条書きや引用の中には書けません")
            if new > level + 1:
                raise ContentError(path, f"{line}行目", f"見出しのレベルが飛んでいます（h{level} の次に h{new}）")
            level = new
            continue
        if name in _REFUSED_BLOCKS:
            raise ContentError(path, f"{source.line(node)}行目", _REFUSED_BLOCKS[name])
        if name == "paragraph":
            _check_paragraph(source, node, path)
        if name in ("bullet_list", "ordered_list"):
            items = [_first_inline(source, [item]) for item in node.children]
            labelled.append(bool(items) and all(_ITEM_LABEL.match(first) for first in items))
        if name in _BLOCKS:
            stack.extend((child, depth + 1) for child in reversed(node.children))
    return labelled


def _check_paragraph(source: _Source, node: "Node", path: Path | str) -> None:
    """Refuse what would silently come out wrong: a mistyped heading, an image, a table."""
    text = source.inline(node)
    if not ("#" in text or "!" in text or "|" in text):
        return
    for pattern, reason in (
            (_NOT_A_HEADING, "見出しにするには「##」の後に半角スペースを1つ入れてください（全角スペースや、"
                             "続けて書いた文字では見出しにならず、前の段落の一部になります）"),
            (_IMAGE, "画像は使えません（印刷物と同じく文章で書いてください）"),
            (_TABLE, "表は使えません。箇条書き（- ）で書いてください")):
        found = pattern.search(text)
        if found:
            line = source.line(node)
            raise ContentError(path, f"{line + text.count(chr(10), 0, found.start()) if isinstance(line, int) else line}行目",
                               reason)


def _mark_lists(html: str, labelled: list[bool]) -> str:
    """Give lists whose every item starts with its own label (（1）, ①, ・) the class `labelled`."""
    marks = iter(labelled)
    return _LIST_OPEN.sub(lambda m: f'<{m.group(1)} class="labelled"' if next(marks, False) else m.group(0), html)


def render_document(text: str, path: Path | str) -> Rendered:
    """Render a Markdown document into a lead and h2 sections; headings must not skip levels."""
    md = _parser()
    source = _Source(text)
    root = md.tree(text)
    labelled = _survey(source, root, path)
    # {#id} at the end of an h2 names its section and is cut from the text (from the end backwards).
    headings = [n for n in root.children if n.name in _HEADINGS and n.meta["level"] == 2]
    explicit: dict[int, str] = {}
    data = source.data
    for index in reversed(range(len(headings))):
        kids = headings[index].children
        if not kids or not kids[-1].srcmap:
            continue
        start, end = kids[0].srcmap[0], kids[-1].srcmap[1]
        match = _EXPLICIT_ID.search(data[start:end].decode("utf-8"))
        if match:
            explicit[index] = match.group(1)
            data = data[:start] + data[start:end].decode("utf-8")[:match.start()].encode("utf-8") + data[end:]
    if explicit:
        text = data.decode("utf-8")
        source = _Source(text)
        root = md.tree(text)
    html = _mark_lists(md.render(text), labelled)
    parts = _H2.split(html)  # lead, heading 1, body 1, heading 2, body 2, …
    tops = root.children
    starts = [i for i, n in enumerate(tops) if n.name in _HEADINGS and n.meta["level"] == 2]
    sections, seen = [], set()
    for index, at in enumerate(starts):
        heading = tops[at]
        body = tops[at + 1:starts[index + 1] if index + 1 < len(starts) else len(tops)]
        heading_text = source.inline(heading)
        sid = _section_id(heading_text, _first_inline(source, body), index + 1, explicit.get(index))
        if sid in seen:
            raise ContentError(path, f"見出し「{heading_text}」", f"id「{sid}」が重複しています")
        seen.add(sid)
        sections.append(Section(sid, _clean(parts[1 + 2 * index]), heading_text, _clean(parts[2 + 2 * index])))
    return Rendered(lead=_clean(parts[0]), sections=tuple(sections))
