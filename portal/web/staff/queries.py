"""Read-only queries of the staff console, each scoped to one office, returning typed views.

Views never build queries; templates only print what these dataclasses hold (labels phrased in
Python, times in Asia/Tokyo).
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from ... import rules
from ... import staffrules as sr
from ... import wording
from ...meeting import MeetingDetails, stored
from ...offices import Office
from .. import normalise as norm
from ..places import taken_between
from ..models import (Appointment, BookingRequest, PreferredSlot, RequestEvent, RequestPurge, StaffUser,
                      TermsVersion)

UTC = datetime.timezone.utc


def tokyo_text(moment: datetime.datetime | None, sep: str) -> str:
    """A moment in Tokyo time with the time as the office writes it (sep: typography.time_separator,
    as wording.clock): 2026-05-07 9：30 (or empty)."""
    return "" if moment is None else f"{moment.astimezone(rules.TOKYO):%Y-%m-%d} {tokyo_clock(moment, sep)}"


def tokyo_clock(moment: datetime.datetime, sep: str) -> str:
    """The time of day of a moment in Tokyo, as the office writes it: 9：30."""
    return wording.clock(moment.astimezone(rules.TOKYO).time(), sep)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants where a Tokyo day starts and ends."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=rules.TOKYO)
    return start.astimezone(UTC), (start + datetime.timedelta(days=1)).astimezone(UTC)


@dataclass(frozen=True)
class QueueRow:
    """One request in the queue."""
    reference: str
    status: str
    status_label: str
    created: str
    name: str
    wish: str           # first preference, or the confirmed time
    confirmed: str


PER_PAGE = 100
_REFERENCE = re.compile(r"[A-Z0-9]{4}-?[A-Z0-9]{4}")


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows, where it starts (1-based) and whether more follow."""
    rows: list[QueueRow]
    page: int
    first: int
    has_next: bool


def search_filter(text: str):
    """What a staff member typed in the search box, as a condition: a reference (K7QM-3FXA), a
    求職番号 or a phone number (any width, any dashes) match exactly; anything else is looked for
    in the name and the フリガナ."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if _REFERENCE.fullmatch(typed.upper()) and (any(c.isalpha() for c in typed) or "-" in typed):
        ref = typed.upper().replace("-", "")
        return BookingRequest.reference == f"{ref[:4]}-{ref[4:]}"
    for normalise, column in ((norm.seeker_number, BookingRequest.seeker_number), (norm.phone, BookingRequest.phone)):
        try:
            return column == normalise(typed)
        except norm.FieldError:
            pass
    words = typed.replace("\u3000", " ").split()
    kana = wording.katakana(typed).replace(" ", "\u3000")
    return or_(and_(*(BookingRequest.name.contains(w, autoescape=True) for w in words)),
               BookingRequest.kana.contains(kana, autoescape=True))


def queue(db: Session, office: Office, status: str | None, day: datetime.date | None,
          search: str = "", page: int = 1) -> QueuePage:
    """The office's requests, new ("requested") first, then newest first; filtered by status, day
    and search text; PER_PAGE at a time."""
    # Columns, not ORM objects: building 500 requests, appointments and slots as objects cost more
    # than the query itself at millions of rows (bench/bench_staff.py).
    q = (select(BookingRequest.id, BookingRequest.reference, BookingRequest.status, BookingRequest.created_at,
                BookingRequest.name, Appointment.starts_at)
         .outerjoin(Appointment, Appointment.request_id == BookingRequest.id)
         .where(BookingRequest.office_slug == office.slug))
    if status:
        q = q.where(BookingRequest.status == status)
    if day:
        lo, hi = day_bounds(day)
        pref = exists().where(PreferredSlot.request_id == BookingRequest.id, PreferredSlot.starts_at >= lo,
                              PreferredSlot.starts_at < hi)
        q = q.where(or_(and_(Appointment.starts_at >= lo, Appointment.starts_at < hi), pref))
    if search.strip():
        q = q.where(search_filter(search))
    q = q.order_by((BookingRequest.status != sr.REQUESTED), BookingRequest.created_at.desc(), BookingRequest.id.desc())
    found = db.execute(q.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    has_next = len(found) > PER_PAGE
    found = found[:PER_PAGE]
    first: dict[int, datetime.datetime] = {}
    for rid, rank, starts_at in db.execute(
            select(PreferredSlot.request_id, PreferredSlot.rank, PreferredSlot.starts_at)
            .where(PreferredSlot.request_id.in_([r.id for r in found]))
            .order_by(PreferredSlot.request_id, PreferredSlot.rank.desc())):
        first[rid] = starts_at   # the lowest rank comes last
    out, sep = [], office.config.typography.time_separator
    for rid, reference, status_, created_at, name, confirmed in found:
        wish = wording.slot_label(office.config, first[rid]) if rid in first else ""
        out.append(QueueRow(reference, status_, wording.STATUS_LABELS.get(status_, status_),
                            tokyo_text(created_at, sep), name or "（削除済み）", wish,
                            wording.slot_label(office.config, confirmed) if confirmed else ""))
    return QueuePage(out, page, (page - 1) * PER_PAGE + 1, has_next)


@dataclass(frozen=True)
class Answer:
    """One answer of the seeker, as a label and a printed value."""
    label: str
    value: str


@dataclass(frozen=True)
class EventView:
    """One action in the request's history."""
    at: str
    staff: str
    action: str
    outcome: str


@dataclass(frozen=True)
class ConsentView:
    """The consent record: version, time, statement and the stored text's hash."""
    revision_label: str
    agreed_at: str
    statement: str
    sha256: str


@dataclass(frozen=True)
class HistoryFlag:
    """Earlier no-shows of the same seeker at this office, citing the terms."""
    count: int
    references: tuple[str, ...]
    article: str
    clause: str


@dataclass(frozen=True)
class RequestView:
    """Everything the detail page prints about one request."""
    id: int
    reference: str
    status: str
    status_label: str
    answers: tuple[Answer, ...]
    wishes: tuple[tuple[str, str], ...]         # (slot key, label)
    appointment: str
    starts_at: datetime.datetime | None
    details: str
    previous_reference: str
    consent: ConsentView | None
    events: tuple[EventView, ...]
    history: HistoryFlag | None
    purged: bool
    actions: frozenset[str]
    memo: str
    undo: str               # the status change staff may still take back ("" when none)
    no_show_from: str       # when a no-show may be recorded (staffrules.check_no_show)
    no_show_ready: bool
    meeting: MeetingDetails = MeetingDetails()   # personal data: shown on this page, never logged


def _outcome_label(ev: RequestEvent, sep: str) -> str:
    labels = {**wording.CONTACT_OUTCOME_LABELS, **wording.DETAILS_CHANNEL_LABELS, **wording.CHANNEL_LABELS,
              **wording.REQUEST_CHANNEL_LABELS, **wording.ACTION_LABELS}
    parts = [labels.get(ev.outcome, ev.outcome)] if ev.outcome else []
    if ev.starts_at is not None:
        parts.append(tokyo_text(ev.starts_at, sep))
    if ev.same_day:
        parts.append("当日")
    return "・".join(parts)


def _undoable(events: list[RequestEvent], now: datetime.datetime, sep: str) -> str:
    changes = [ev for ev in events if ev.from_status is not None]
    if not changes:
        return ""
    last = changes[-1]
    try:
        sr.check_undo(last.action, last.at, last.undone_at is not None, now)
    except sr.StaffRuleError:
        return ""
    return f"{wording.ACTION_LABELS.get(last.action, last.action)}（{tokyo_clock(last.at, sep)}）"


def detail(db: Session, office: Office, reference: str, now: datetime.datetime) -> RequestView | None:
    """The request with reference at office, or None (also for another office's request)."""
    req = db.scalar(select(BookingRequest).where(BookingRequest.reference == reference,
                                                 BookingRequest.office_slug == office.slug))
    if req is None:
        return None
    appt = db.get(Appointment, req.id)
    purged = db.get(RequestPurge, req.id) is not None
    conds = {c.id: c.text for c in office.config.eligibility}
    sep = office.config.typography.time_separator
    answers = [Answer("氏名", req.name), Answer("フリガナ", req.kana), Answer("求職番号", req.seeker_number),
               Answer("求職番号（入力のまま）", req.seeker_number_typed), Answer("電話番号", norm.phone_display(req.phone_typed)),
               Answer("メールアドレス", req.email or "（なし）")]
    if norm.phone_display(req.phone_typed) != req.phone_typed:
        answers.insert(5, Answer("電話番号（入力のまま）", req.phone_typed))
    if office.config.companions:
        who = "、".join(wording.COMPANION_LABELS.get(c, c) for c in req.companions.split(",") if c) or "なし"
        answers += [Answer("同席する方", who), Answer("同席する方について", req.companion_note or "（なし）")]
    answers += [Answer("確認した利用条件", "／".join(conds.get(c, c) for c in req.eligibility.split(",") if c)
                       or "（職員が受付）"),
                Answer("受付の方法", wording.REQUEST_CHANNEL_LABELS.get(req.channel, req.channel)),
                Answer("申し込み日時", tokyo_text(req.created_at, sep))]
    events = db.execute(select(RequestEvent, StaffUser.username).outerjoin(StaffUser, StaffUser.id == RequestEvent.staff_id)
                        .where(RequestEvent.request_id == req.id).order_by(RequestEvent.at, RequestEvent.id)).all()
    consent = req.consent
    no_show_at = (appt.starts_at + datetime.timedelta(minutes=office.config.no_show.minutes)) if appt else None
    prev = db.get(BookingRequest, appt.previous_request_id) if appt and appt.previous_request_id else None
    return RequestView(
        id=req.id, reference=req.reference, status=req.status,
        status_label=wording.STATUS_LABELS.get(req.status, req.status), answers=tuple(answers),
        wishes=tuple((rules.slot_key(s.starts_at), wording.slot_label(office.config, s.starts_at))
                     for s in req.slots),
        appointment=wording.slot_label(office.config, appt.starts_at) if appt else "",
        starts_at=appt.starts_at if appt else None,
        details=(f"{wording.DETAILS_CHANNEL_LABELS.get(appt.details_channel, '')}（{tokyo_text(appt.details_sent_at, sep)}）"
                 if appt and appt.details_channel else ""),
        previous_reference=prev.reference if prev else "",
        consent=ConsentView(consent.revision_label, tokyo_text(consent.agreed_at, sep), consent.statement,
                            consent.terms_sha256) if consent else None,
        events=tuple(EventView(tokyo_text(ev.at, sep), name or "", wording.ACTION_LABELS.get(ev.action, ev.action),
                               _outcome_label(ev, sep)) for ev, name in events),
        history=None if purged else history(db, office, req),
        purged=purged, actions=sr.allowed_actions(req.status), memo=req.memo,
        undo=_undoable([ev for ev, _ in events], now, sep),
        no_show_from=tokyo_text(no_show_at, sep), no_show_ready=bool(no_show_at and now >= no_show_at),
        meeting=stored(appt.meeting_url, appt.meeting_id, appt.meeting_passcode) if appt else MeetingDetails(),
    )


def history(db: Session, office: Office, req: BookingRequest) -> HistoryFlag | None:
    """Earlier no-shows of the same 求職番号 at this office, or None when there are none."""
    if not req.seeker_number:
        return None
    earlier = db.execute(select(BookingRequest.reference, BookingRequest.status).where(
        BookingRequest.office_slug == office.slug, BookingRequest.seeker_number == req.seeker_number,
        BookingRequest.id != req.id)).all()
    count = sr.history_flag([s for _, s in earlier])
    if not count:
        return None
    clause = sr.no_show_clause(office.marked_terms("no_show.minutes", sr.NO_SHOW_MARK), office.config.no_show.minutes)
    return HistoryFlag(count, tuple(r for r, s in earlier if s == sr.NO_SHOW),
                       clause.article if clause else "利用規約", clause.text if clause else "")


def terms_text(db: Session, office: Office, sha256: str) -> TermsVersion | None:
    """The stored terms text with this hash, if it belongs to office."""
    tv = db.get(TermsVersion, sha256)
    return tv if tv is not None and tv.office_slug == office.slug else None


def free_slots(db: Session, office: Office, policy: rules.SlotPolicy,
               now: datetime.datetime) -> list[tuple[str, str]]:
    """(key, label with places left) of every slot staff may still confirm, up to the horizon."""
    slots = rules.confirmable_slots(policy, now)
    if not slots:
        return []
    taken = taken_between(db, office.slug, slots[0].start, slots[-1].start)
    out = []
    for slot in slots:
        left = rules.places_left(policy, taken.get(slot.start.astimezone(UTC), 0))
        if left > 0:
            out.append((slot.key, f"{wording.slot_label(office.config, slot.start)}（残り{left}）"))
    return out
