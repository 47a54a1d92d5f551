"""Japanese phrase boundaries for headings (portal/phrases.py)."""
from __future__ import annotations

import pytest
from markupsafe import Markup

from portal.phrases import html_phrases, phrases


@pytest.mark.parametrize(("text", "expected"), [
    ("オンラインによる職業相談のご案内", "オンラインに|よる|職業相談の|ご案内"),
    # BudouX alone cuts 職業相|談利用規約; kanji compounds stay whole, katakana/kanji meet at a break.
    ("ハローワーク網走オンライン職業相談利用規約", "ハローワーク|網走|オンライン|職業相談利用規約"),
    ("(その他留意事項)", "(その|他留意事項)"),        # never after an opening bracket
    ("第3条（利用の申し込み）", "第3条|（利用の|申し込み）"),
])
def test_phrases(text, expected):
    assert "|".join(phrases(text)) == expected


def test_html_marks_phrases_and_keeps_tags_and_escapes():
    assert html_phrases("職業相談のご案内") == Markup("職業相談の<wbr>ご案内")
    assert html_phrases("a<b>") == Markup("a&lt;b&gt;")
    assert html_phrases(Markup('<a href="x">職業相談の&amp;ご案内</a>')) == Markup(
        '<a href="x">職業相談の<wbr>&amp;ご案内</a>')
    assert html_phrases("職業相談のご案内", pdf=True) == Markup(
        '<span class="phrase">職業相談の</span><span class="phrase">ご案内</span>')


def test_a_titles_parts_are_read_once_and_phrased_as_before():
    from portal.phrases import _parsed, phrases

    title = "改訂履歴｜利用規約｜ハローワーク網走"
    before = _parsed.cache_info().hits
    first = phrases(title)
    assert phrases.cache_info() and "".join(first) == title
    phrases.cache_clear()
    assert phrases(title) == first          # the same phrases from the parts already read
    assert _parsed.cache_info().hits >= before + 3
