"""Typed context of the portal pages: Python phrases everything, templates only print."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .. import rules
from ..offices import Office
from ..publish.context import FOOTER, Crumb, OfficeView, office_view
from ..wording import COMPANION_LABELS, day_label, slot_label
from .forms import SLOT_FIELDS, RequestForm


@dataclass(frozen=True)
class Page:
    """The frame of a portal page (same look as the static site)."""
    title: str
    site_title: str
    breadcrumbs: tuple[Crumb, ...]
    footer: str = FOOTER


@dataclass(frozen=True)
class Row:
    """One row of the check-answers list."""
    label: str
    value: str
    field: str          # id of the field to change


def page(office: Office | None, title: str, site_title: str) -> Page:
    """A page of office's booking flow (or a site-level page when office is None)."""
    crumbs = [Crumb("トップ", "/")]
    if office is not None:
        crumbs += [Crumb(office.name, f"/{office.slug}/"), Crumb("オンライン予約", f"/{office.slug}/booking/")]
    crumbs.append(Crumb(title, None))
    suffix = f"｜{office.name}" if office is not None else ""
    return Page(title + suffix, site_title, tuple(crumbs))


def office_facts(office: Office) -> OfficeView:
    """The office's facts phrased as on the static site (links absolute for the portal)."""
    return office_view(office, href=f"/{office.slug}/", terms_href=f"/{office.slug}/terms/")


def slot_choices(office: Office, now: datetime.datetime, policy: rules.SlotPolicy | None = None) -> list:
    """The open slots as select choices grouped by day: [("", prompt), (day label, [(key, label)])]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for slot in rules.open_slots(policy if policy is not None else office.slot_policy(), now):
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


@dataclass(frozen=True)
class ErrorLink:
    """One entry of the error summary, linking to its field."""
    field_id: str
    message: str


def error_list(form) -> list[ErrorLink]:
    """The form's errors in field order, for the error summary at the top of the page."""
    out = []
    for field in form:
        for message in field.errors if isinstance(field.errors, list) else []:
            out.append(ErrorLink(_first_input_id(field), message))
    return out


def _first_input_id(field) -> str:
    # Radio and checkbox groups: link to their first option (the group itself has no input).
    if field.name.startswith("q_") or field.name == "companions":
        return f"{field.id}-0"
    return field.id
