import datetime as dt

import pytest

from portal import eras


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 12, 31), "令和元年12月31日"),
        (dt.date(2020, 1, 1), "令和2年1月1日"),
        (dt.date(2022, 9, 15), "令和4年9月15日"),
        (dt.date(2025, 10, 17), "令和7年10月17日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
    ],
)
def test_wareki_boundaries(day, expected):
    assert eras.wareki(day) == expected


def test_seireki():
    assert eras.seireki(dt.date(2022, 9, 15)) == "2022年9月15日"


def test_before_gregorian_is_refused():
    with pytest.raises(ValueError):
        eras.era_of(dt.date(1872, 12, 31))
