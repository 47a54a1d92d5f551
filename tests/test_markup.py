import pytest
from bs4 import BeautifulSoup

from portal import housemarkdown
from portal.errors import ContentError
from portal.markup import render_cache, render_document


def test_sections_and_ids():
    doc = render_document("前文\n\n## 第1条（目的）\n\n本文\n\n## （対象者）\n\n第２条 対象\n\n## 附則 {#fusoku}\n\nx\n\n## その他\n\ny\n", "t.md")
    assert doc.lead == "<p>前文</p>"
    assert [s.id for s in doc.sections] == ["article-1", "article-2", "fusoku", "section-4"]
    assert doc.sections[2].heading == "附則"


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=//evil></iframe>",
    "<style>body{display:none}</style>",
])
def test_raw_html_never_reaches_the_page(source):
    html = render_document(f"## 見出し\n\n{source}\n", "t.md").sections[0].body
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "img", "iframe", "style"])
    for tag in soup.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs)
        assert not tag.get("href", "").lower().startswith("javascript")


def test_pasted_markup_is_shown_as_text():
    html = render_document("<b>太字</b>\n", "t.md").lead
    assert "&lt;b&gt;太字&lt;/b&gt;" in html


def test_item_numbers_stay_text():
    html = render_document("- （1）最初\n  - ① 氏名\n- （2）次\n", "t.md").lead
    assert "（1）最初" in html and "① 氏名" in html


def test_duplicate_ids_refused():
    with pytest.raises(ContentError, match="重複"):
        render_document("## 第1条\n\na\n\n## 第1条（再）\n\nb\n", "t.md")


@pytest.mark.parametrize("source, labelled", [
    ("- （1）a\n- （2）b\n", True),
    ("- (1) a\n- (2) b\n", True),
    ("- ① a\n- ② b\n", True),
    ("- ・a\n- ・b\n", True),
    ("- a\n- b\n", False),
    ("- （1）a\n- b\n", False),
])
def test_lists_carrying_their_own_labels_get_no_bullets(source, labelled):
    html = render_document(source, "t.md").lead
    assert ('class="labelled"' in html) is labelled


def test_setext_headings_are_sections_too():
    doc = render_document("見出し\n---\n\nx\n\n附則 {#fusoku}\n---\n\ny\n", "t.md")
    assert [(s.id, s.heading) for s in doc.sections] == [("section-1", "見出し"), ("fusoku", "附則")]


@pytest.mark.parametrize("source, line", [("- ## 箇条書きの中\n", 1), ("本文\n\n> 引用\n>\n> ## 引用の中\n", 5)])
def test_heading_inside_a_list_or_quote_is_refused_with_its_line(source, line):
    with pytest.raises(ContentError, match=f"{line}行目.*箇条書きや引用の中"):
        render_document(source, "t.md")


@pytest.mark.parametrize("source, line, reason", [
    ("## 第1条\n\n本文。\n\n##\u3000第2条\n\n本文。\n", 5, "半角スペースを1つ"),   # IME full-width space
    ("## 第1条\n\n本文です。\n##第2条（目的）\n続き。\n", 4, "半角スペースを1つ"),   # no space at all
    ("## a\n\n![図](y.png)\n", 3, "画像は使えません"),
    ("## a\n\n| 曜日 | 時間 |\n|---|---|\n| 月 | 9:30 |\n", 3, "表は使えません"),
    ("## a\n\n本文\n\n---\n\n次\n", 5, "区切り線"),
    ("## a\n\n```\ncode\n```\n", 3, "コードブロック"),
    ("## a\n\n    字下げした段落\n", 3, "全角スペースにしてください"),
])
def test_what_would_come_out_wrong_is_refused_with_its_line(source, line, reason):
    with pytest.raises(ContentError, match=f"t.md: {line}行目: .*{reason}"):
        render_document(source, "t.md")


def test_hash_pipe_and_bang_inside_text_are_fine():
    doc = render_document("## a\n\n- 項目 | 区切り\n- ！注意\n\n本文#タグ、番号#1\n", "t.md")
    assert "本文#タグ" in doc.sections[0].body


def test_branch_articles_and_kanji_numbers_get_their_own_ids():
    doc = render_document("## 第3条（目的）\n\nx\n\n## 第3条の2（追加）\n\ny\n\n## 第十二条（管轄）\n\nz\n", "t.md")
    assert [s.id for s in doc.sections] == ["article-3", "article-3-2", "article-12"]


def test_reference_links_resolve_across_sections():
    doc = render_document("## 一\n\n[窓口][w]\n\n## 二\n\n[w]: https://example.jp/\n", "t.md")
    assert 'href="https://example.jp/"' in doc.sections[0].body


def test_identical_headings_are_kept_apart():
    doc = render_document("## 同じ\n\nいち\n\n## 同じ\n\nに\n", "t.md")
    assert [s.body for s in doc.sections] == ["<p>いち</p>", "<p>に</p>"]


# Python-Markdown reads some CommonMark habits differently; the loader reads them as editors mean.

def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("source", [
    "- （1）親\n  - ① 子\n  - ② 子\n- （2）次\n",          # under the parent's text (CommonMark)
    "- （1）親\n    - ① 子\n    - ② 子\n- （2）次\n",        # 4 spaces (Python-Markdown)
    "1. （1）親\n   - ① 子\n   - ② 子\n2. （2）次\n",        # under the text of a numbered item
])
def test_nested_lists_nest_whether_indented_by_two_or_four(source):
    top = _soup(render_document(source, "t.md").lead).find(["ul", "ol"])
    items = top.find_all("li", recursive=False)
    assert len(items) == 2 and [li.get_text() for li in items[0].ul.find_all("li")] == ["① 子", "② 子"]


def test_three_levels_of_two_space_nesting():
    html = render_document("- a\n  - b\n    - c\n- d\n", "t.md").lead
    assert _soup(html).select_one("ul > li > ul > li > ul > li").get_text() == "c"


def test_a_list_right_after_a_sentence_is_a_list():
    html = render_document("次の方です。\n- （1）登録者\n- （2）端末がある方\n", "t.md").lead
    soup = _soup(html)
    assert soup.p.get_text() == "次の方です。" and len(soup.find_all("li")) == 2


def test_a_heading_right_after_a_list_or_sentence_starts_a_section():
    doc = render_document("- a\n## 第1条\n本文\n## 第2条\nx\n", "t.md")
    assert [s.id for s in doc.sections] == ["article-1", "article-2"] and doc.lead.count("<li>") == 1


def test_lazy_continuation_stays_in_its_item():
    html = render_document("- （1）はじめ\nつづき\n- （2）次\n", "t.md").lead
    assert [li.get_text().strip() for li in _soup(html).find_all("li")] == ["（1）はじめ\nつづき", "（2）次"]


def test_a_continued_item_keeps_its_list_tight():
    html = render_document("- ・はじめ\n  つづき\n- ・次\n\n本文\n", "t.md").lead
    assert "<li>・次</li>" in html and html.count("<p>") == 1 and 'class="labelled"' in html


def test_an_item_after_a_continued_paragraph_stays_an_item_and_the_list_keeps_its_spacing():
    html = render_document("- (1) a\n- (2) b\n\n  補足\n- (3) c\n", "t.md").lead
    items = _soup(html).find_all("li")
    assert [li.get_text(" ", strip=True) for li in items] == ["(1) a", "(2) b 補足", "(3) c"]
    assert all(li.p for li in items)   # loose, as CommonMark: every item in a paragraph


@pytest.mark.parametrize("source, text", [
    ("本文\n2. 続き\n", "本文\n2. 続き"),                   # a list interrupts a sentence only from 1.
    ("- a\n  本文\n  2. 続き\n", "a\n本文\n2. 続き"),
    ("本文\n[注]: 続き\n", "本文\n[注]: 続き"),              # not a link definition mid-paragraph
    ("####### 七つ\n", "####### 七つ"),                      # no heading level 7
    ("\\<b>と\\|と\\~\n", "<b>と|と~"),                      # every ASCII punctuation mark escapes
    ("> 引用\n2. 続き\n", "引用\n2. 続き"),                  # lazy in a quote, as markdown-it read it
])
def test_what_commonmark_keeps_as_text_stays_text(source, text):
    assert _soup(render_document(source, "t.md").lead).get_text().strip() == text


def test_a_trailing_backslash_breaks_the_line():
    assert "<br>" in render_document("一行目\\\n二行目\n", "t.md").lead


def test_bom_and_crlf_are_accepted_and_lines_still_counted():
    doc = render_document("\ufeff## 第1条\r\n\r\n本文\r\n", "t.md")
    assert [s.id for s in doc.sections] == ["article-1"] and doc.sections[0].body == "<p>本文</p>"
    with pytest.raises(ContentError, match="t.md: 3行目: .*区切り線"):
        render_document("\ufeff## a\r\n\r\n***\r\n", "t.md")


@pytest.mark.parametrize("source, line, reason", [
    ("題名\n===\n", 1, "見出し1"),
    ("- a\n\n  ## 項目の中\n", 3, "箇条書きや引用の中"),
    ("- a\n  ---\n", 1, "箇条書きや引用の中"),               # underlined heading inside an item
    ("- a\n---\n", 2, "区切り線"),
    ("- a\n\n      字下げ\n", 3, "全角スペースにしてください"),
    ("> 引用\n>\n> ```\n", 3, "コードブロック"),
    ("## a\n\n本文 ![図][ref]\n", 3, "画像は使えません"),
    ("## a\n\n### b\n\n##### c\n", 5, "レベルが飛んで"),
    ("1. 一\n\n- 二\n", 3, "一つの箇条書きになって"),      # Python-Markdown would merge the two lists
    ("-\n\n    字下げ\n", 3, "全角スペースにしてください"),   # an empty item ends at the blank line
])
def test_refused_inside_containers_too_with_their_line(source, line, reason):
    with pytest.raises(ContentError, match=f"t.md: {line}行目: .*{reason}"):
        render_document(source, "t.md")


def test_underlined_and_closed_headings_are_sections():
    doc = render_document("第1条（目的）\n---\n\nx\n\n## 第2条 ##\n\ny\n", "t.md")
    assert [(s.id, s.heading_text) for s in doc.sections] == [("article-1", "第1条（目的）"), ("article-2", "第2条")]


def test_render_cache_parses_an_unchanged_document_once(tmp_path, monkeypatch):
    calls = []
    real = housemarkdown.render_parts
    monkeypatch.setattr(housemarkdown, "render_parts", lambda *a: calls.append(1) or real(*a))
    source = "前文\n\n## 第1条（目的）\n\n- （1）a\n"
    with render_cache(tmp_path):
        first = render_document(source, "a.md")
        again = render_document(source, "b.md")
        render_document(source + "追記\n", "a.md")
    assert again == first == render_document(source, "a.md") and len(calls) == 3
    packs = list(tmp_path.glob("*.pickle"))
    assert len(packs) == 1   # one pack per block, not one file per document
    for file in packs:
        file.write_bytes(b"damaged")   # a damaged pack is rendered again
    with render_cache(tmp_path):
        assert render_document(source, "a.md") == first and len(calls) == 4


def test_refused_documents_are_not_cached(tmp_path):
    with render_cache(tmp_path):
        for _ in range(2):
            with pytest.raises(ContentError, match="2行目"):
                render_document("a\n***\n", "t.md")
    assert not list(tmp_path.rglob("*.pickle"))


INLINE_CASES = [
    "本文だけの段落です。\n\n## 第1条（目的）\n\n本文。",
    "強調は **ここ** と *ここ* と __ここ__ と _ここ_、単独の * と _ は文字。",
    "改行は行末の空白2つ  \nで入ります。`コード` と \\*エスケープ\\* と &amp; と &#12354; と &copy;。",
    "[リンク](https://example.jp) と <https://example.jp/a> と <mail@example.jp> と [参照][r]。\n\n[r]: https://example.jp/r",
    "- 項目 **一**\n- 項目 [二](https://example.jp)\n  - 入れ子 `三`\n\n> 引用 *四*",
    "全角の＊や＿や［］は記号ではありません。<b>貼り付けたタグ</b>は文字のまま。",
    # one trigger alone in its text, so a missing one shows
    "文字参照 &amp; だけ", "下線の _強調_ だけ", "星の *強調* だけ", "行末の空白  \nだけ", "`コード` だけ",
    "\\# エスケープだけ", "[リンク](https://example.jp) だけ", "<https://example.jp> だけ",
]


@pytest.mark.parametrize("source", INLINE_CASES)
def test_text_no_inline_pattern_can_match_is_passed_over_as_the_full_scan_would(source):
    import markdown.treeprocessors

    quick = housemarkdown.render_parts(source, "t.md")
    md, _ = housemarkdown._markdown()
    md.treeprocessors.register(markdown.treeprocessors.InlineProcessor(md), "inline", 20)
    try:
        assert housemarkdown.render_parts(source, "t.md") == quick
    finally:
        md.treeprocessors.register(housemarkdown._QuickInline(md), "inline", 20)


def test_every_inline_pattern_has_its_triggers_listed():
    """Otherwise the shortcut is off (safe, but slow): a new pattern must join _INLINE_TRIGGERS."""
    md, _ = housemarkdown._markdown()
    assert isinstance(md.treeprocessors["inline"], housemarkdown._QuickInline)
    names = {item.name for item in md.inlinePatterns._priority}
    assert names <= set(housemarkdown._INLINE_TRIGGERS) | {housemarkdown._LINEBREAK}
