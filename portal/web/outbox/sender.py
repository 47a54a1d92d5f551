"""The sender: claims due outbox rows, hands them to the SMTP server, records what happened.

At most once, as far as SMTP allows: rows are claimed (status "sending", a random claim, the
time) and committed *before* anything is sent, so two senders never hold the same row; each
message is marked "sent" in its own commit the moment the server accepted it. The only way a
message reaches the server twice is a sender killed between the server's "250 OK" and that
commit (one message per killed sender): its claim expires after the lease and the row is sent
again, with the same Message-ID, so mail clients show it once. Nothing is lost: a row is only
ever left "sent" after the server took it, or "failed" with the reason staff see.

A refusal for now (4xx, no connection) is tried again later, 1 minute doubling each time, up to
NOTIFY_MAX_ATTEMPTS; a permanent refusal (5xx, a malformed address) fails at once. A sent
seeker message loses its body and address: only the purge-free facts (kind, times, Message-ID)
stay. Staff alerts go out per office as one message for every pending alert, at most one per
NOTIFY_ALERT_MINUTES.
"""
from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from ... import mailtext
from ...offices import Office
from ..db import writing
from ..models import OutboxMessage as Row
from .enqueue import STAFF_ALERT
from .message import BadAddress, build

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
BACKOFF = datetime.timedelta(minutes=1)
BACKOFF_MAX = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send (the PORTAL_SMTP_* settings)."""
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str
    timeout: float = 30.0

    @classmethod
    def from_config(cls, conf: dict) -> SmtpSettings | None:
        """The settings from the app's config; None when mail is off (no host)."""
        if not conf.get("SMTP_HOST"):
            return None
        security = conf.get("SMTP_SECURITY") or "starttls"
        return cls(conf["SMTP_HOST"], int(conf.get("SMTP_PORT") or DEFAULT_PORTS[security]), security,
                   conf.get("SMTP_USER"), conf.get("SMTP_PASSWORD"), conf["SMTP_FROM"])


@dataclass(frozen=True)
class SendPolicy:
    """How much to send per run and how long a claim holds."""
    batch: int = 100
    lease: datetime.timedelta = datetime.timedelta(minutes=5)
    alert_minutes: int = 5
    max_attempts: int = 8

    @classmethod
    def from_config(cls, conf: dict, batch: int = 100, lease_seconds: float = 300.0) -> SendPolicy:
        """The policy the app's settings give (NOTIFY_ALERT_MINUTES, NOTIFY_MAX_ATTEMPTS)."""
        return cls(batch, datetime.timedelta(seconds=lease_seconds), conf["NOTIFY_ALERT_MINUTES"],
                   conf["NOTIFY_MAX_ATTEMPTS"])


@dataclass
class Report:
    """What one run did."""
    sent: int = 0
    retried: int = 0
    failed: int = 0
    alerts: int = 0


@dataclass(frozen=True)
class Unit:
    """What one SMTP transaction sends: a seeker's message, or one staff alert for many rows."""
    ids: tuple[int, ...]
    kind: str
    recipient: str
    subject: str
    body: str
    ics: str | None
    key: str
    office_slug: str
    claim: str = field(repr=False, default="")


class Refused(Exception):
    """The server refused a message; `permanent` for 5xx, with a reason for staff."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection as the settings say (TLS verified against the system's CAs)."""
    context = ssl.create_default_context()
    if settings.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=context)
    if settings.user:
        smtp.login(settings.user, settings.password or "")
    return smtp


def _due(now: datetime.datetime, lease: datetime.timedelta) -> ColumnElement[bool]:
    return or_(and_(Row.status == "pending", Row.next_attempt_at <= now),
               and_(Row.status == "sending", Row.claimed_at < now - lease))


def _claim(db: Session, where: ColumnElement[bool], now: datetime.datetime, limit: int | None) -> str | None:
    """Mark the due rows matching where as ours in one commit; our claim, or None if none."""
    ids = list(db.scalars(select(Row.id).where(where).order_by(Row.id).limit(limit)))
    db.rollback()
    if not ids:
        return None
    claim = secrets.token_hex(8)
    with writing(db):
        # The condition again: a row another sender claimed meanwhile is not taken twice.
        done = db.execute(update(Row).where(Row.id.in_(ids), where)
                          .values(status="sending", claim=claim, claimed_at=now, attempts=Row.attempts + 1)
                          .execution_options(synchronize_session=False))
        db.commit()
    return claim if done.rowcount else None


def _claimed(db: Session, claim: str) -> list[Row]:
    rows = list(db.scalars(select(Row).where(Row.claim == claim).order_by(Row.id)))
    db.rollback()
    return rows


def seeker_units(db: Session, now: datetime.datetime, policy: SendPolicy) -> list[Unit]:
    """Claim up to a batch of due messages (all but staff alerts), one unit each."""
    claim = _claim(db, and_(Row.kind != STAFF_ALERT, _due(now, policy.lease)), now, policy.batch)
    if claim is None:
        return []
    return [Unit((r.id,), r.kind, r.recipient, r.subject, r.body, r.ics, r.message_key, r.office_slug, claim)
            for r in _claimed(db, claim)]


def alert_units(db: Session, offices: dict[str, Office], queue_url: Callable[[str], str],
                now: datetime.datetime, policy: SendPolicy) -> list[Unit]:
    """Claim each office's pending staff alerts whose last alert is old enough: one unit per office."""
    due = and_(Row.kind == STAFF_ALERT, _due(now, policy.lease))
    units = []
    for slug, recipient in db.execute(select(Row.office_slug, Row.recipient).where(due).distinct()).all():
        last = db.scalar(select(func.max(Row.sent_at)).where(Row.kind == STAFF_ALERT, Row.office_slug == slug))
        if last is not None and now - last < datetime.timedelta(minutes=policy.alert_minutes):
            continue
        claim = _claim(db, and_(due, Row.office_slug == slug, Row.recipient == recipient), now, None)
        if claim is None:
            continue
        rows = _claimed(db, claim)
        office = offices.get(slug)
        letter = mailtext.staff_alert(office.name if office else slug, len(rows), queue_url(slug))
        units.append(Unit(tuple(r.id for r in rows), STAFF_ALERT, recipient, letter.subject, letter.body, None,
                          rows[0].message_key, slug, claim))
    return units


def _reason(exc: smtplib.SMTPResponseException, recipient: str) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    text = " ".join(text.replace(recipient, "（宛先）").split())
    return f"メールサーバーが受け付けませんでした（{exc.smtp_code} {text}）"[:300]


def deliver(smtp: smtplib.SMTP, unit: Unit, settings: SmtpSettings, sender_name: str,
            now: datetime.datetime) -> None:
    """Send one unit; Refused for an answer of the server, OSError/SMTPException for the connection."""
    try:
        msg = build(recipient=unit.recipient, subject=unit.subject, body=unit.body, ics=unit.ics,
                    message_key=unit.key, sender=settings.sender, sender_name=sender_name, now=now,
                    cancel=unit.kind == "cancel")
    except BadAddress as exc:
        raise Refused(str(exc), permanent=True) from None
    try:
        smtp.send_message(msg, settings.sender, [unit.recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise Refused(_reason(smtplib.SMTPResponseException(code, text), unit.recipient), code >= 500) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise Refused(_reason(exc, unit.recipient), exc.smtp_code >= 500) from None


def _finish(db: Session, unit: Unit, **values: object) -> None:
    with writing(db):
        db.execute(update(Row).where(Row.id.in_(unit.ids), Row.claim == unit.claim).values(claim=None, **values)
                   .execution_options(synchronize_session=False))
        db.commit()


def _retry(db: Session, unit: Unit, reason: str, now: datetime.datetime, policy: SendPolicy, report: Report) -> None:
    attempts = db.scalar(select(func.max(Row.attempts)).where(Row.id.in_(unit.ids))) or 1
    db.rollback()
    if attempts >= policy.max_attempts:
        report.failed += 1
        _finish(db, unit, status="failed", error=reason[:300])
        return
    report.retried += 1
    wait = min(BACKOFF * 2 ** (attempts - 1), BACKOFF_MAX)
    _finish(db, unit, status="pending", next_attempt_at=now + wait, error=reason[:300])


@contextmanager
def _connection(settings: SmtpSettings) -> Iterator[list[smtplib.SMTP | None]]:
    held: list[smtplib.SMTP | None] = [None]
    try:
        yield held
    finally:
        if held[0] is not None:
            try:
                held[0].quit()
            except (OSError, smtplib.SMTPException):
                pass


def send_units(db: Session, units: list[Unit], settings: SmtpSettings, names: dict[str, str],
               clock: Callable[[], datetime.datetime], policy: SendPolicy, report: Report) -> None:
    """Send claimed units over one connection (opened on first need, reopened after a drop)."""
    with _connection(settings) as held:
        for unit in units:
            now = clock()
            try:
                if held[0] is None:
                    held[0] = connect(settings)
                deliver(held[0], unit, settings, names.get(unit.office_slug, ""), now)
            except Refused as exc:
                if exc.permanent:
                    report.failed += 1
                    _finish(db, unit, status="failed", error=exc.reason[:300])
                else:
                    _retry(db, unit, exc.reason, now, policy, report)
                log.info("outbox: not sent id=%s kind=%s office=%s", unit.ids[0], unit.kind, unit.office_slug)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                held[0] = None      # the connection is gone: this unit waits, the next reconnects
                _retry(db, unit, f"メールサーバーに接続できませんでした（{type(exc).__name__}）", now, policy, report)
                continue
            # Body and address are personal data, needed no more: only the record stays.
            blank = {"body": "", "recipient": "", "ics": None} if unit.kind != STAFF_ALERT else {}
            _finish(db, unit, status="sent", sent_at=now, error="", **blank)
            if unit.kind == STAFF_ALERT:
                report.alerts += 1
            report.sent += 1


def send_due(engine: Engine, settings: SmtpSettings, offices: dict[str, Office], queue_url: Callable[[str], str],
             clock: Callable[[], datetime.datetime], policy: SendPolicy = SendPolicy()) -> Report:
    """One run: every due message of a batch, then the staff alerts that are due."""
    report = Report()
    names = {slug: office.name for slug, office in offices.items()}
    with Session(engine, expire_on_commit=False) as db:
        send_units(db, seeker_units(db, clock(), policy), settings, names, clock, policy, report)
        send_units(db, alert_units(db, offices, queue_url, clock(), policy), settings, names, clock, policy, report)
    return report
