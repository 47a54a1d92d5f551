"""What the app derives from content and settings, as one typed object on the app.

A PortalState is immutable content: every office, its slot policy and the site settings of one
content snapshot, loaded once; each terms version's text and hash is memoised on first use. When
a build publishes new content, portal/web/follow.py builds a new PortalState and swaps it into
the app's StateHolder in one assignment; each request is pinned to the state it started with, so
no request ever mixes two snapshots (old rules with new terms). Views reach it through
`portal_state()` and the accessors below instead of string-keyed `app.extensions` look-ups
repeated in every blueprint.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from flask import Flask, abort, current_app, g, has_request_context

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
    snapshot: str = ""       # id of the published content snapshot; "" when read from CONTENT_DIR

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


class StateHolder:
    """The app's current PortalState; follow.py replaces `current` whole (one reference assignment)."""

    def __init__(self, state: PortalState) -> None:
        self.current = state


def attach(app: Flask, state: PortalState) -> StateHolder:
    """Put the state on the app (create_app does this once); the holder follow.py swaps it in."""
    holder = StateHolder(state)
    app.extensions[_KEY] = holder
    return holder


def state_of(app: Flask) -> PortalState:
    """The current state of an app (outside a request, e.g. in tests and commands)."""
    return app.extensions[_KEY].current


def portal_state() -> PortalState:
    """The state of the current request: the one current when it first asked, for the whole request."""
    holder: StateHolder = current_app.extensions[_KEY]
    if not has_request_context():
        return holder.current
    pinned = g.get("madoguchi_state")
    if pinned is None:
        pinned = g.madoguchi_state = holder.current
    return pinned
