"""The fidelity checker itself (tests/fidelity.py): it forgives layout, never wording or numbers."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.publish.build import build
from tests.fidelity import (ROOT, SEED_OF, check, coverage, html_text, normalise, source_lines,
                            source_sentences, without_running_lines)

SOURCE = """\
第4条（利用申込み等）

- （1）オンライン職業相談は、1回当たり30分とします。予約は前日までです。
 - ① 氏名
- (5) 当該面談等での予約をもって

予約確定とし、後日お知らせします。

(6) キャンセルの場合は、電話にてご連絡をお願いします。
- ・ 個室を整えてください。（同席者は事前にご連絡をお願いします。）
"""
RENDERED = """<html><head><title>第4条</title></head><body>
<h2>第4条（利用申込み等）</h2>
<ol><li>(1) オンライン職業相談は、1回当たり30分とします。予約は前日までです。<ul><li>① 氏名</li></ul></li>
<li>(5) 当該面談等での予約をもって予約確定とし、後日お知らせします。</li>
<li>(6) キャンセルの場合は、電話にてご連絡をお願いします。</li></ol>
<ul><li>個室を整えてください。（同席者は事前にご連絡をお願いします。）</li></ul>
</body></html>"""


def missing(rendered: str | list[str]) -> list[str]:
    pages = [rendered] if isinstance(rendered, str) else rendered
    return [s.text for s in coverage(SOURCE, map(html_text, pages)).missing]


@pytest.mark.parametrize("text, expected", [
    ("第 7 条", "第7条"),
    ("（1）ＷＥＢ　カメラ", "(1)WEBカメラ"),
    ("① 氏名", "①氏名"),                  # NFKC alone would make it 1氏名
    ("9：30～12：00", "9:30~12:00"),
])
def test_normalise_forgives_layout_and_width_only(text, expected):
    assert normalise(text) == expected


def test_source_lines_repair_the_pdf_extraction():
    assert source_lines(SOURCE) == [
        "第4条（利用申込み等）",
        "（1）オンライン職業相談は、1回当たり30分とします。予約は前日までです。",
        "① 氏名",
        "(5) 当該面談等での予約をもって予約確定とし、後日お知らせします。",   # page break joined
        "(6) キャンセルの場合は、電話にてご連絡をお願いします。",
        "個室を整えてください。（同席者は事前にご連絡をお願いします。）",        # "- ・" is one bullet
    ]


def test_sentences_split_after_the_full_stop_but_not_inside_brackets():
    assert [s.text for s in source_sentences("あ。い（う。）え。\n- ・お。")] == ["あ。", "い（う。）え。", "お。"]


def test_a_faithful_page_passes_with_every_sentence_counted():
    result = coverage(SOURCE, [html_text(RENDERED)], "seed.txt")
    assert result.complete
    assert result.report() == "8/8 sentences of seed.txt found in 1 file(s)"


def test_a_removed_sentence_is_caught_and_named():
    result = coverage(SOURCE, [html_text(RENDERED.replace("予約は前日までです。", ""))], "seed.txt")
    assert not result.complete
    assert result.report().splitlines() == ["7/8 sentences of seed.txt found in 1 file(s)",
                                            "missing: 予約は前日までです。"]


@pytest.mark.parametrize("change, lost", [
    (("第4条", "第5条"), "第4条（利用申込み等）"),
    (("(6)", "(7)"), "(6) キャンセルの場合は、電話にてご連絡をお願いします。"),
    (("(6) ", ""), "(6) キャンセルの場合は、電話にてご連絡をお願いします。"),   # numbering is text
    (("① ", "1 "), "① 氏名"),
    (("予約をもって予約確定", "予約をもって、予約確定"), "(5) 当該面談等での予約をもって予約確定とし、後日お知らせします。"),
])
def test_a_changed_number_or_word_is_caught(change, lost):
    assert missing(RENDERED.replace(*change)) == [lost]


def test_text_outside_the_body_or_hidden_does_not_count():
    hidden = RENDERED.replace("<li>(6)", "<li hidden>(6)").replace("<h2>第4条（利用申込み等）</h2>",
                                                                  "<style>第4条（利用申込み等）</style>")
    assert missing(hidden) == ["第4条（利用申込み等）", "(6) キャンセルの場合は、電話にてご連絡をお願いします。"]


def test_a_sentence_may_not_straddle_two_files():
    first, second = RENDERED.split("予約確定とし、")
    assert missing([first, second]) == ["(5) 当該面談等での予約をもって予約確定とし、後日お知らせします。"]


def test_running_headers_and_footers_are_dropped_so_a_split_sentence_joins():
    pages = [["網走", "第1条 予約は前日", "1/2"], ["網走", "までです。", "2/2"]]
    assert without_running_lines(pages) == [["第1条 予約は前日"], ["までです。"]]
    assert without_running_lines([["網走", "本文"]]) == [["網走", "本文"]]   # one page: nothing repeats


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fidelity") / "site"
    build(ROOT / "content", out, pdf=False, pdf_cache=None, publish=False)
    return out


def test_the_real_terms_page_loses_a_sentence_and_it_is_caught(site, tmp_path):
    page = tmp_path / "terms.html"
    original = (site / "mothers-hiroshima/terms/index.html").read_text(encoding="utf-8")
    sentence = "オンライン職業相談等の録画・録音はその方法を問わず禁止とさせていただきます。"
    assert sentence in original
    page.write_text(original, encoding="utf-8")
    assert check(SEED_OF["mothers-hiroshima"], page).complete
    page.write_text(original.replace(sentence, ""), encoding="utf-8")
    assert [s.text for s in check(SEED_OF["mothers-hiroshima"], page).missing] == [f"(2) {sentence}"]


def test_the_real_terms_page_with_a_changed_article_number_is_caught(site, tmp_path):
    page = tmp_path / "terms.html"
    original = (site / "mothers-hiroshima/terms/index.html").read_text(encoding="utf-8")
    assert original.count("第12条(3)") == 1
    page.write_text(original.replace("第12条(3)", "第11条(3)"), encoding="utf-8")
    assert [s.text for s in check(SEED_OF["mothers-hiroshima"], page).missing] == [
        "(2) 利用者は、第 12 条(3)に規定する措置を講じ、秘密保持を図るものとします。"]


@pytest.mark.skipif(not (ROOT.parent / "shared" / "seeds").is_dir(), reason="no ../shared beside the repository")
@pytest.mark.parametrize("seed", sorted(SEED_OF.values()), ids=lambda p: p.name)
def test_the_fixtures_are_the_workspace_seeds_unchanged(seed):
    assert seed.read_bytes() == (ROOT.parent / "shared" / "seeds" / seed.name).read_bytes()
