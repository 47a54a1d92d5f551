"""Tables for the pure normalisation of typed input."""
from __future__ import annotations

import pytest

from portal.web import normalise
from portal.web.normalise import FieldError


@pytest.mark.parametrize("typed", [
    "01234-12345678", "0123412345678", "０１２３４－１２３４５６７８", "01234ー12345678", "01234‐12345678",
    "01234−12345678", "01234–12345678", "01234—12345678", "01234ｰ12345678", " 01234 - 12345678 ",
    "０１２３４　１２３４５６７８",
])
def test_seeker_number_accepts_every_dash_and_width(typed):
    assert normalise.seeker_number(typed) == "01234-12345678"


@pytest.mark.parametrize(("typed", "expected"), [
    ("090-1234-5678", "09012345678"), ("０９０ー１２３４ー５６７８", "09012345678"),
    ("(0152)44-6287", "0152446287"), ("０１５２（４４）６２８７", "0152446287"), ("0152 44 6287", "0152446287"),
    ("+81 90-1234-5678", "09012345678"), ("＋８１－９０－１２３４－５６７８", "09012345678"),
    ("+81(0)152-44-6287", "0152446287"),
])
def test_phone_normalised_to_digits(typed, expected):
    assert normalise.phone(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("０１１（８５３）０１０１", "011(853)0101"), ("090ー1234ー5678", "090-1234-5678"), ("0152 44 6287", "0152446287"),
    ("+81 90-1234-5678", "090-1234-5678"),
])
def test_phone_display_keeps_the_grouping_in_half_width(typed, expected):
    assert normalise.phone_display(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("あばしり はなこ", "アバシリ\u3000ハナコ"), ("ｱﾊﾞｼﾘ ﾊﾅｺ", "アバシリ\u3000ハナコ"), ("ヴァージニア", "ヴァージニア"),
])
def test_kana_becomes_full_width_katakana(typed, expected):
    assert normalise.kana(typed) == expected


@pytest.mark.parametrize(("fn", "typed"), [
    (normalise.seeker_number, "12345-1234567"), (normalise.seeker_number, "abcde-12345678"),
    (normalise.phone, "1234567890"), (normalise.phone, "0901234567890"), (normalise.kana, "ABC"),
    (normalise.name, "\u200b"), (normalise.name, "a\u0000b"), (normalise.email, "a@@b.jp"),
])
def test_bad_values_raise_field_error(fn, typed):
    with pytest.raises(FieldError) as exc:
        fn(typed)
    assert exc.value.message


def test_multiline_text_keeps_newlines_but_not_other_controls():
    assert normalise.plain_text("a\r\nb", "x", 10, multiline=True) == "a\nb"
    with pytest.raises(FieldError):
        normalise.plain_text("a\nb", "x", 10)
    with pytest.raises(FieldError):
        normalise.plain_text("a\tb", "x", 10, multiline=True)
