"""The CSV writer of the staff console: BOM, CRLF, and formula cells neutralised."""
from __future__ import annotations

import pytest

from portal.web.staff.forms import neutralise, to_csv


@pytest.mark.parametrize(("cell", "expected"), [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
    ("+81 90", "'+81 90"),
    ("-1", "'-1"),
    ("@cmd", "'@cmd"),
    ("\tx", "'\tx"),
    ("網走 花子", "網走 花子"),
    ("090-1234-5678", "090-1234-5678"),   # a dash inside is harmless
    ("", ""),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_is_utf8_with_bom_and_crlf():
    data = to_csv([("受付番号", "氏名"), ("K7QM-3FXA", "=1+1")])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "受付番号,氏名\r\nK7QM-3FXA,'=1+1\r\n"
