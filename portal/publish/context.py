"""Typed template context: Python phrases everything, so templates only print."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import eras
from ..errors import display_path
from ..markup import section_label
from ..offices import Office, TermsVersion
from ..schema import SiteConfig
from ..wording import cancellation_text, deadline_text, hours_text

FALLBACK_URL = "http://127.0.0.1:8000"   # the portal as `scripts/run` serves it locally
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
    draft: str | None = None        # the banner of a draft build (portal.release.draft_banner)


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


def doc_view(office: Office, which: str, version: TermsVersion | None = None) -> DocView:
    """The guide or terms (default: the current version) of an office, ready to print."""
    doc = office.guide if which == "guide" else (version or office.current).doc
    sections = tuple(SectionView(s.id, s.heading, section_label(s.id, s.heading_text), s.body) for s in doc.rendered.sections)
    return DocView(doc.title, doc.rendered.lead, sections)


def revisions_view(office: Office, version: TermsVersion | None = None) -> Revisions | None:
    """A terms version's revision history (default: the current one) in era and Western dates."""
    version = version or office.current
    if not version.revisions:
        return None
    items = tuple(RevisionView(r.date.isoformat(), eras.wareki(r.date), eras.seireki(r.date), r.kind)
                  for r in version.revisions)
    return Revisions(version.label, items)


def _tel(phone: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", phone))


def office_view(office: Office, href: str, terms_href: str) -> OfficeView:
    """An office's facts phrased for pages; links are relative to the page being rendered."""
    c = office.config
    return OfficeView(
        slug=office.slug, name=c.office.name, href=href, terms_href=terms_href,
        guide_title=c.guide.title, terms_title=c.terms.title,
        summary=f"{hours_text(c)}、1回{c.session.minutes}分、{c.session.tool}を使用",
        phone=c.office.phone, phone_tel=_tel(c.office.phone) if c.office.phone else None,
        email=c.office.email, address=c.office.address, issuer=c.office.issuer,
        hours=hours_text(c), minutes=c.session.minutes,
        deadline=deadline_text(c),
        cancellation=f"{cancellation_text(c)}。連絡なく開始から{c.no_show.minutes}分を過ぎるとキャンセル扱いになります。",
    )


@dataclass(frozen=True)
class LeafletView:
    """Everything the printed leaflet and terms.pdf show for one office."""
    title: str              # PDF title
    office: OfficeView
    guide: DocView
    terms: DocView
    revisions: Revisions | None
    booking_url: str        # what the QR code encodes
    printed_url: str        # the same address as people type it
    qr_svg: str             # inline SVG markup built by the PDF module
    draft: str | None = None   # 見本 across both pages of a draft build
    office_line: str | None = None   # the office above the title, unless the title names it
    terms_title: str = ""            # the terms PDFs' title, naming the office once


def titled(title: str, name: str) -> str:
    """A title naming the office once: オンライン相談のご案内（ハローワーク網走）, or the title as it is
    when it already holds the name (ハローワーク網走 オンライン相談のご案内)."""
    return title if name in title else f"{title}（{name}）"


def leaflet_view(office: Office, booking_url: str, qr_svg: str, draft: str | None = None) -> LeafletView:
    """An office's leaflet context: its documents and facts plus the booking address and QR code."""
    printed = booking_url.removeprefix("https://")
    return LeafletView(
        title=titled(office.config.guide.title, office.name), draft=draft,
        office_line=None if office.name in office.config.guide.title else office.name,
        terms_title=titled(office.config.terms.title, office.name),
        office=office_view(office, href="", terms_href=""),
        guide=doc_view(office, "guide"), terms=doc_view(office, "terms"),
        revisions=revisions_view(office), booking_url=booking_url, printed_url=printed, qr_svg=qr_svg)


def booking_url(site: SiteConfig, slug: str) -> str:
    """The office's booking page on the portal, as printed leaflets and QR codes give it."""
    return f"{(site.public_url or FALLBACK_URL).rstrip('/')}/{slug}/booking/"


def public_url_warning(site: SiteConfig, path: Path) -> str | None:
    """The warning printed while site.yaml (at `path`) does not say where the portal is published."""
    if site.public_url:
        return None
    return (f"{display_path(path)}: public_url: 設定されていません。リーフレットの QR コードと URL は "
            f"{FALLBACK_URL} を指します")
