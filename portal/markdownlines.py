"""The line scan of our Markdown: every block read as CommonMark reads it, checked, and written
the way Python-Markdown reads it as the editor meant.

Python-Markdown reads some CommonMark habits differently (a nested item under its parent's text,
a list right after a sentence, lazy continuation, an underlined heading). This preprocessor walks
the lines once, container by container (a list item's or quote's lines are read again without
their indentation or `>`), refuses with its line what the site cannot show, and writes nested
content 4 spaces in, a blank line before a list or heading, headings in `## ` form and text that
Python-Markdown would take for markup escaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markdown.preprocessors import Preprocessor

from .errors import ContentError

if TYPE_CHECKING:
    import markdown

_EXPLICIT_ID = re.compile(r"\s*\{#([a-z][a-z0-9-]*)\}\s*$")
# Block starts, read as CommonMark reads them (a line's content, its indentation taken off).
_ATX = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_HR = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"```|~~~")
_ITEM = re.compile(r"([-*+]|\d{1,9}\.)([ \t]+|$)(.*)")
_NOT_A_HEADING = re.compile(r"#{1,6}(?:\u3000|[^\s#])")     # ##　第13条, ##第13条: text, not a heading
_IMAGE = re.compile(r"!\[[^\]]*\]\s?[(\[]")
_TABLE_ROW, _TABLE_RULE = re.compile(r"\|.*\|\s*$"), re.compile(r"\s*\|?\s*:?-{3,}")
_REFERENCE = re.compile(r"\[[^\]]*\]:")
_DEFINITION = re.compile(r"\[[^\]]+\]:[ \t]*\S+[ \t]*$")
_MARKER_TEXT = re.compile(r"(\d+)\.|([-*+])(?=[ \t])")     # would be a list item to Python-Markdown
_REFUSED = {
    "nested": "見出しは箇条書きや引用の中には書けません",
    "hr": "区切り線（---、***）は使えません。見出し（## ）で区切ってください",
    "fence": "コードブロック（```）は使えません",
    "code": "行頭に半角スペースが4つ以上あると、コードとして扱われ改行が失われます。字下げは全角スペースにしてください",
    "space": "見出しにするには「##」の後に半角スペースを1つ入れてください（全角スペースや、"
             "続けて書いた文字では見出しにならず、前の段落の一部になります）",
    "image": "画像は使えません（印刷物と同じく文章で書いてください）",
    "table": "表は使えません。箇条書き（- ）で書いてください",
    "switch": "番号付きの箇条書き（1. ）と記号の箇条書き（- ）を続けて書くと、一つの箇条書きになってしまいます。"
              "間に文を書くか、どちらかにそろえてください",
    "h1": "見出し1（# ）は使えません。題名は office.yaml の title に書きます",
}
Line = tuple[int, str]   # (line number in the file, text)


@dataclass
class Document:
    """What the line scan learns about the document being rendered, for the tree processor."""
    path: Path | str = "?"
    level: int = 1                                  # of the last heading, for the no-skipping rule
    h2: list[tuple[str, str | None]] = field(default_factory=list)   # raw text, explicit id

    def reset(self) -> None:
        """Forget the last document."""
        self.path, self.level, self.h2 = "?", 1, []


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _interrupts(content: str) -> bool:
    """True when a line ends a paragraph before it instead of continuing it (CommonMark's rule)."""
    item = _ITEM.match(content)
    return bool(_ATX.match(content) or _HR.match(content) or _FENCE.match(content) or content.startswith(">")
                or (item and item.group(3).strip() and (not item.group(1)[0].isdigit() or item.group(1) == "1.")))


def _after_loose_item(out: list[str]) -> bool:
    """True when the lines written last are a list item's content after a blank line: a next item
    written right after them would read as their text."""
    for line in reversed(out):
        if not line or not line.startswith(" "):
            return not line
    return False


def _ends_lazy(content: str) -> bool:
    """True when a line left of a list item's text starts a block instead of continuing the item's
    paragraph: any list item does (2. too, and an empty one), unlike within a paragraph or quote."""
    return _interrupts(content) or bool(_ITEM.match(content))


class LineScan(Preprocessor):
    """Check every line and write the blocks the way Python-Markdown reads them as CommonMark would."""

    def __init__(self, md: markdown.Markdown, doc: Document):
        super().__init__(md)
        self.doc = doc

    def run(self, lines: list[str]) -> list[str]:
        """The whole document, numbered from line 1."""
        return self._blocks(list(enumerate(lines, 1)), nested=False, head=False)

    def _refuse(self, number: int, reason: str) -> ContentError:
        return ContentError(self.doc.path, f"{number}行目", reason)

    def _blocks(self, lines: list[Line], nested: bool, head: bool) -> list[str]:
        """One container's lines (the document, a list item or a quote, its indentation taken off).

        `head`: inside a list item, before its first blank line, where a nested list needs no
        blank line before it (one would make the item loose).
        """
        out: list[str] = []
        para: int | None = None   # where the open paragraph starts in `out`
        listed: bool | None = None   # the list just written here is numbered (True) or not (False)
        i = 0
        while i < len(lines):
            number, line = lines[i]
            if not line.strip():
                out.append("")
                para, head = None, False
                i += 1
                continue
            indent = _indent(line)
            content = line[indent:]
            if indent >= 4 and para is None:
                raise self._refuse(number, _REFUSED["code"])
            if indent < 4 and para is not None and _SETEXT.match(content):
                first = lines[i - (len(out) - para)][0]
                text = " ".join(part.strip() for part in out[para:])
                del out[para:]
                self._heading(out, first, 1 if content[0] == "=" else 2, text, nested)
                para = listed = None
                i += 1
                continue
            if indent < 4:
                for kind, pattern in (("hr", _HR), ("fence", _FENCE), ("space", _NOT_A_HEADING)):
                    if pattern.match(content):
                        raise self._refuse(number, _REFUSED[kind])
                if heading := _ATX.match(content):
                    self._heading(out, number, len(heading.group(1)), heading.group(2) or "", nested)
                    para = listed = None
                    i += 1
                    continue
                item = _ITEM.match(content)
                if item and (para is None or _interrupts(content)):
                    ordered = item.group(1)[0].isdigit()
                    if listed is not None and listed != ordered:
                        raise self._refuse(number, _REFUSED["switch"])
                    blank = _after_loose_item(out) if listed is not None else not (head and "" not in out)
                    i, para, listed = self._item(lines, i, out, blank), None, ordered
                    continue
                if content.startswith(">"):
                    i, para, listed = self._quote(lines, i, out), None, None
                    continue
            if para is None and _DEFINITION.match(content):
                out.append(content)   # a link reference definition: no paragraph, as in CommonMark
                i += 1
                continue
            if para is None:
                if listed is not None or (out and out[-1].startswith(">")):
                    out.append("")   # not lazy text, or it would be in the item or quote before
                para = len(out)
            listed = None
            out.append(self._text(lines, i, continued=len(out) > para))
            i += 1
        return out

    def _heading(self, out: list[str], number: int, level: int, text: str, nested: bool) -> None:
        if nested:
            raise self._refuse(number, _REFUSED["nested"])
        if level == 1:
            raise self._refuse(number, _REFUSED["h1"])
        if level > self.doc.level + 1:
            raise self._refuse(number, f"見出しのレベルが飛んでいます（h{self.doc.level} の次に h{level}）")
        self.doc.level = level
        text = text.strip()
        if level == 2:
            explicit = _EXPLICIT_ID.search(text)
            text = text[:explicit.start()] if explicit else text
            self.doc.h2.append((text, explicit.group(1) if explicit else None))
        if out and out[-1]:
            out.append("")
        # Python-Markdown drops a heading's trailing #s, which CommonMark keeps after a non-space.
        out.append(f"{'#' * level} {text[:-1] + chr(92) + '#' if text.endswith('#') else text}")

    def _text(self, lines: list[Line], i: int, continued: bool) -> str:
        """A paragraph line, checked, with what Python-Markdown would read as markup escaped."""
        number, line = lines[i]
        content = line.strip(" ")
        if _IMAGE.search(content):
            raise self._refuse(number, _REFUSED["image"])
        if _TABLE_ROW.match(content) and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1][1]):
            raise self._refuse(number, _REFUSED["table"])
        following = lines[i + 1][1] if i + 1 < len(lines) else ""
        continues = following.strip() and (_indent(following) >= 4 or not (
            _interrupts(following.strip(" ")) or _SETEXT.match(following.strip(" "))))
        if line.endswith("\\") and not line.endswith("\\\\") and continues:
            content = content[:-1] + "  "   # CommonMark's hard break, in Python-Markdown's spelling
        elif line.endswith("  "):
            content += "  "
        if continued and _REFERENCE.match(content):   # not a link definition inside a paragraph
            return content.replace("]:", "]\\:", 1)
        # Text to CommonMark, markup to Python-Markdown: 7 #s (a heading), a lazy "===" (an
        # underline), "2. " or "* " in a paragraph inside a list item (an item).
        if content.startswith("#") or (continued and _SETEXT.match(content)):
            return "\\" + content
        marker = _MARKER_TEXT.match(content) if continued else None
        if marker:
            return f"{marker.group(1)}\\." + content[marker.end():] if marker.group(1) else "\\" + content
        return content

    def _item(self, lines: list[Line], i: int, out: list[str], blank: bool) -> int:
        """One list item with its content: nested under it by 4 spaces, whatever its own indent.

        `blank`: a blank line must come first (Python-Markdown starts a list only at the start of
        a block, and would read an item right after a loose item's paragraph as its text).
        """
        number, line = lines[i]
        indent = _indent(line)
        match = _ITEM.match(line[indent:])
        marker, spaces, rest = match.groups()
        width = len(spaces) if rest and len(spaces) <= 4 else 1
        column = indent + len(marker) + width
        inner: list[Line] = [(number, " " * (len(spaces) - width) + rest if rest else "")]
        i = start = i + 1
        # An item that starts empty ends at a blank line (CommonMark: at most one blank start).
        while i < len(lines) and (rest or i > start or lines[i][1].strip()):
            number, line = lines[i]
            previous = inner[-1][1]
            if not line.strip() or _indent(line) >= column:
                inner.append((number, line[column:]))
            elif previous.strip() and not _ATX.match(previous.strip()) and not _ends_lazy(line.strip(" ")):
                inner.append((number, line.lstrip(" ")))     # lazy continuation of the paragraph
            else:
                break
            i += 1
        while len(inner) > 1 and not inner[-1][1].strip():   # trailing blank lines belong to the list
            inner.pop()
            i -= 1
        body = self._blocks(inner, nested=True, head=True)
        if blank and out and out[-1]:
            out.append("")
        out.append(f"{'-' if marker in '-*+' else marker} {body[0]}")   # "- " even when empty
        loose = False
        for part in body[1:]:
            loose = loose or not part
            # The first paragraph's lines go unindented (Python-Markdown would keep the spaces in
            # the text); nested blocks and later paragraphs go 4 spaces in.
            text = part and not loose and not part.startswith((" ", ">")) and not _ITEM.match(part)
            out.append(part if text or not part else f"    {part}")
        return i

    def _quote(self, lines: list[Line], i: int, out: list[str]) -> int:
        """A block quote: its lines without `>`, read as a container of their own."""
        inner: list[Line] = []
        while i < len(lines):
            number, line = lines[i]
            content = line.lstrip(" ")
            if _indent(line) < 4 and content.startswith(">"):
                inner.append((number, content[2:] if content.startswith("> ") else content[1:]))
            elif inner and inner[-1][1].strip() and line.strip() and not _interrupts(content):
                inner.append((number, content))     # lazy continuation
            else:
                break
            i += 1
        if out and out[-1]:
            out.append("")
        out.extend(f"> {part}" if part else ">" for part in self._blocks(inner, nested=True, head=False))
        return i
