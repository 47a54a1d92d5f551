"""Font subsets made with the real HarfBuzz library from the real Noto Sans CJK JP."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from portal.errors import BuildError
from portal.publish.fontsubset import harfbuzz_version, subset_font
from portal.publish.fonts import font_codepoints, resolve_font

pytestmark = pytest.mark.pdf


@pytest.mark.parametrize("style", ["Regular", "Bold"])
def test_subset_keeps_the_characters_asked_for_and_their_outlines(style):
    font = resolve_font(style)
    text = "第4条（利用申込み）ZOOM 9：30～12：00、①"
    data = subset_font(font.path, font.index, map(ord, text))
    face = TTFont(io.BytesIO(data))
    assert set(face.getBestCmap()) == {ord(c) for c in text}
    assert face["maxp"].numGlyphs < 200          # compact glyph ids, not the 65,000 of the full font
    full = TTFont(font.path, fontNumber=font.index, lazy=True)
    for char in "条Z①":   # same advance widths, so the same layout
        glyph, full_glyph = face.getBestCmap()[ord(char)], full.getBestCmap()[ord(char)]
        assert face["hmtx"][glyph] == full["hmtx"][full_glyph]
    assert font_codepoints(font) >= set(face.getBestCmap())


def test_unreadable_font_is_a_build_error(tmp_path: Path):
    with pytest.raises(BuildError, match="読めません"):
        subset_font(tmp_path / "missing.otf", 0, [ord("あ")])


def test_harfbuzz_version_is_named():
    assert harfbuzz_version().count(".") == 2
