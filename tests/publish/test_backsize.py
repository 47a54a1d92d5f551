"""The first estimate of the back page's font size, from the HTML alone."""
from __future__ import annotations

import pytest

from portal.publish.backsize import estimate

SIZES = tuple(7 + 0.5 * i for i in range(11))


def back(paragraphs: int, chars: int = 120) -> str:
    body = "".join(f"<section><h2>第{n}条（目的）</h2><p>{'あ' * chars}</p></section>" for n in range(paragraphs))
    return f'<body class="back"><h1>利用規約</h1><div class="columns">{body}</div></body>'


@pytest.mark.parametrize("paragraphs, expected", [
    (1, 12.0),      # a few lines: the largest size
    (400, 7.0),     # far too long: the smallest (the layout then reports that it does not fit)
])
def test_extremes(paragraphs, expected):
    assert SIZES[estimate(back(paragraphs), SIZES)] == expected


def test_more_text_never_gets_a_larger_size():
    found = [estimate(back(n), SIZES) for n in range(1, 40, 3)]
    assert found == sorted(found, reverse=True) and found[0] > found[-1]


def test_list_items_nested_lists_and_latin_text_are_counted():
    def items(count: int) -> str:
        return "".join(f"<li>（{n}）{'い' * 60} Zoom https://example.jp/{n}<ul><li>① {'う' * 40}</li></ul></li>"
                       for n in range(count))
    short, long = (f'<h1>規約</h1><div class="columns"><ul>{items(n)}</ul></div>' for n in (3, 60))
    assert SIZES[estimate(short, SIZES)] == 12.0 and SIZES[estimate(long, SIZES)] < 9.0
