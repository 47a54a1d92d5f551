"""Typed context of the seeker's own request page (also its printable receipt): the status in
Japanese, the wishes, what happens next, how to cancel, and the terms version agreed.

Python phrases everything; the template only prints. No 求職番号 is shown and the phone only by
its last four digits: the page is private, but a phone screen is easily seen over a shoulder.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from ... import staffrules as sr
from ... import wording
from ...offices import Office
from ...rules import TOKYO, SlotPolicy
from ..models import BookingRequest

# What the cancel part of the page offers.
ONLINE, CLOSED, BY_CONTACT, ENDED = "online", "closed", "contact", "ended"


@dataclass(frozen=True)
class TermsAgreed:
    """The terms version the seeker agreed to, linking to its archived page."""
    title: str
    revision_label: str
    href: str
    agreed_on: str


@dataclass(frozen=True)
class RequestStatus:
    """Everything the seeker's request page prints."""
    reference: str
    status: str
    status_label: str            # 日時確定：5月7日（木）9：30～10：00
    name: str
    phone: str                   # masked: 末尾4桁 5678
    wishes: tuple[str, ...]
    companions: str
    steps: tuple[str, ...]       # what happens next (while the request stands)
    cancel: str                  # ONLINE, CLOSED, BY_CONTACT or ENDED
    cancel_text: str
    terms: TermsAgreed | None


def masked_phone(digits: str) -> str:
    """A phone number shown by its last four digits only."""
    return f"末尾4桁 {digits[-4:]}" if len(digits) >= 4 else "（登録なし）"


def terms_href(office: Office, sha256: str) -> str:
    """The archived page of the terms version with this SHA-256 (the terms index if none matches)."""
    for version in office.versions:
        if office.terms_sha256(version) == sha256:
            return f"/{office.slug}/terms/{version.key}/"
    return f"/{office.slug}/terms/"


def cancel_offer(office: Office, policy: SlotPolicy, status: str, start: datetime.datetime | None,
                 now: datetime.datetime) -> tuple[str, str]:
    """What the page offers for cancelling, and the sentence saying how."""
    config = office.config
    if (status, "cancel") not in sr.TRANSITIONS:
        return ENDED, ""
    if "online" not in config.cancellation.channels:
        return BY_CONTACT, f"キャンセルする場合は、{wording.cancellation_text(config)}。"
    if sr.online_cancel_closed(policy, start, now):
        return CLOSED, wording.same_day_cancel_text(config) + "。"
    return ONLINE, "この画面からキャンセルできます。"


def request_status(office: Office, policy: SlotPolicy, req: BookingRequest, start: datetime.datetime | None,
                   now: datetime.datetime) -> RequestStatus:
    """The page of one request as its seeker sees it."""
    config = office.config
    label = wording.SEEKER_STATUS_LABELS.get(req.status, req.status)
    if req.status == sr.CONFIRMED and start is not None:
        label = f"{label}：{wording.slot_label(config, start)}"
    standing = req.status in (sr.REQUESTED, sr.CONFIRMED)
    cancel, cancel_text = cancel_offer(office, policy, req.status, start, now)
    consent = req.consent
    terms = None
    if consent is not None:
        agreed = consent.agreed_at.astimezone(TOKYO).date()
        terms = TermsAgreed(consent.terms.title if consent.terms else "利用規約", consent.revision_label,
                            terms_href(office, consent.terms_sha256), wording.day_label(agreed))
    companions = "、".join(wording.COMPANION_LABELS.get(c, c) for c in req.companions.split(",") if c)
    return RequestStatus(
        reference=req.reference, status=req.status, status_label=label, name=req.name,
        phone=masked_phone(req.phone), wishes=tuple(wording.slot_label(config, s.starts_at) for s in req.slots),
        companions=companions or "なし", steps=tuple(wording.next_steps(config)) if standing else (),
        cancel=cancel, cancel_text=cancel_text, terms=terms)
