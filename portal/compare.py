"""新旧対照表: which passages of the terms changed between two versions (pure).

Sections are matched by their stable id (article-N), so an article that moved
keeps its pair; inside a section the text is compared character by character,
and tiny islands of sameness inside a change (a shared の or 、) are folded into
the change so each marked passage reads as one phrase.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .markup import render_document, section_label

LEAD = "lead"
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_ISLAND = 2  # equal runs this short between two changes are part of the change


@dataclass(frozen=True)
class Piece:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    """One changed section: its heading and the old and new text as lines of pieces."""
    id: str
    heading: str
    old: tuple[tuple[Piece, ...], ...]
    new: tuple[tuple[Piece, ...], ...]
    status: str  # "changed", "added" or "removed"


def _section_lines(markdown: str) -> list[tuple[str, list[str]]]:
    """Split Markdown into (heading, text lines) by h2, lead first; list markers dropped."""
    chunks: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.split("\n"):
        if line.startswith("## "):
            chunks.append((line[3:].strip(), []))
        elif line.strip():
            chunks[-1][1].append(_LIST_MARKER.sub("", line).strip())
    return chunks


def sections(markdown: str) -> dict[str, tuple[str, list[str]]]:
    """The document's sections keyed by id (the lead under "lead"), with heading and lines."""
    ids = [LEAD] + [s.id for s in render_document(markdown, "<compare>").sections]
    return dict(zip(ids, _section_lines(markdown)))


def _opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    merged: list[list] = []
    for i, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        island = (tag == "equal" and 0 < i < len(ops) - 1 and i2 - i1 <= _ISLAND
                  and "\n" not in old[i1:i2])
        if island or (tag != "equal" and merged and merged[-1][0] == "replace"):
            tag = "replace"
        if merged and merged[-1][0] == tag == "replace":
            merged[-1][2], merged[-1][4] = i2, j2
        else:
            merged.append([tag, i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def _lines(pieces: list[Piece]) -> tuple[tuple[Piece, ...], ...]:
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        for k, part in enumerate(piece.text.split("\n")):
            if k:
                lines.append([])
            if part:
                lines[-1].append(Piece(part, piece.changed))
    return tuple(tuple(line) for line in lines if line)


def diff_text(old: str, new: str) -> tuple[tuple[tuple[Piece, ...], ...], tuple[tuple[Piece, ...], ...]]:
    """Mark the changed passages of two texts: (old lines, new lines) of pieces."""
    a: list[Piece] = []
    b: list[Piece] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            a.append(Piece(old[i1:i2], False))
            b.append(Piece(new[j1:j2], False))
        else:
            a.append(Piece(old[i1:i2], True))
            b.append(Piece(new[j1:j2], True))
    return _lines(a), _lines(b)


def compare(old_markdown: str, new_markdown: str) -> list[Row]:
    """The sections that differ between two versions, in the new version's order."""
    old, new = sections(old_markdown), sections(new_markdown)
    rows: list[Row] = []
    order = list(new) + [k for k in old if k not in new]
    for key in order:
        o_heading, o_lines = old.get(key, ("", []))
        n_heading, n_lines = new.get(key, ("", []))
        o_text = "\n".join(([o_heading] if o_heading else []) + o_lines)
        n_text = "\n".join(([n_heading] if n_heading else []) + n_lines)
        if o_text == n_text:
            continue
        status = "added" if key not in old else "removed" if key not in new else "changed"
        o, n = diff_text(o_text, n_text)
        heading = section_label(key, n_heading or o_heading) if key != LEAD else "前文"
        rows.append(Row(key, heading, o, n, status))
    return rows
