"""Which terms version a seeker is shown and agrees to: the one place that decides it, and keeps
its exact text (once per SHA-256) so any consent can be shown later.

The version in force is chosen per request from the office's dated versions (施行日 in Tokyo), so
the portal switches on the effective date with no rebuild or restart; a form shown before the
switch and submitted after it meets a different hash and the seeker is asked again.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..markup import section_label
from ..offices import Office
from ..rules import TOKYO
from .models import TermsVersion


@dataclass(frozen=True)
class TermsExtract:
    """One article of the terms printed in full above the consent box (terms.before_consent)."""
    id: str
    label: str          # 第5条(利用環境), as in the terms' table of contents
    body: str           # sanitised HTML of that version


@dataclass(frozen=True)
class TermsShown:
    """The terms version shown to a seeker: what a consent is pinned to."""
    office_slug: str
    title: str
    revision_label: str
    sha256: str
    text: str
    href: str           # the static page of exactly this version: /<office>/terms/<key>/
    extracts: tuple[TermsExtract, ...] = ()

    @property
    def statement(self) -> str:
        """The exact consent statement printed beside the checkbox and stored with the consent."""
        return f"「{self.title}」（{self.revision_label}）を読み、その内容に同意します。"


def current_terms(office: Office, now: datetime.datetime, memo: dict | None = None) -> TermsShown:
    """The terms version in force for office at now (its effective date reached in Tokyo).

    memo, a dict living as long as the loaded offices, keeps each version's canonical text and
    SHA-256 once computed: a snapshot's content is immutable (a new one brings a new memo), and
    the form and the submission would otherwise join and hash the whole text on every request.
    """
    version = office.version_at(now.astimezone(TOKYO).date())
    key = (office.slug, version.key)
    shown = memo.get(key) if memo is not None else None
    if shown is None:
        sections = {s.id: s for s in version.doc.rendered.sections}
        extracts = tuple(TermsExtract(sid, section_label(sid, sections[sid].heading_text), sections[sid].body)
                         for sid in office.config.terms.before_consent)
        shown = TermsShown(office.slug, version.doc.title, version.label, office.terms_sha256(version),
                           office.terms_text(version), f"/{office.slug}/terms/{version.key}/", extracts)
        if memo is not None:
            memo[key] = shown
    return shown


# (database URL, sha256) of terms texts known to be stored: saves a lookup on every submission.
_STORED: set[tuple[str, str]] = set()


def store_terms(db: Session, terms: TermsShown, now: datetime.datetime) -> None:
    """Keep the exact text of a terms version once per SHA-256, in the caller's transaction."""
    key = (db.get_bind().url, terms.sha256)
    if key in _STORED:
        return
    if db.get(TermsVersion, terms.sha256) is None:
        db.add(TermsVersion(sha256=terms.sha256, office_slug=terms.office_slug,
                            revision_label=terms.revision_label, title=terms.title,
                            text=terms.text, first_seen_at=now))
        try:
            db.flush()
        except IntegrityError:  # another worker stored the same text at the same moment
            db.rollback()
        return  # known only once committed: the caller's commit makes it so
    _STORED.add(key)


def forget_stored(db: Session, terms: TermsShown) -> None:
    """After a rollback: the text may not be stored after all."""
    _STORED.discard((db.get_bind().url, terms.sha256))
