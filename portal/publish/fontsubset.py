"""Font subsets made with HarfBuzz (libharfbuzz-subset, the library WeasyPrint subsets with).

Each PDF is laid out with a subset of Noto Sans CJK JP that holds only the characters of that
document (about a thousand glyphs out of 65,000). WeasyPrint keeps every glyph id up to the
highest one it embeds, so with the whole font every PDF carried tens of thousands of empty
glyph slots (three quarters of its bytes), and HarfBuzz and zlib spent most of the PDF writing
time on them. A subset made first has compact glyph ids: same outlines, same metrics, same
shaping rules (HarfBuzz keeps the layout tables of the glyphs it keeps), so the same layout.

Bound with ctypes to the system library: no extra package, about 10 ms a face.
"""
from __future__ import annotations

import ctypes
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import BuildError

_P = ctypes.c_void_p


@lru_cache(maxsize=None)
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    try:
        hb, sub = ctypes.CDLL("libharfbuzz.so.0"), ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError as exc:
        raise BuildError(f"HarfBuzz が読み込めません（Debian のパッケージ libharfbuzz-subset0）: {exc}") from exc
    for lib, name, restype, argtypes in (
        (hb, "hb_version_string", ctypes.c_char_p, []),
        (hb, "hb_blob_create_from_file_or_fail", _P, [ctypes.c_char_p]),
        (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [_P, ctypes.POINTER(ctypes.c_uint)]),
        (hb, "hb_blob_destroy", None, [_P]),
        (hb, "hb_face_create", _P, [_P, ctypes.c_uint]),
        (hb, "hb_face_reference_blob", _P, [_P]),
        (hb, "hb_face_destroy", None, [_P]),
        (hb, "hb_set_add", None, [_P, ctypes.c_uint32]),
        (sub, "hb_subset_input_create_or_fail", _P, []),
        (sub, "hb_subset_input_unicode_set", _P, [_P]),
        (sub, "hb_subset_input_destroy", None, [_P]),
        (sub, "hb_subset_or_fail", _P, [_P, _P]),
    ):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return hb, sub


def harfbuzz_version() -> str:
    """The version of the HarfBuzz library that makes the subsets (part of the PDF cache key)."""
    return _libraries()[0].hb_version_string().decode()


def subset_font(path: Path, index: int, codepoints: Iterable[int]) -> bytes:
    """The face `index` of the font file with the glyphs of these code points (and what shaping
    them can reach), as an OpenType font with new, compact glyph ids."""
    hb, sub = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(str(path).encode())
    if not blob:
        raise BuildError(f"{path}: フォントファイルが読めません")
    face = hb.hb_face_create(blob, index)
    request = sub.hb_subset_input_create_or_fail()
    result = out = None
    try:
        if not request:
            raise BuildError(f"{path}: フォントのサブセットを作れません（メモリ不足）")
        unicodes = sub.hb_subset_input_unicode_set(request)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        result = sub.hb_subset_or_fail(face, request)
        if not result:
            raise BuildError(f"{path}: HarfBuzz がフォントのサブセットを作れませんでした")
        out = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(out, ctypes.byref(length))
        return ctypes.string_at(data, length.value)
    finally:
        if out:
            hb.hb_blob_destroy(out)
        if result:
            hb.hb_face_destroy(result)
        if request:
            sub.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
