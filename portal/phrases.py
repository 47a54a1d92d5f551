"""Japanese phrase boundaries for headings and titles, so lines break between phrases and never
mid-word (「ご／案内」, 「利用規／約」).

BudouX (Google's phrase segmenter, pure Python) finds the phrases; corrections keep compound
nouns whole, as BudouX splits long ones (「職業相／談利用規約」): no break between two kanji, nor
after an opening bracket or before closing punctuation; and a break where katakana meets kanji (「ハローワーク／網走／オンライン／職業相談利用規約」).

Browsers get `<wbr>` between phrases with `word-break: keep-all` (site.css); WeasyPrint ignores
keep-all, so the PDFs get each phrase in a `<span class="phrase">` that does not wrap (leaflet.css).
"""
from __future__ import annotations

import functools
import html
import re

import budoux
from markupsafe import Markup, escape

_PARSER = budoux.load_default_japanese_parser()
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30f6]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc\uff66-\uff9f]")
_OPENING = "(（「『【〔［〈《"     # never a break right after these, nor before the closing ones
_CLOSING = ")）」』】〕］〉》、。，．・：？！ー"
_TAG = re.compile(r"(<[^>]*>)")
_LONGEST_UNBROKEN = 10   # a longer phrase in a PDF may still wrap, rather than overflow its box


def _kind(char: str) -> str:
    return "kanji" if _KANJI.match(char) else "katakana" if _KATAKANA.match(char) else "other"


@functools.lru_cache(maxsize=8192)
def _parsed(part: str) -> tuple[str, ...]:
    # A title's parts recur across pages and offices (「改訂履歴｜」, an office's name on each of
    # its six pages): BudouX, pure Python, reads each distinct part once.
    return tuple(_PARSER.parse(part))


@functools.lru_cache(maxsize=8192)
def phrases(text: str) -> tuple[str, ...]:
    """text cut into phrases (joined again they give text back)."""
    merged: list[str] = []
    # A title's parts (「改訂履歴｜利用規約｜網走」) are phrases apart, each cut on its own.
    chunks = [c for part in re.split(r"(?<=｜)", text) if part for c in _parsed(part)]
    for chunk in chunks:
        if merged and (_kind(merged[-1][-1]) == "kanji" == _kind(chunk[0])
                       or merged[-1][-1] in _OPENING or chunk[0] in _CLOSING):
            merged[-1] += chunk
        else:
            merged.append(chunk)
    out: list[str] = []
    for chunk in merged:
        start = 0
        for i in range(1, len(chunk)):
            if {_kind(chunk[i - 1]), _kind(chunk[i])} == {"kanji", "katakana"}:
                out.append(chunk[start:i])
                start = i
        out.append(chunk[start:])
    return tuple(p for p in out if p)


def _mark(text: str, pdf: bool) -> str:
    # Plain text (not escaped) → escaped HTML with the phrase boundaries marked.
    parts = [str(escape(p)) for p in phrases(text)]
    if pdf:
        return "".join(f'<span class="phrase">{p}</span>' if len(p) <= _LONGEST_UNBROKEN else p for p in parts)
    return "<wbr>".join(parts)


def html_phrases(value: object, pdf: bool = False) -> Markup:
    """The Jinja filter `phrases`: value (text, or Markup whose tags are kept) with `<wbr>` between
    its phrases; pdf=True wraps each phrase in a span that does not wrap, for WeasyPrint."""
    return Markup(_marked(str(value), isinstance(value, Markup), pdf))


@functools.lru_cache(maxsize=16384)
def _marked(text: str, markup: bool, pdf: bool) -> str:
    # An office's name and titles are phrased on each of its pages: each distinct text once.
    if not markup:
        return _mark(text, pdf)
    pieces = _TAG.split(text)
    return "".join(p if i % 2 else _mark(html.unescape(p), pdf) for i, p in enumerate(pieces))
