"""What office admins take away or look back on: the CSV export's rows and the audit log as a
person reads it (Japanese action names, reference numbers and user names instead of row ids).

Read-only, each scoped to one office, like `queries`. The audit log table itself holds ids only;
references and names are joined in here when it is shown, never stored.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from ... import rules, wording
from ...offices import Office
from .. import normalise as norm
from ..models import Appointment, AuditEntry, BookingRequest, RequestEvent, StaffUser
from .queries import day_bounds, tokyo_text


def sheet_time(moment: datetime.datetime | None) -> str:
    """A moment in Tokyo time as spreadsheets read a date and time: 2026-05-07 09:30 (or empty).

    The CSV keeps this one form whatever the office's time separator: a full-width colon (9：30)
    would make the cell text that cannot be sorted or filtered as a date."""
    return "" if moment is None else moment.astimezone(rules.TOKYO).strftime("%Y-%m-%d %H:%M")


CSV_HEADER = ("受付番号", "状態", "申し込み日時", "確定日時", "氏名", "フリガナ", "求職番号", "電話番号",
              "メールアドレス", "第1希望", "第2希望", "第3希望", "接続情報の連絡", "申し込みの経路", "同席する方",
              "連絡した回数", "うち連絡がついた回数", "メモ")


def export_rows(db: Session, office: Office, lo: datetime.date | None, hi: datetime.date | None) -> list[tuple[str, ...]]:
    """The office's requests as CSV rows (header first), created between lo and hi (Tokyo dates).

    Phones are written with hyphens (090-1234-5678) so spreadsheets keep the leading 0. The memo
    is personal data like the rest of the file, which only office admins may export."""
    where = [BookingRequest.office_slug == office.slug]
    if lo:
        where.append(BookingRequest.created_at >= day_bounds(lo)[0])
    if hi:
        where.append(BookingRequest.created_at < day_bounds(hi)[1])
    contacts = {rid: (n, reached or 0) for rid, n, reached in db.execute(
        select(RequestEvent.request_id, func.count(), func.sum(case((RequestEvent.outcome == "reached", 1), else_=0)))
        .join(BookingRequest, BookingRequest.id == RequestEvent.request_id)
        .where(*where, RequestEvent.action == "contact", RequestEvent.undone_at.is_(None))
        .group_by(RequestEvent.request_id))}
    q = (select(BookingRequest, Appointment).outerjoin(Appointment, Appointment.request_id == BookingRequest.id)
         .where(*where).options(selectinload(BookingRequest.slots))
         .order_by(BookingRequest.created_at, BookingRequest.id))
    area = (office.config.office.phone or "").split("-")[0]   # seekers mostly share the office's area code
    rows = [CSV_HEADER]
    for req, appt in db.execute(q):
        wishes = [sheet_time(s.starts_at) for s in req.slots] + ["", "", ""]
        tried, reached = contacts.get(req.id, (0, 0))
        rows.append((req.reference, wording.STATUS_LABELS.get(req.status, req.status), sheet_time(req.created_at),
                     sheet_time(appt.starts_at) if appt else "", req.name, req.kana, req.seeker_number,
                     norm.phone_for_sheet(req.phone_typed, area), req.email or "", *wishes[:3],
                     wording.DETAILS_CHANNEL_LABELS.get(appt.details_channel or "", "") if appt else "",
                     wording.REQUEST_CHANNEL_LABELS.get(req.channel, req.channel),
                     "、".join(wording.COMPANION_LABELS.get(c, c) for c in req.companions.split(",") if c),
                     str(tried), str(reached), req.memo))
    return rows


@dataclass(frozen=True)
class AuditView:
    """One audit entry as printed: who, when, what, and on which request or account."""
    at: str
    staff: str
    action: str
    record: str        # 受付番号 K7QM-3FXA, 職員 aki, or empty
    detail: str


AUDIT_LIMIT = 200
_DETAIL_KEYS = {"status": "状態", "date": "日付", "search": "検索", "page": "ページ", "rows": "件数",
                "from": "開始日", "to": "終了日", "new": "次回の受付番号", "role": "役割", "user": "職員"}
_DETAIL_VALUES = {**wording.STATUS_LABELS, **wording.ROLE_LABELS, **wording.CONTACT_OUTCOME_LABELS,
                  **wording.DETAILS_CHANNEL_LABELS, **wording.CHANNEL_LABELS, "yes": "あり", "no": "なし"}
# Entries whose record_id is a request (the rest name a staff account, or nothing).
_ON_REQUEST = or_(AuditEntry.action.in_(("view_request", "purge")), AuditEntry.action.like("request\\_%", escape="\\"))


def _detail_text(detail: str, references: dict[int, str]) -> str:
    """The stored detail ("status=requested page=1", "reached", "new=12") in words, ids as references."""
    parts = []
    for token in detail.split():
        key, eq, value = token.partition("=")
        if not eq:
            parts.append(_DETAIL_VALUES.get(token, token))
        elif key == "new" and value.isdigit():
            parts.append(f"{_DETAIL_KEYS[key]}：{references.get(int(value), '')}")
        elif value:
            parts.append(f"{_DETAIL_KEYS.get(key, key)}：{_DETAIL_VALUES.get(value, value)}")
    return "・".join(parts)


def audit_entries(db: Session, office: Office, day: datetime.date | None = None, username: str | None = None,
                  limit: int = AUDIT_LIMIT) -> list[AuditView]:
    """The newest audit entries of office, on day (Tokyo) and by username when given."""
    target = aliased(StaffUser)
    # Columns, not ORM objects: 200 entries built as objects cost as much as the query itself.
    q = (select(AuditEntry.at, AuditEntry.action, AuditEntry.detail, StaffUser.username, BookingRequest.reference,
                target.username)
         .outerjoin(StaffUser, StaffUser.id == AuditEntry.staff_id)
         .outerjoin(BookingRequest, and_(BookingRequest.id == AuditEntry.record_id, _ON_REQUEST))
         .outerjoin(target, and_(target.id == AuditEntry.record_id, AuditEntry.action.like("staff\\_%", escape="\\")))
         .where(AuditEntry.office_slug == office.slug))
    if day:
        lo, hi = day_bounds(day)
        q = q.where(AuditEntry.at >= lo, AuditEntry.at < hi)
    if username:
        q = q.where(StaffUser.username == username)
    found = db.execute(q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    later = {int(detail[4:]) for _, action, detail, *_ in found if action == "request_next" and detail[4:].isdigit()}
    references = dict(db.execute(select(BookingRequest.id, BookingRequest.reference).where(
        BookingRequest.id.in_(later), BookingRequest.office_slug == office.slug)).all()) if later else {}
    out, sep = [], office.config.typography.time_separator
    for at, action, detail, name, reference, account in found:
        record = f"受付番号 {reference}" if reference else f"職員 {account}" if account else ""
        out.append(AuditView(tokyo_text(at, sep), name or "", wording.audit_action_label(action), record,
                             _detail_text(detail, references)))
    return out
