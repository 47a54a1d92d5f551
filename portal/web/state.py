"""What the app derives from content and settings once, as one typed object on the app.

Content is immutable while the app runs, so every office, its slot policy and the site settings
are loaded when the app is assembled; each terms version's text and hash is memoised on first
use. Views reach it through `portal_state()` and the accessors below instead of string-keyed
`app.extensions` look-ups repeated in every blueprint.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from flask import Flask, abort, current_app

from ..offices import Office
from ..rules import SlotPolicy
from ..schema import SiteConfig
from .consent import TermsShown, current_terms

_KEY = "madoguchi"


@dataclass
class PortalState:
    """Offices, site settings, slot policies, the terms memo, the clock and the password hasher."""
    offices: dict[str, Office]
    site: SiteConfig
    clock: Callable[[], datetime.datetime]
    hasher: PasswordHasher
    policies: dict[str, SlotPolicy] = field(default_factory=dict)
    terms_memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Each office's policy is built once, here.
        if not self.policies:
            self.policies = {slug: office.slot_policy() for slug, office in self.offices.items()}

    def now(self) -> datetime.datetime:
        """The current moment (aware UTC) from the app's clock (tests set a fixed one)."""
        return self.clock()

    def office_or_404(self, slug: str) -> Office:
        """The office with this folder name; a 404 page when there is none."""
        office = self.offices.get(slug)
        if office is None:
            abort(404)
        return office

    def policy(self, office: Office) -> SlotPolicy:
        """The office's slot rules, built when the app was assembled."""
        return self.policies[office.slug]

    def terms(self, office: Office, now: datetime.datetime) -> TermsShown:
        """The terms version in force for office at now (see portal.web.consent)."""
        return current_terms(office, now, self.terms_memo)


def attach(app: Flask, state: PortalState) -> None:
    """Put the state on the app (create_app does this once)."""
    app.extensions[_KEY] = state


def state_of(app: Flask) -> PortalState:
    """The state of an app (outside a request, e.g. in tests and commands)."""
    return app.extensions[_KEY]


def portal_state() -> PortalState:
    """The state of the current app."""
    return current_app.extensions[_KEY]
