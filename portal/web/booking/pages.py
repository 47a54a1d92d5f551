"""Typed context of the booking pages: Python phrases everything, templates only print."""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from ... import rules
from ...offices import Office
from ...publish.context import OfficeView, office_view
from ...wording import COMPANION_LABELS, day_label, slot_label
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


def slot_choices(office: Office, now: datetime.datetime, policy: rules.SlotPolicy,
                 taken: Mapping[datetime.datetime, int] | None = None) -> list:
    """The open slots with a place left (taken: places held per start) as select choices grouped
    by day: [("", prompt), (day label, [(key, label)])]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for slot in rules.free_open_slots(policy, now, taken or {}):
        day = day_label(slot.start.astimezone(rules.TOKYO).date())
        groups.setdefault(day, []).append((slot.key, slot_label(office.config, slot.start)))
    return [("", "選択してください")] + list(groups.items())


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


