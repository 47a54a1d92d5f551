"""Placeholders: office.yaml facts, phrased by portal.wording, inserted into Markdown.

`{{ key }}` or `{{ key | upper }}` in guide.md or terms.md is replaced by the fact's
text, so the published wording and the enforced rules come from one place.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from .errors import ContentError
from .schema import OfficeConfig, Retention
from .wording import (channels_text, days_long, days_text, deadline_phrase, details_by_text, hours_text, long_clock,
                      open_days_definition, open_weekdays, period_text, windows_long)

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_.]*)\s*(?:\|\s*([a-z_]+)\s*)?\}\}")
_ANY_BRACES = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\}\}")
FILTERS: dict[str, Callable[[str], str]] = {"upper": str.upper, "lower": str.lower}


def facts(config: OfficeConfig) -> dict[str, str | None]:
    """Every placeholder an editor may use, with its text (None when the fact is not given)."""
    t, labels = config.typography, config.channel_labels
    label = lambda n: t.item_label.format(n=n)  # noqa: E731
    same_day = config.cancellation.same_day_channels
    return {
        "office.name": config.office.name,
        "office.issuer": config.office.issuer,
        "office.phone": config.office.phone,
        "office.email": config.office.email,
        "office.address": config.office.address,
        "office.court": config.office.court,
        "office.open_days": open_days_definition(open_weekdays(config)),
        "service.name": config.service,
        "session.minutes": str(config.session.minutes),
        "session.tool": config.session.tool,
        "hours.days": days_text(config.hours.weekdays),
        "hours.text": hours_text(config),
        "hours.days_long": days_long(config.hours.weekdays),
        "hours.windows_long": windows_long(config.hours.windows),
        "booking.deadline": deadline_phrase(config.booking.deadline_business_days),
        "booking.request_channels": channels_text(config.booking.request_channels, t.or_word, labels),
        "cancellation.channels": channels_text(config.cancellation.channels, t.or_word, labels),
        "cancellation.same_day_channels": channels_text(same_day, t.or_word, labels) if same_day else None,
        "booking.cutoff_time": long_clock(config.booking.cutoff_time),
        "booking.details_by": details_by_text(config),
        "no_show.minutes": str(config.no_show.minutes),
        "eligibility.list": "\n".join(f"- {label(i)}{c.text}" for i, c in enumerate(config.eligibility, 1)),
        "guide.title": config.guide.title,
        "terms.title": config.terms.title,
        **retention_facts(config.retention),
    }


def retention_facts(retention: Retention) -> dict[str, str | None]:
    """The retention placeholders of a terms version (its own `retention`, else the office's)."""
    return {"retention.after_session": period_text(retention.days_after_session),
            "retention.after_request": period_text(retention.days_after_request)}


def expand(text: str, values: dict[str, str | None], path: Path | str) -> str:
    """Replace every placeholder in a Markdown text; unknown or empty ones raise ContentError."""
    out: list[str] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if "{" not in line and "}" not in line:   # most lines: no placeholder, nothing mistyped
            out.append(line)
            continue

        def replace(match: re.Match) -> str:
            key, flt = match.group(1), match.group(2)
            where = f"{lineno}行目 {{{{ {key} }}}}"
            if key not in values:
                raise ContentError(path, where, f"未定義のプレースホルダーです（使えるもの: {', '.join(sorted(values))}）")
            value = values[key]
            if value is None:
                raise ContentError(path, where, f"office.yaml に {key} が書かれていないため使えません")
            if flt is not None:
                if flt not in FILTERS:
                    raise ContentError(path, where, f"未定義のフィルター「{flt}」です（使えるもの: {', '.join(FILTERS)}）")
                value = FILTERS[flt](value)
            if "\n" in value:  # a block (list): indent its lines like the placeholder's line
                indent = line[: len(line) - len(line.lstrip())]
                if line.strip() != match.group(0):
                    raise ContentError(path, where, "一覧になるプレースホルダーは1行に単独で書いてください")
                value = value.replace("\n", "\n" + indent)
            return value

        expanded = PLACEHOLDER.sub(replace, line)
        leftover = _ANY_BRACES.search(PLACEHOLDER.sub("", line))
        if leftover:
            raise ContentError(path, f"{lineno}行目", f"プレースホルダーの書き方が正しくありません: {leftover.group(0)}")
        out.append(expanded)
    return "\n".join(out)
