"""Terms versions on the site: every version at its own URL, 改訂履歴, 新旧対照表, お知らせ and Atom.

Paths (relative to the site root):
  <office>/terms/                  the version in effect on the build day
  <office>/terms/<key>/            every version on file (key: 施行日 as YYYY-MM-DD, or "initial")
  <office>/terms/<key>/compare/    新旧対照表 against the version before
  <office>/terms/history/          改訂履歴
  <office>/notices/                お知らせ; <office>/notices/<key>/ one per revision on file
  <office>/notices/feed.xml        Atom feed of the notices
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import eras
from ..compare import Row, compare
from ..offices import Office, TermsVersion
from ..schema import Revision, SiteConfig


@dataclass(frozen=True)
class VersionLink:
    key: str
    label: str
    effective: str | None      # 令和7年10月17日 (None for an undated oldest version)
    effective_iso: str | None
    status: str                # "current", "upcoming" or "superseded"
    href: str                  # relative to the office folder
    compare_href: str | None   # 新旧対照表 against the version before, if any


@dataclass(frozen=True)
class TermsMeta:
    """What a terms page says about its version and the others."""
    this: VersionLink
    current: VersionLink
    upcoming: tuple[VersionLink, ...]
    up: str                    # relative path from the page to the office folder


@dataclass(frozen=True)
class HistoryRow:
    wareki: str
    seireki: str
    iso: str
    kind: str
    version: VersionLink | None   # None when the text of that version is not on file
    summary: str | None = None    # what the revision changed (office.yaml terms.revisions[].summary)


@dataclass(frozen=True)
class Notice:
    key: str
    title: str
    effective: str
    effective_iso: str
    published_iso: str
    summary: str | None
    version: VersionLink
    previous: VersionLink
    rows: tuple[Row, ...]


def _status(office: Office, version: TermsVersion) -> str:
    if version is office.current:
        return "current"
    if version.effective and office.current.effective and version.effective > office.current.effective:
        return "upcoming"
    return "superseded"


def version_link(office: Office, version: TermsVersion) -> VersionLink:
    """How a version is named and linked (hrefs relative to the office folder)."""
    previous = office.previous(version)
    return VersionLink(
        key=version.key, label=version.label,
        effective=eras.wareki(version.effective) if version.effective else None,
        effective_iso=version.effective.isoformat() if version.effective else None,
        status=_status(office, version), href=f"terms/{version.key}/",
        compare_href=f"terms/{version.key}/compare/" if previous else None)


def terms_meta(office: Office, version: TermsVersion, up: str) -> TermsMeta:
    """The version context of a terms page placed `up` below the office folder."""
    return TermsMeta(version_link(office, version), version_link(office, office.current),
                     tuple(version_link(office, v) for v in office.versions
                           if _status(office, v) == "upcoming"), up)


def history(office: Office) -> tuple[HistoryRow, ...]:
    """Every revision, newest first, linked to its text where the text is on file."""
    by_date = {v.effective: v for v in office.versions if v.effective}
    rows = []
    for rev in reversed(office.config.terms.revisions):
        version = by_date.get(rev.date)
        rows.append(HistoryRow(eras.wareki(rev.date), eras.seireki(rev.date), rev.date.isoformat(), rev.kind,
                               version_link(office, version) if version else None, rev.summary))
    return tuple(rows)


def _revision(office: Office, version: TermsVersion) -> Revision:
    return next(r for r in office.config.terms.revisions if r.date == version.effective)


def notices(office: Office) -> tuple[Notice, ...]:
    """One notice per version that replaces another, newest first."""
    found = []
    for version in office.versions:
        previous = office.previous(version)
        if previous is None or version.effective is None:
            continue
        rev = _revision(office, version)
        published = office.announced(version) or version.effective
        found.append(Notice(
            key=version.key,
            title=f"{office.config.terms.title}の{rev.kind}（{eras.wareki(version.effective)}施行）",
            effective=eras.wareki(version.effective), effective_iso=version.effective.isoformat(),
            published_iso=published.isoformat(), summary=rev.summary,
            version=version_link(office, version), previous=version_link(office, previous),
            rows=tuple(compare(previous.doc.markdown, version.doc.markdown))))
    return tuple(reversed(found))


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: str
    self_href: str
    alternate_href: str
    entries: tuple[tuple[Notice, str, str], ...]   # notice, entry id, absolute-or-relative link


def _stamp(iso_date: str) -> str:
    return f"{iso_date}T00:00:00+09:00"


def feed(site: SiteConfig, office: Office, items: tuple[Notice, ...]) -> Feed:
    """The Atom feed of an office's notices; ids stay stable whatever the public URL."""
    base = (site.public_url or "").rstrip("/")
    # Absolute with a public URL; else relative to the feed itself, which is notices/feed.xml.
    here = f"{base}/{office.slug}/notices/" if base else ""
    # Never in the future: notices are dated at most the build day, and revisions count once in force.
    in_force = office.current.effective
    dates = [n.published_iso for n in items] + [r.date.isoformat() for r in office.config.terms.revisions
                                                if in_force is None or r.date <= in_force]
    updated = _stamp(max(dates)) if dates else _stamp(dt.date(2000, 1, 1).isoformat())
    entries = tuple((n, f"tag:madoguchi,2024:{office.slug}/terms/{n.key}", f"{here}{n.key}/") for n in items)
    return Feed(id=f"tag:madoguchi,2024:{office.slug}/notices", title=f"{office.name} お知らせ",
                updated=updated, self_href=f"{here}feed.xml", alternate_href=here or "./", entries=entries)
