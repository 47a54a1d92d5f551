"""Typed context of the booking pages: Python phrases everything, templates only print."""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from ... import rules
from ...offices import Office
from ...publish.context import OfficeView, office_view
from ...wording import COMPANION_LABELS, day_label, slot_label, slot_times
from .forms import SLOT_FIELDS, RequestForm


@dataclass(frozen=True)
class Row:
    """One row of the check-answers list."""
    label: str
    value: str
    field: str          # id of the field to change


def office_facts(office: Office) -> OfficeView:
    """The office's facts phrased as on the static site (links absolute for the portal)."""
    return office_view(office, href=f"/{office.slug}/", terms_href=f"/{office.slug}/terms/")


@dataclass(frozen=True)
class SlotChoice:
    """One open slot of the picker: its key, its times, and its radio button per wish."""
    key: str
    times: str                              # 9：30～10：00
    wishes: tuple[tuple[str, str, bool, str], ...]   # (field name, radio id, checked, spoken label)


@dataclass(frozen=True)
class SlotDay:
    """One day of the picker with its open slots; shown open when it holds a wish's first radio."""
    label: str
    times: tuple[SlotChoice, ...]
    open: bool


@dataclass(frozen=True)
class NoWish:
    """The radio button that leaves an optional wish (第2, 第3希望) empty."""
    name: str
    id: str
    label: str
    checked: bool


def slot_days(form: RequestForm, office: Office, now: datetime.datetime, policy: rules.SlotPolicy,
              taken: Mapping[datetime.datetime, int] | None = None
              ) -> tuple[tuple[SlotDay, ...], tuple[NoWish, ...]]:
    """The open slots with a place left (taken: places held per start) grouped by day, each with a
    radio button per wish, and the "none" radios.

    The radio a wish's error summary link points at (id slot1, slot2, slot3) is its checked one,
    else the "none" radio of an optional wish, else the first slot's: its day is shown open.
    """
    chosen = {name: form[name].data or "" for name in SLOT_FIELDS}
    free = rules.free_open_slots(policy, now, taken or {})
    keys = {slot.key for slot in free}
    anchor = {name: (chosen[name] if chosen[name] in keys else None) for name in SLOT_FIELDS}
    nones = tuple(NoWish(name, name if anchor[name] is None else f"{name}-none", f"{_wish(name)}は選ばない",
                         anchor[name] is None) for name in SLOT_FIELDS[1:])
    days: dict[datetime.date, list[SlotChoice]] = {}
    for slot in free:
        if anchor[SLOT_FIELDS[0]] is None:
            anchor[SLOT_FIELDS[0]] = slot.key
        day = slot.start.astimezone(rules.TOKYO).date()
        label = slot_label(office.config, slot.start)
        days.setdefault(day, []).append(SlotChoice(slot.key, slot_times(office.config, slot.start), tuple(
            (name, name if anchor[name] == slot.key else f"{name}-{slot.key}", chosen[name] == slot.key,
             f"{_wish(name)}：{label}") for name in SLOT_FIELDS)))
    marked = set(anchor.values())
    return tuple(SlotDay(day_label(day), tuple(times), any(t.key in marked for t in times))
                 for day, times in days.items()), nones


def _wish(name: str) -> str:
    return f"第{SLOT_FIELDS.index(name) + 1}希望"


def check_rows(form: RequestForm, office: Office) -> list[Row]:
    """The answers as the seeker will check them."""
    rows = [Row("氏名", form.name.data, "name"), Row("フリガナ", form.kana.data, "kana"),
            Row("求職番号", form.seeker_number_normalised, "seeker_number"),
            Row("電話番号", form.phone.data.strip(), "phone")]
    if "email" in form._fields:
        rows.append(Row("メールアドレス", form.email.data or "（なし）", "email"))
    for i, name in enumerate(SLOT_FIELDS, 1):
        if form[name].data:
            rows.append(Row(f"第{i}希望", slot_label(office.config, rules.parse_slot_key(form[name].data)), name))
    if "companions" in form._fields:
        who = "、".join(COMPANION_LABELS[c] for c in form.companions.data) or "なし"
        rows.append(Row("同席する方", who, "companions"))
        if form.companion_note.data:
            rows.append(Row("同席する方について", form.companion_note.data, "companion_note"))
    return rows


