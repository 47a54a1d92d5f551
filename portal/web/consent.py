"""Which terms version a seeker is shown and agrees to: the one place that decides it.

A later issue makes the current version depend on the date (dated terms files); every caller
already passes `now`, so only `current_terms` will change.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..offices import Office


@dataclass(frozen=True)
class TermsShown:
    """The terms version shown to a seeker: what a consent is pinned to."""
    office_slug: str
    title: str
    revision_label: str
    sha256: str
    text: str

    @property
    def statement(self) -> str:
        """The exact consent statement printed beside the checkbox and stored with the consent."""
        return f"「{self.title}」（{self.revision_label}）を読み、その内容に同意します。"


def current_terms(office: Office, now: datetime.datetime) -> TermsShown:
    """The terms version in force for office at now."""
    return TermsShown(office.slug, office.config.terms.title, office.revision_label(),
                      office.terms_sha256(), office.terms_text())
