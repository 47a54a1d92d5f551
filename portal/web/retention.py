"""Retention purge and online backup of the portal database.

The purge blanks the personal fields of requests past their retention: the one the terms version
their seeker agreed to states (office.yaml `terms.versions[].retention`, else `retention`), keeping the reference, status, times and the consent record (terms version, hash,
statement, time) as evidence. On SQLite, secure_delete overwrites freed bytes, and a checkpoint
plus VACUUM rewrites the file, so the old values are gone from the file itself, not just unlinked.
"""
from __future__ import annotations

import datetime
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, delete, exists, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..errors import MadoguchiError
from ..offices import Office
from ..schema import Retention
from .db import private_file
from .models import Appointment, AuditEntry, BookingRequest, Consent, OutboxMessage, RequestPurge

BLANK = {"name": "", "kana": "", "seeker_number": "", "seeker_number_typed": "", "phone": "", "phone_typed": "",
         "email": None, "companions": "", "companion_note": "", "memo": "",
         "link_sha256": None}   # the seeker's private link stops working with the purge
MEETING_BLANK = {"meeting_url": None, "meeting_id": None, "meeting_passcode": None}


class CompactError(MadoguchiError, RuntimeError):
    """The purge committed, but the database file could not be rewritten (busy): run it again."""


class BackupError(MadoguchiError, RuntimeError):
    """The backup could not be made or did not verify."""


@dataclass(frozen=True)
class PurgeResult:
    """How many requests each office had purged."""
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All purged requests."""
        return sum(self.counts.values())


def retentions(office: Office) -> tuple[dict[str, Retention], dict[str, Retention]]:
    """Each terms version's retention by the SHA-256 of its canonical text and by its label."""
    by_sha = {office.terms_sha256(v): v.retention for v in office.versions}
    by_label = {v.label: v.retention for v in office.versions}
    return by_sha, by_label


def due(session: Session, office: Office, now: datetime.datetime) -> list[int]:
    """Ids of office's requests past retention and not yet purged.

    Each request keeps the retention of the terms version its seeker agreed to (the consent pins
    its hash and label); a request without a consent, or whose version is no longer on file,
    keeps the office's `retention`. The database narrows by the shortest period; the rest is
    decided per request here.
    """
    by_sha, by_label = retentions(office)
    default = office.config.retention
    every = [default, *by_sha.values()]
    after_session = now - datetime.timedelta(days=min(r.days_after_session for r in every))
    after_request = now - datetime.timedelta(days=min(r.days_after_request for r in every))
    q = (select(BookingRequest.id, Appointment.starts_at, BookingRequest.created_at,
                Consent.terms_sha256, Consent.revision_label)
         .outerjoin(Appointment, Appointment.request_id == BookingRequest.id)
         .outerjoin(Consent, Consent.request_id == BookingRequest.id)
         .where(BookingRequest.office_slug == office.slug,
                ~exists().where(RequestPurge.request_id == BookingRequest.id),
                or_(and_(Appointment.request_id.is_not(None), Appointment.starts_at < after_session),
                    and_(Appointment.request_id.is_(None), BookingRequest.created_at < after_request))))
    found = []
    for rid, starts_at, created_at, sha, label in session.execute(q):
        kept = by_sha.get(sha) or by_label.get(label) or default
        if starts_at is not None:
            past = starts_at < now - datetime.timedelta(days=kept.days_after_session)
        else:
            past = created_at < now - datetime.timedelta(days=kept.days_after_request)
        if past:
            found.append(rid)
    return found


def purge(engine: Engine, offices: list[Office], now: datetime.datetime, dry_run: bool = False,
          wait_seconds: float = 30.0) -> PurgeResult:
    """Delete personal data past retention, then make sure the old bytes leave the database file."""
    counts: dict[str, int] = {}
    with Session(engine) as session:
        for office in offices:
            ids = due(session, office, now)
            counts[office.slug] = len(ids)
            if dry_run or not ids:
                continue
            session.execute(update(BookingRequest).where(BookingRequest.id.in_(ids)).values(**BLANK)
                            .execution_options(synchronize_session=False))
            # The meeting details let anyone join the session: personal data, blanked too.
            session.execute(update(Appointment).where(Appointment.request_id.in_(ids)).values(**MEETING_BLANK)
                            .execution_options(synchronize_session=False))
            # Its e-mails go too, sent or not: their bodies and addresses are personal data.
            session.execute(delete(OutboxMessage).where(OutboxMessage.request_id.in_(ids))
                            .execution_options(synchronize_session=False))
            for rid in ids:
                session.add(RequestPurge(request_id=rid, purged_at=now))
                session.add(AuditEntry(at=now, staff_id=None, office_slug=office.slug, action="purge",
                                       record_id=rid, detail=""))
            session.commit()
    if not dry_run:
        compact(engine, wait_seconds)   # every run: a run whose VACUUM was busy is finished by the next one
    return PurgeResult(counts)


def compact(engine: Engine, wait_seconds: float = 30.0) -> None:
    """Rewrite the storage so deleted values leave the file (SQLite VACUUM; PostgreSQL VACUUM FULL)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "sqlite":
                _checkpoint(conn, wait_seconds)
                conn.execute(text("VACUUM"))
                _checkpoint(conn, wait_seconds)
            elif engine.dialect.name == "postgresql":
                # VACUUM only warns and skips a table the role does not own: say so, loudly.
                owner = conn.execute(text("SELECT pg_has_role(current_user, tableowner, 'MEMBER') "
                                          "FROM pg_tables WHERE tablename = 'booking_requests'")).scalar()
                if not owner:
                    raise CompactError("個人情報は削除しましたが、VACUUM FULL を実行できません：データベースの"
                                       "ロールが booking_requests の所有者ではありません。古い値が消えるよう、"
                                       "所有者のロールで purge を実行するか VACUUM FULL booking_requests を実行してください")
                conn.execute(text("VACUUM FULL booking_requests"))
                conn.execute(text("VACUUM FULL outbox"))
                conn.execute(text("VACUUM FULL appointments"))
    except OperationalError as exc:
        # The data is already blanked and committed; only the rewrite of the file is left.
        raise CompactError("個人情報は削除しましたが、ファイルの再構成（VACUUM）ができませんでした"
                           f"（{type(exc.orig).__name__}）。時間をおいて purge をもう一度実行してください") from None


def _checkpoint(conn: Connection, wait_seconds: float) -> None:
    """Copy the whole WAL into the database file and empty it, retrying while a reader holds it.

    A connection in a read transaction (a staff page, a backup) pins the WAL frames after its
    snapshot: the checkpoint then reports busy and the -wal file keeps old pages, personal data
    included. PRAGMA wal_checkpoint gives (busy, frames in the log, frames checkpointed); only
    (0, 0, 0) after TRUNCATE means the log is empty. Retried for wait_seconds, then CompactError.
    """
    conn.execute(text("PRAGMA busy_timeout=250"))   # short waits, so the deadline is ours
    try:
        deadline = time.monotonic() + wait_seconds
        while not _log_empty(*conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()):
            if time.monotonic() >= deadline:
                raise CompactError(
                    "個人情報は削除しましたが、ほかの接続（開いたままの職員用ページ、バックアップなど）が読み取り中のため、"
                    f"削除前の値がまだデータベースのファイル（本体と -wal）に残っています（{wait_seconds:g}秒待ちました）。"
                    "その接続が終わってから purge をもう一度実行してください")
            time.sleep(0.1)
    finally:
        conn.execute(text("PRAGMA busy_timeout=5000"))   # as db._sqlite_pragmas sets it


def _log_empty(busy: int, log: int, done: int) -> bool:
    """True when a TRUNCATE checkpoint finished: not busy, no frame left (-1: not in WAL mode)."""
    return busy == 0 and log in (0, -1) and done in (0, -1)


def sqlite_path(engine: Engine) -> Path:
    """The file of a SQLite engine (BackupError for other databases)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise BackupError("backup はSQLite用です。PostgreSQL では pg_dump を使ってください（README「Staff console」）")
    return Path(engine.url.database)


def backup(engine: Engine, dest: Path) -> int:
    """A consistent copy of the running SQLite database at dest (online backup API); its page count.

    The copy is taken in one step inside one read transaction, so writes by the running portal
    neither block it nor leave it half-old, half-new; it is then checked with integrity_check and
    switched to a single-file journal, and only then moved into place.
    """
    src_path = sqlite_path(engine)
    dest = Path(dest)
    if dest.exists():
        raise BackupError(f"{dest} はすでにあります（上書きしません）")
    if not dest.parent.is_dir():
        raise BackupError(f"保存先のフォルダー {dest.parent} がありません")
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    if not src_path.exists():
        raise BackupError(f"{src_path} がありません")
    private_file(tmp)
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchall()
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != [("ok",)]:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"バックアップの検査に失敗しました: {check[:3]}")
    tmp.rename(dest)
    return pages
