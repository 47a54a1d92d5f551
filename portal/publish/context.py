"""Typed template context: Python phrases everything, so templates only print."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import eras
from ..markup import Section
from ..offices import Office
from ..placeholders import channels_text, format_time, hours_text
from ..rules import deadline_phrase

FOOTER = "このサイトの内容は、各ハローワークのご案内と利用規約をもとにしています。"


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str | None


@dataclass(frozen=True)
class Page:
    title: str
    root: str                       # relative path back to the site root ("", "../", "../../")
    site_title: str
    breadcrumbs: tuple[Crumb, ...]
    footer: str = FOOTER


@dataclass(frozen=True)
class SectionView:
    id: str
    heading: str
    toc: str
    body: str


@dataclass(frozen=True)
class DocView:
    title: str
    lead: str
    sections: tuple[SectionView, ...]


@dataclass(frozen=True)
class RevisionView:
    iso: str
    wareki: str
    seireki: str
    kind: str


@dataclass(frozen=True)
class Revisions:
    label: str
    items: tuple[RevisionView, ...]


@dataclass(frozen=True)
class OfficeView:
    slug: str
    name: str
    href: str               # relative to the page it is printed on
    terms_href: str
    guide_title: str
    terms_title: str
    summary: str
    phone: str | None
    phone_tel: str | None
    email: str | None
    address: str | None
    issuer: str | None
    hours: str
    minutes: int
    deadline: str
    cancellation: str


def _toc_label(section: Section) -> str:
    number = re.fullmatch(r"article-(\d+)", section.id)
    if number and "条" not in section.heading_text:
        return f"第{number.group(1)}条{section.heading_text}"
    return section.heading_text


def doc_view(office: Office, which: str) -> DocView:
    """The guide or terms of an office, ready to print."""
    doc = office.guide if which == "guide" else office.terms
    sections = tuple(SectionView(s.id, s.heading, _toc_label(s), s.body) for s in doc.rendered.sections)
    return DocView(doc.title, doc.rendered.lead, sections)


def revisions_view(office: Office) -> Revisions | None:
    """The terms' revision history with era and Western dates, or None without one."""
    revs = office.config.terms.revisions
    if not revs:
        return None
    items = tuple(RevisionView(r.date.isoformat(), eras.wareki(r.date), eras.seireki(r.date), r.kind) for r in revs)
    return Revisions(office.revision_label(), items)


def _tel(phone: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", phone))


def office_view(office: Office, href: str, terms_href: str) -> OfficeView:
    """An office's facts phrased for pages; links are relative to the page being rendered."""
    c = office.config
    same_day = c.cancellation.same_day_channels
    cancel = channels_text(c.cancellation.channels, "・") + "でご連絡ください"
    if same_day and set(same_day) != set(c.cancellation.channels):
        cancel += f"（当日は{channels_text(same_day, '・')}のみ）"
    cancel += f"。連絡なく開始から{c.no_show.minutes}分を過ぎるとキャンセル扱いになります。"
    days, cutoff = c.booking.deadline_business_days, format_time(c.booking.cutoff_time, ":")
    deadline = {0: f"相談日の当日{cutoff}まで", 1: f"相談日の前日（閉庁日を除く）{cutoff}まで"}.get(
        days, f"相談日の{deadline_phrase(days)}{cutoff}まで")
    return OfficeView(
        slug=office.slug, name=c.office.name, href=href, terms_href=terms_href,
        guide_title=c.guide.title, terms_title=c.terms.title,
        summary=f"{hours_text(c)}、1回{c.session.minutes}分、{c.session.tool}を使用",
        phone=c.office.phone, phone_tel=_tel(c.office.phone) if c.office.phone else None,
        email=c.office.email, address=c.office.address, issuer=c.office.issuer,
        hours=hours_text(c), minutes=c.session.minutes,
        deadline=deadline,
        cancellation=cancel,
    )
