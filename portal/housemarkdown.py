"""Python-Markdown configured for the house rules: the one place that decides what Markdown means.

Our extension swaps Python-Markdown's raw-HTML and image rules out (pasted HTML stays text) and
two processors in: the line scan (markdownlines.py: every block read as CommonMark reads it,
refused with its line when the site cannot show it) and `_Sections`, a tree processor that cuts
the tree at its h2 headings, names each section (`article-N`, `{#id}`, `section-K`), spaces lists
as CommonMark does and marks lists whose items carry their own labels.
"""
from __future__ import annotations

import re
import string
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from .errors import ContentError
from .markdownlines import Document, LineScan

_NUM = r"[0-9０-９]+|[一二三四五六七八九十百]+"
_ARTICLE = re.compile(rf"第\s*({_NUM})\s*条(?:\s*の\s*({_NUM}))?")   # 第4条, 第十条, 第3条の2
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
# An item that carries its own label as text: （1）, (1), ①, ・, 第1条, 一. Such lists get no bullet.
_ITEM_LABEL = re.compile(r"^(?:[（(][0-9０-９一二三四五六七八九十]+[）)]|[①-⑳㉑-㉟]|・|第\s*[0-9０-９]+\s*条|[一二三四五六七八九十]+\s)")

_SHOWN = {"div", "p", "ul", "ol", "li", "strong", "em", "a", "br", "h2", "h3", "h4", "blockquote", "code"}
_BLOCK_TAGS = {"p", "ul", "ol", "blockquote", "h2", "h3", "h4"}


@dataclass
class Part:
    """One h2 section as the tree processor found it, still as elements."""
    heading: etree.Element | None   # None for the lead before the first h2
    nodes: list[etree.Element]
    id: str = ""
    heading_text: str = ""
    first_text: str = ""   # where the id looked for an article number


@dataclass
class Probe:
    """What a caller asks render_parts to note about the text-dependent decisions it made
    (templaterender.py checks them again for every office that fills a rendered template)."""
    scanned: list[str] = field(default_factory=list)   # texts the inline patterns were tried on
    sections: list[tuple[str, str, str | None]] = field(default_factory=list)   # heading, first text, explicit id
    lists: list[tuple[bool, list[str]]] = field(default_factory=list)   # labelled, its items' first texts


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


def section_id(heading: str, first_text: str, index: int, explicit: str | None) -> str:
    """The id of the index-th h2 section: its explicit `{#id}`, `article-N` from 第N条, else `section-K`."""
    if explicit:
        return explicit
    # Terms: 第4条 in the heading (網走) or at the start of the article's first text (広島).
    for text in (heading, first_text[:12]):
        match = _ARTICLE.search(text)
        if match:
            branch = f"-{_number(match.group(2))}" if match.group(2) else ""   # 第3条の2: article-3-2
            return f"article-{_number(match.group(1))}{branch}"
    return f"section-{index}"


def self_labelled(items: list[str]) -> bool:
    """True when every item of a list (its first text) starts with its own label: no bullets then."""
    return bool(items) and all(_ITEM_LABEL.match(text) for text in items)


def _first_text(nodes: list[etree.Element]) -> str:
    """The text of the first node that has any: where an article's number stands."""
    for node in nodes:
        if text := "".join(node.itertext()).strip():
            return text
    return ""


def _loosen(listing: etree.Element) -> None:
    """CommonMark sets every item of a list in paragraphs when one is (a blank line in the list);
    Python-Markdown only the items after the blank line. Do as CommonMark, so the spacing stays."""
    items = [item for item in listing if item.tag == "li"]
    if not any(len(item) and item[0].tag == "p" for item in items):
        return
    for item in items:
        inline = 0
        while inline < len(item) and item[inline].tag not in _BLOCK_TAGS:
            inline += 1
        if inline == 0 and not (item.text or "").strip():
            continue
        paragraph = etree.Element("p")
        paragraph.text, item.text = item.text, None
        for child in list(item)[:inline]:
            item.remove(child)
            paragraph.append(child)
        item.insert(0, paragraph)


class _Sections(Treeprocessor):
    """Cut the tree at its h2 headings, name the sections, and mark self-labelled lists."""

    def __init__(self, md: markdown.Markdown, doc: Document):
        super().__init__(md)
        self.doc = doc
        self.parts: list[Part] = []   # the lead, then one per h2, once the tree has run through
        self.lists: list[tuple[bool, list[str]]] = []   # each list: labelled, its items' first texts

    def run(self, root: etree.Element) -> None:
        """Keep the lead and the sections in self.parts; lists are spaced and marked in place."""
        doc = self.doc
        top = set(root)
        for element in root.iter():
            if element.tag not in _SHOWN or (element.tag[0] == "h" and element not in top):
                # The line scan refuses these with their line; this is its safety net.
                raise ContentError(doc.path, None, f"この文書には表示できない要素（{element.tag}）があります")
        self.lists = []
        for listing in [element for element in root.iter() if element.tag in ("ul", "ol")]:
            _loosen(listing)
            items = [_first_text([item]) for item in listing if item.tag == "li"]
            labelled = self_labelled(items)
            if labelled:
                listing.set("class", "labelled")
            self.lists.append((labelled, items))
        parts = [Part(None, [])]
        for child in root:
            if child.tag == "h2":
                parts.append(Part(child, []))
            else:
                parts[-1].nodes.append(child)
        if len(parts) - 1 != len(doc.h2):
            raise ContentError(doc.path, None, "見出し（## ）の数が読み取れませんでした")
        seen = set()
        for index, (part, (text, explicit)) in enumerate(zip(parts[1:], doc.h2), 1):
            part.heading_text, part.first_text = text, _first_text(part.nodes)
            part.id = section_id(text, part.first_text, index, explicit)
            if part.id in seen:
                raise ContentError(doc.path, f"見出し「{text}」", f"id「{part.id}」が重複しています")
            seen.add(part.id)
        self.parts = parts


# What each inline pattern needs in the text to match at all: most text of the terms has none.
_INLINE_TRIGGERS = {
    "backtick": "`", "escape": "\\", "reference": "[", "link": "[", "short_reference": "[",
    "autolink": "<", "automail": "<", "entity": "&", "em_strong": "*_",
}
_LINEBREAK = "linebreak"   # two spaces before a line end


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline processor, passing over text that no inline pattern can match.

    Each text node was tried against every pattern (ten regular-expression scans); text without
    any character a pattern starts with is left as it is, as the full scan would leave it. A
    pattern not in _INLINE_TRIGGERS turns the shortcut off, so a new one is never skipped.
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self._trigger: re.Pattern[str] | None = None
        self.scanned: list[str] | None = None   # when a list: every text the patterns are tried on

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """Python-Markdown's run, with the shortcut set for the patterns registered now."""
        names = {item.name for item in self.inlinePatterns._priority}
        chars = "".join(sorted(set("".join(_INLINE_TRIGGERS.get(name, "") for name in names))))
        known = names <= set(_INLINE_TRIGGERS) | {_LINEBREAK}
        self._trigger = re.compile(f"[{re.escape(chars)}]|  \n") if known else None
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803 - the private hook
        if self._trigger is not None and not isinstance(data, AtomicString) and not self._trigger.search(data):
            return data
        if self.scanned is not None:
            self.scanned.append(data)
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)


class HouseExtension(Extension):
    """Our Markdown: CommonMark habits read right, raw HTML and images left as text, sections cut."""

    def __init__(self):
        super().__init__()
        self.doc = Document()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Swap the HTML and image rules out and our two processors in."""
        md.registerExtension(self)
        md.preprocessors.deregister("html_block")
        for name in ("html", "image_link", "image_reference", "short_image_ref"):
            md.inlinePatterns.deregister(name)
        # Every ASCII punctuation mark can be escaped with a backslash, as in CommonMark.
        md.ESCAPED_CHARS = sorted(set(md.ESCAPED_CHARS) | set(string.punctuation))
        md.preprocessors.register(LineScan(md, self.doc), "house_lines", 25)
        md.treeprocessors.register(_Sections(md, self.doc), "house_sections", 15)
        md.treeprocessors.register(_QuickInline(md), "inline", 20)   # replaces Python-Markdown's own

    def reset(self) -> None:
        """Forget the last document (Markdown.reset calls this)."""
        self.doc.reset()


@cache
def _markdown() -> tuple[markdown.Markdown, HouseExtension]:
    extension = HouseExtension()
    return markdown.Markdown(extensions=[extension], output_format="html", tab_length=4), extension


def _html(md: markdown.Markdown, text: str | None, nodes: list[etree.Element]) -> str:
    """Some nodes as HTML, through Python-Markdown's own serializer and postprocessors."""
    wrapper = etree.Element("div")
    wrapper.text = text
    wrapper.extend(nodes)
    html = md.serializer(wrapper)[len("<div>"):-len("</div>")]
    for postprocessor in md.postprocessors:
        html = postprocessor.run(html)
    return html.strip()


def render_parts(text: str, path: Path | str,
                 probe: Probe | None = None) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The lead's HTML and each section's (id, heading HTML, heading text, body HTML), unsanitised.

    Markdown.convert's steps, with the serializer run once per part instead of once overall.
    A `probe` is filled with the texts the decisions were made on.
    """
    md, extension = _markdown()
    md.reset()
    extension.doc.path = path
    quick, cutter = md.treeprocessors["inline"], md.treeprocessors["house_sections"]
    quick.scanned = probe.scanned if probe is not None else None
    try:
        lines = text.split("\n")
        for preprocessor in md.preprocessors:
            lines = preprocessor.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        for treeprocessor in md.treeprocessors:
            root = treeprocessor.run(root) or root
    finally:
        quick.scanned = None
    lead, *sections = cutter.parts
    if probe is not None:
        probe.sections = [(part.heading_text, part.first_text, explicit)
                          for part, (_, explicit) in zip(sections, extension.doc.h2)]
        probe.lists = cutter.lists
    return _html(md, None, lead.nodes), [
        (part.id, _html(md, part.heading.text, list(part.heading)), part.heading_text, _html(md, None, part.nodes))
        for part in sections]
