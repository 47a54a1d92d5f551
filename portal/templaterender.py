"""Documents rendered once per template, each office's facts then filled into the HTML.

Offices share their guide and terms templates (one ministry's 544 offices: the same terms, other
names and phone numbers), yet every expanded text differs, so nothing was shared and rendering
Markdown was a third of a national build. Here a template is rendered once per process (and kept
in the render cache) with each placeholder replaced by a sentinel, one private-use character
(U+E000…) that no step of the renderer treats specially, and each office's values are put in
the sentinels' places in the HTML. The result is byte-identical to render_document(expand(…)),
so the fast way is taken only where that is sure; everywhere else, and for every error, the
document is rendered as before:
- every value is inert text: one line, no surrounding space, no character Markdown, HTML or nh3
  treats specially (`_INERT`); a list value (eligibility.list) is taken line by line, `- ` and
  inert text, as a list of sentinels of the same length;
- a line's block structure cannot depend on a value: its content (after indentation, list
  markers, `>` and `#`s) starts with a letter-like character, ASCII letters or digits followed by
  one, or a placeholder whose value starts with a letter-like character or ASCII letter;
- the template rendered without error, no inline pattern (link, emphasis, code span, escape,
  line break) was ever tried on a text holding a sentinel, and each sentinel came out outside
  any tag exactly as often as it went in;
- the decisions the renderer makes on text are made again with each office's values: a section
  id (第N条) must come out the same; a list labelled by its items (（1）…) gets its class then.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ContentError
from .markup import Rendered, Section, current_cache, render_text, renderer_key
from .placeholders import FILTERS, PLACEHOLDER

ENABLED = True   # off only inside disabled(): tests compare both ways
_FIRST, _LAST = 0xE000, 0xF8FF   # the private use area: sentinels, never in a template
_SENTINEL = re.compile("[\ue000-\uf8ff]")
_IN_TAG = re.compile("<[^<>]*[\ue000-\uf8ff]")
_LIST_TAG = re.compile(r"<(?:ul|ol)\b[^>]*>")
_LABELLED = ' class="labelled"'   # how a self-labelled list's tag reads in the HTML
_INERT_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,:;/()+=?@%")
# What may stand before a line's content: indentation, list markers, a quote's `>`, a heading's #s.
_MARKERS = re.compile(r"(?:[ ]*(?:(?:[-*+]|\d{1,9}\.)[ \t]+|>[ ]?|#{1,6}[ \t]+))*[ ]*")
_DIGITS = re.compile(r"[0-9]+")
_MEMO_SIZE = 512   # templates kept per process; a long-running portal sees edited ones come and go


@dataclass(frozen=True)
class _Slot:
    """One placeholder of a template line."""
    start: int
    end: int
    key: str
    filter: str | None
    at_start: bool   # stands where the line's content starts
    alone: bool      # the only thing on its line: may hold a list


@dataclass(frozen=True)
class _Shape:
    """A template's lines and placeholders, when every line with one may be filled."""
    lines: tuple[str, ...]
    slots: tuple[tuple[int, tuple[_Slot, ...]], ...]   # (line index, its placeholders)


@dataclass(frozen=True)
class Template:
    """A template rendered with sentinels (None: it cannot be filled), and the texts its
    text-dependent decisions were made on, where they hold a sentinel."""
    rendered: Rendered | None
    sections: tuple[tuple[int, str, str, str | None], ...] = ()   # index, heading, first text, explicit id
    lists: tuple[tuple[int, int, bool, tuple[str, ...]], ...] = ()   # part, where its tag starts, labelled, items


_SHAPES: dict[str, _Shape | None] = {}
_TEMPLATES: dict[tuple[str, tuple[int, ...]], Template] = {}


@contextmanager
def disabled() -> Iterator[None]:
    """Within the block, filled() always answers None: every document is rendered as before."""
    global ENABLED
    before, ENABLED = ENABLED, False
    try:
        yield
    finally:
        ENABLED = before


def _letterlike(char: str) -> bool:
    """Not ASCII and neither a decimal digit (regular expressions' \\d), space, control, format nor
    private-use character: no block of Markdown (CommonMark's, Python-Markdown's, the line scan's)
    starts with one."""
    return ord(char) > 127 and unicodedata.category(char)[0] not in "CZ" and unicodedata.category(char) != "Nd"


def _plain(char: str) -> bool:
    """A character no block starts with: letter-like, an ASCII letter, or `(` as in (1)."""
    return _letterlike(char) or (char.isascii() and char.isalpha()) or char == "("


@lru_cache(maxsize=4096)   # the same names, times and channels come back office after office
def _inert(value: str) -> bool:
    """One line of text no step of the renderer reads as markup, with nothing to strip at its ends."""
    if not value or value != value.strip():
        return False
    for char in value:
        if char in _INERT_ASCII or char == "\u3000":
            continue
        if ord(char) < 128 or unicodedata.category(char)[0] in "CZ":
            return False
    return True


def _starts_plain(value: str) -> bool:
    """A value that may stand where a line's content starts: no block marker can begin with it."""
    return _plain(value[0])


def _content_start(line: str, first: int) -> int | None:
    """Where the line's content starts, when no value can change what the line is; else None.

    `first`: where the line's first placeholder starts.
    """
    start = _MARKERS.match(line).end()
    if start >= first:
        return first if start == first else None
    head = line[start:first]
    if _plain(head[0]):
        return start
    digits = _DIGITS.match(head)   # 1回{{ session.minutes }}分: a number, then a letter
    if digits and digits.end() < len(head) and _plain(head[digits.end()]) and head[digits.end()] != "(":
        return start
    return None


def _shape(text: str) -> _Shape | None:
    """The template's placeholders, or None when some line with one may not be filled."""
    if text in _SHAPES:
        return _SHAPES[text]
    shape = None
    normalized = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\r" not in normalized and not _SENTINEL.search(normalized):
        lines = tuple(normalized.split("\n"))
        slots: list[tuple[int, tuple[_Slot, ...]]] = []
        for index, line in enumerate(lines):
            if "{" not in line:
                continue
            matches = list(PLACEHOLDER.finditer(line))
            if not matches:
                continue
            start = _content_start(line, matches[0].start())
            if start is None or "\t" in line:   # Python-Markdown expands tabs: their width follows the values
                break
            slots.append((index, tuple(_Slot(m.start(), m.end(), m.group(1), m.group(2), m.start() == start,
                                             line.strip() == m.group(0)) for m in matches)))
        else:
            shape = _Shape(lines, tuple(slots))
    if len(_SHAPES) >= _MEMO_SIZE:
        _SHAPES.clear()
    _SHAPES[text] = shape
    return shape


def _values(shape: _Shape, values: dict[str, str | None]) -> list[list[str | list[str]]] | None:
    """Each placeholder's value (a list value as its items' texts), or None when one is not inert."""
    found: list[list[str | list[str]]] = []
    for index, slots in shape.slots:
        line = shape.lines[index]
        row: list[str | list[str]] = []
        for slot in slots:
            value = values.get(slot.key)
            if value is None or (slot.filter is not None and slot.filter not in FILTERS):
                return None
            if slot.filter is not None:
                value = FILTERS[slot.filter](value)
            if slot.alone and ("\n" in value or value.startswith("- ")):   # a list, as expand indents it
                items = value.split("\n")
                if line[: slot.start].strip(" ") or not all(
                        item.startswith("- ") and _inert(item[2:]) and _starts_plain(item[2:]) for item in items):
                    return None
                row.append([item[2:] for item in items])
            elif "\n" in value or not _inert(value) or (slot.at_start and not _starts_plain(value)):
                return None
            else:
                row.append(value)
        found.append(row)
    return found


def _sentinel_text(shape: _Shape, found: list[list[str | list[str]]]) -> tuple[str, list[str]] | None:
    """The template with a sentinel for each value, and the values in the sentinels' order.

    The text depends only on the template and the length of each list value, not on the values.
    """
    lines = list(shape.lines)
    order: list[str] = []
    number: dict[tuple[str, str | None], str] = {}   # one sentinel per placeholder and filter
    for (index, slots), row in zip(shape.slots, found):
        line, out, at = lines[index], [], 0
        for slot, value in zip(slots, row):
            out.append(line[at:slot.start])
            if isinstance(value, list):   # alone on its line: one item per line, indented as expand does
                items = []
                for item in value:
                    items.append("- " + chr(_FIRST + len(order)))
                    order.append(item)
                out.append(("\n" + line[: slot.start]).join(items))
            else:
                if (slot.key, slot.filter) not in number:
                    number[slot.key, slot.filter] = chr(_FIRST + len(order))
                    order.append(value)
                out.append(number[slot.key, slot.filter])
            at = slot.end
        out.append(line[at:])
        lines[index] = "".join(out)
    if _FIRST + len(order) > _LAST:
        return None
    return "\n".join(lines), order


def _make(text: str, path: Path | str) -> Template:
    """Render a template with sentinels and decide whether it can be filled."""
    from .housemarkdown import Probe

    probe = Probe()
    try:
        rendered = render_text(text, path, probe)
    except ContentError:
        return Template(None)   # rendered as before, so the error names the office's own text
    if any(_SENTINEL.search(scanned) for scanned in probe.scanned):
        return Template(None)
    html = [rendered.lead] + [part for s in rendered.sections for part in (s.heading, s.body)]
    if any(_IN_TAG.search(part) for part in html):
        return Template(None)
    went_in, came_out = _SENTINEL.findall(text), _SENTINEL.findall("".join(html))
    if sorted(went_in) != sorted(came_out):
        return Template(None)
    sections = tuple((index, heading, first, explicit)
                     for index, (heading, first, explicit) in enumerate(probe.sections, 1)
                     if _SENTINEL.search(heading) or _SENTINEL.search(first))
    if any(_SENTINEL.search(heading) and "{" in heading for _, heading, _, _ in sections):
        return Template(None)   # a value within `{#…}` would make it the section's id
    # The lists in document order, as their tags: a list whose items hold values may be labelled
    # with them and not with sentinels, or the other way round; filled() changes its tag then.
    bodies = [rendered.lead] + [s.body for s in rendered.sections]
    tags = [(part, match) for part, body in enumerate(bodies) for match in _LIST_TAG.finditer(body)]
    if len(tags) != len(probe.lists):
        return Template(None)
    lists = []
    for (part, tag), (labelled, items) in zip(tags, probe.lists):
        if tag.group() != f"<{tag.group()[1:3]}{_LABELLED if labelled else ''}>":
            return Template(None)
        if any(_SENTINEL.search(item) for item in items):
            lists.append((part, tag.start(), labelled, tuple(items)))
    return Template(rendered, sections, tuple(lists))


def _template(shape_key: tuple[str, tuple[int, ...]], text: str, path: Path | str) -> Template:
    """The template rendered with sentinels: from this process's memo, the render cache, or now.

    Within a render_cache block the template is also kept in the cache when this process knew it
    already, so the folder holds every template the build used.
    """
    template = _TEMPLATES.get(shape_key)
    store = current_cache()
    if store is None and template is not None:
        return template
    key = hashlib.sha256(f"template\0{renderer_key()}\0{text}".encode()).hexdigest()
    kept = store.get(key) if store is not None else None
    if template is None:
        template = kept if isinstance(kept, Template) else _make(text, path)
        if len(_TEMPLATES) >= _MEMO_SIZE:
            _TEMPLATES.clear()
        _TEMPLATES[shape_key] = template
    if store is not None and not isinstance(kept, Template):
        store.put(key, template)
    return template


def filled(text: str, values: dict[str, str | None], path: Path | str) -> Rendered | None:
    """The document `text` (placeholders unexpanded) rendered with `values`, from its template
    rendered once; None when that is not sure to equal render_document(expand(text, values))."""
    from .housemarkdown import section_id, self_labelled

    if not ENABLED:
        return None
    shape = _shape(text)
    if shape is None:
        return None
    found = _values(shape, values)
    if found is None:
        return None
    lengths = tuple(len(value) if isinstance(value, list) else -1 for row in found for value in row)
    made = _sentinel_text(shape, found)
    if made is None:
        return None
    sentinel_text, order = made
    template = _template((text, lengths), sentinel_text, path)
    if template.rendered is None:
        return None
    table = {chr(_FIRST + i): value for i, value in enumerate(order)}

    def fill(part: str) -> str:
        return _SENTINEL.sub(lambda match: table[match.group()], part)

    sections = template.rendered.sections
    for index, heading, first, explicit in template.sections:
        if section_id(fill(heading), fill(first), index, explicit) != sections[index - 1].id:
            return None
    bodies = [template.rendered.lead] + [s.body for s in sections]
    for part, at, labelled, items in reversed(template.lists):   # later tags first: offsets stay right
        if self_labelled([fill(item) for item in items]) != labelled:
            body, name = bodies[part], bodies[part][at + 1:at + 3]
            old, new = (f"<{name}{_LABELLED}>", f"<{name}>") if labelled else (f"<{name}>", f"<{name}{_LABELLED}>")
            bodies[part] = body[:at] + new + body[at + len(old):]
    return Rendered(fill(bodies[0]), tuple(Section(s.id, fill(s.heading), fill(s.heading_text), fill(body))
                                           for s, body in zip(sections, bodies[1:])))
