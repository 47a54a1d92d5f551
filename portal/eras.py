"""Calendar facts: the project's time zone, weekday keys, and Japanese era dates (和暦).

Pure standard library, so every floor (even the no-change build, which loads no pydantic) can
use it.
"""
from __future__ import annotations

import datetime as _dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")   # every office's times; Tokyo has had no DST since 1951
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")   # date.weekday() order, as office.yaml names them
WEEKDAY_NAMES = "月火水木金土日"   # the same order, as Japanese writes them
MONDAY_TO_FRIDAY = frozenset(range(5))   # an office's open days unless its office.yaml says otherwise


class Era(NamedTuple):
    name: str
    first_day: _dt.date


# Newest first, so the first era whose first day is not after a date is its era.
ERAS: tuple[Era, ...] = (
    Era("令和", _dt.date(2019, 5, 1)),
    Era("平成", _dt.date(1989, 1, 8)),
    Era("昭和", _dt.date(1926, 12, 25)),
    Era("大正", _dt.date(1912, 7, 30)),
    Era("明治", _dt.date(1873, 1, 1)),  # Gregorian calendar adopted; earlier dates are lunisolar
)


def era_of(day: _dt.date) -> tuple[str, int]:
    """Return the era name and the year within that era (1 for 元年) for a date."""
    for era in ERAS:
        if day >= era.first_day:
            return era.name, day.year - era.first_day.year + 1
    raise ValueError(f"{day.isoformat()} is before the Gregorian calendar was adopted in Japan")


def era_year(day: _dt.date) -> str:
    """Return the era year of a date, such as 令和元年 or 平成31年."""
    name, year = era_of(day)
    return f"{name}{'元' if year == 1 else year}年"


def wareki(day: _dt.date) -> str:
    """Return a date in era notation with Arabic digits, such as 令和4年9月15日."""
    return f"{era_year(day)}{day.month}月{day.day}日"


def seireki(day: _dt.date) -> str:
    """Return a date in Western notation, such as 2022年9月15日."""
    return f"{day.year}年{day.month}月{day.day}日"
