"""Documents rendered once per template, each office's facts then filled into the HTML.

Offices share their guide and terms templates (one ministry's 544 offices: the same terms, other
names and phone numbers), yet every expanded text differs, so nothing was shared and rendering
Markdown was a third of a national build. Here a template is rendered once per process (and kept
in the render cache) with each placeholder replaced by a sentinel, one private-use character
(U+E000…) that no step of the renderer treats specially, and each office's values are put in
the sentinels' places in the HTML. The result is byte-identical to render_document(expand(…)),
so the fast way is taken only where that is sure; everywhere else, and for every error, the
document is rendered as before:
- every value is inert text (`_inert`): one line, no surrounding space, no character Markdown,
  HTML or nh3 treats specially; a list value (eligibility.list) is taken line by line, `- ` and
  inert text, as a list of sentinels of the same length;
- a line's block structure cannot depend on a value (`_content_start`): its content (after
  indentation, list markers, `>` and `#`s) starts with a letter-like character, an ASCII letter,
  `(`, digits followed by a letter, or a placeholder whose value starts with one of the first three;
- a line holding a placeholder has no tab (Python-Markdown expands tabs by column);
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
_CUT = re.compile("([\ue000-\uf8ff])")
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
    # The HTML cut at its sentinels (_pieces): the lead, then each section's heading, heading text, body.
    pieces: tuple[tuple[str | int, ...], ...] = ()


_SHAPES: dict[str, _Shape | None] = {}
_TEMPLATES: dict[tuple[str, tuple[int, ...]], tuple[Template, str]] = {}   # and its key in the render cache


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


def _values(shape: _Shape, values: dict[str, str | None]) -> tuple[tuple[int, ...], list[str]] | None:
    """The length of each placeholder's list value (-1: not a list) and the values in the order of
    their sentinels (one per placeholder and filter; one per item of a list value), or None when a
    value is not inert."""
    kinds: list[int] = []
    order: list[str] = []
    number: set[tuple[str, str | None]] = set()
    for index, slots in shape.slots:
        line = shape.lines[index]
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
                kinds.append(len(items))
                order.extend(item[2:] for item in items)
            elif "\n" in value or not _inert(value) or (slot.at_start and not _starts_plain(value)):
                return None
            else:
                kinds.append(-1)
                if (slot.key, slot.filter) not in number:
                    number.add((slot.key, slot.filter))
                    order.append(value)
    return (tuple(kinds), order) if len(order) <= _LAST - _FIRST + 1 else None


def _sentinel_text(shape: _Shape, kinds: tuple[int, ...]) -> str:
    """The template with a sentinel for each value, numbered as _values orders the values: the
    text depends only on the template and the length of each list value."""
    lines = list(shape.lines)
    count, kind = 0, iter(kinds)
    number: dict[tuple[str, str | None], str] = {}
    for index, slots in shape.slots:
        line, out, at = lines[index], [], 0
        for slot in slots:
            out.append(line[at:slot.start])
            items = next(kind)
            if items >= 0:   # alone on its line: one item per line, indented as expand does
                out.append(("\n" + line[: slot.start]).join("- " + chr(_FIRST + count + i) for i in range(items)))
                count += items
            else:
                if (slot.key, slot.filter) not in number:
                    number[slot.key, slot.filter] = chr(_FIRST + count)
                    count += 1
                out.append(number[slot.key, slot.filter])
            at = slot.end
        out.append(line[at:])
        lines[index] = "".join(out)
    return "\n".join(lines)


def _pieces(part: str) -> tuple[str | int, ...]:
    """A part of the HTML cut at its sentinels: text, then a value's number, then text, …"""
    cut = _CUT.split(part)
    return tuple(piece if i % 2 == 0 else ord(piece) - _FIRST for i, piece in enumerate(cut))


def _join(pieces: tuple[str | int, ...], order: list[str]) -> str:
    if len(pieces) == 1:
        return pieces[0]
    return "".join([piece if piece.__class__ is str else order[piece] for piece in pieces])


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
    pieces = [_pieces(rendered.lead)]
    for section in rendered.sections:
        pieces += [_pieces(section.heading), _pieces(section.heading_text), _pieces(section.body)]
    return Template(rendered, sections, tuple(lists), tuple(pieces))


def _template(shape: _Shape, shape_key: tuple[str, tuple[int, ...]], path: Path | str) -> Template:
    """The template rendered with sentinels: from this process's memo, the render cache, or now.

    Within a render_cache block the template is also kept in the cache when this process knew it
    already, so the folder holds every template the build used.
    """
    known = _TEMPLATES.get(shape_key)
    store = current_cache()
    if known is not None and store is None:
        return known[0]
    if known is None:
        text = _sentinel_text(shape, shape_key[1])
        key = hashlib.sha256(f"template\0{renderer_key()}\0{text}".encode()).hexdigest()
        kept = store.get(key) if store is not None else None
        template = kept if isinstance(kept, Template) else _make(text, path)
        if len(_TEMPLATES) >= _MEMO_SIZE:
            _TEMPLATES.clear()
        _TEMPLATES[shape_key] = template, key
    else:
        template, key = known
    if store is not None and not isinstance(store.get(key), Template):
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
    kinds, order = found
    template = _template(shape, (text, kinds), path)
    if template.rendered is None:
        return None

    def fill(part: str) -> str:
        return _SENTINEL.sub(lambda match: order[ord(match.group()) - _FIRST], part)

    sections = template.rendered.sections
    for index, heading, first, explicit in template.sections:
        if section_id(fill(heading), fill(first), index, explicit) != sections[index - 1].id:
            return None
    # Each part as its pieces; a part with a list labelled otherwise than with sentinels gets its
    # tag changed first (later tags first: the offsets stay right), then is filled.
    bodies: list[str | tuple[str | int, ...]] = list(template.pieces[0::3])
    for part, at, labelled, items in reversed(template.lists):
        if self_labelled([fill(item) for item in items]) != labelled:
            body = bodies[part] if isinstance(bodies[part], str) else \
                (template.rendered.sections[part - 1].body if part else template.rendered.lead)
            name = body[at + 1:at + 3]
            old, new = (f"<{name}{_LABELLED}>", f"<{name}>") if labelled else (f"<{name}>", f"<{name}{_LABELLED}>")
            bodies[part] = body[:at] + new + body[at + len(old):]
    bodies = [fill(body) if isinstance(body, str) else _join(body, order) for body in bodies]
    return Rendered(bodies[0], tuple(Section(s.id, _join(heading, order), _join(heading_text, order), body)
                                     for s, heading, heading_text, body in
                                     zip(sections, template.pieces[1::3], template.pieces[2::3], bodies[1:])))
