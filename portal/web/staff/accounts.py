"""Staff accounts and their sessions (services: the only code writing these tables).

Passwords are hashed with argon2id. A login creates a row in `staff_sessions` and puts only a
random token in the (signed) cookie; every request looks the token up, so logging out, disabling
an account, resetting a password or staying idle too long ends the session on the server and a
copied cookie stops working.
"""
from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...errors import MadoguchiError
from ...wording import ROLE_LABELS
from ..models import AuditEntry, StaffOffice, StaffSession, StaffUser

MIN_PASSWORD = 12
_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(MadoguchiError, ValueError):
    """A staff command or login cannot go ahead; `message` is one line for people."""


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member as views see them (no password, no ORM object)."""
    id: int
    username: str
    display_name: str
    session_id: int
    roles: dict[str, str]   # office slug → role

    def can_see(self, slug: str) -> bool:
        """True when bound to the office."""
        return slug in self.roles

    def is_admin(self, slug: str) -> bool:
        """True when the office admin of the office."""
        return self.roles.get(slug) == "office_admin"


def hasher(memory_kib: int = 65536) -> PasswordHasher:
    """The argon2id hasher (RFC 9106 low-memory profile by default)."""
    return PasswordHasher(time_cost=3, memory_cost=memory_kib, parallelism=4)


def check_password(password: str) -> None:
    """Refuse a password that is too short."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"パスワードは{MIN_PASSWORD}文字以上にしてください")


def parse_offices(specs: list[str], known: set[str]) -> list[tuple[str, str]]:
    """Parse "slug:role" bindings (role defaults to counsellor) against the known offices."""
    out = []
    for spec in specs:
        slug, _, role = spec.partition(":")
        role = role or "counsellor"
        if slug not in known:
            raise AccountError(f"窓口「{slug}」はありません（{', '.join(sorted(known))}）")
        if role not in ROLE_LABELS:
            raise AccountError(f"役割「{role}」はありません（{', '.join(ROLE_LABELS)}）")
        out.append((slug, role))
    if not out:
        raise AccountError("窓口を1つ以上指定してください（--office abashiri:counsellor）")
    return out


def _audit(db: Session, now: datetime.datetime, action: str, staff_id: int | None, detail: str = "") -> None:
    db.add(AuditEntry(at=now, staff_id=staff_id, office_slug=None, action=action, record_id=staff_id,
                      detail=detail))


def _user(db: Session, username: str) -> StaffUser:
    user = db.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise AccountError(f"職員「{username}」はいません")
    return user


def add_staff(db: Session, username: str, display_name: str, password: str,
              offices: list[tuple[str, str]], now: datetime.datetime, ph: PasswordHasher) -> int:
    """Create a staff account bound to offices; returns its id."""
    if not _USERNAME_RE.fullmatch(username):
        raise AccountError("ユーザー名は半角英小文字・数字・._- で2〜64文字にしてください")
    check_password(password)
    if db.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise AccountError(f"職員「{username}」はすでにいます")
    user = StaffUser(username=username, display_name=display_name or username, password_hash=ph.hash(password),
                     active=True, failed_logins=0, created_at=now,
                     offices=[StaffOffice(office_slug=s, role=r) for s, r in offices])
    db.add(user)
    db.flush()
    _audit(db, now, "staff_add", None, f"user={user.id}")
    db.commit()
    return user.id


def _end_sessions(db: Session, user_id: int, now: datetime.datetime) -> None:
    db.execute(update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
               .values(ended_at=now))


def disable_staff(db: Session, username: str, now: datetime.datetime) -> None:
    """Disable an account and end all its sessions at once."""
    user = _user(db, username)
    user.active = False
    _end_sessions(db, user.id, now)
    _audit(db, now, "staff_disable", None, f"user={user.id}")
    db.commit()


def reset_password(db: Session, username: str, password: str, now: datetime.datetime,
                   ph: PasswordHasher) -> None:
    """Set a new password, re-enable and unlock the account, and end its sessions."""
    check_password(password)
    user = _user(db, username)
    user.password_hash, user.active, user.failed_logins, user.locked_until = ph.hash(password), True, 0, None
    _end_sessions(db, user.id, now)
    _audit(db, now, "staff_reset", None, f"user={user.id}")
    db.commit()


_DUMMY: dict[int, str] = {}
REFUSED = ("ユーザー名またはパスワードが正しくありません。失敗が続いた場合は、しばらくログインできなくなります。"
           "時間をおいてお試しください")


def login(db: Session, username: str, password: str, now: datetime.datetime, ph: PasswordHasher,
          lock_after: int, lock_minutes: int) -> str:
    """Check the password and start a session; returns the cookie token. Raises AccountError."""
    # One answer, in the same time, for an unknown name, a wrong password, a locked or a disabled
    # account: neither the text nor the timing tells which names exist or which are locked.
    refused = AccountError(REFUSED)
    user = db.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or (user.locked_until is not None and user.locked_until > now):
        _DUMMY.setdefault(ph.memory_cost, ph.hash(secrets.token_hex(8)))
        _verify(ph, _DUMMY[ph.memory_cost], password)
        raise refused
    if not _verify(ph, user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= lock_after:
            user.locked_until = now + datetime.timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            _audit(db, now, "login_locked", user.id)
        else:
            _audit(db, now, "login_failed", user.id)
        db.commit()
        raise refused
    if not user.active:
        _audit(db, now, "login_disabled", user.id)
        db.commit()
        raise refused
    user.failed_logins, user.locked_until = 0, None
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    token = secrets.token_urlsafe(32)
    db.add(StaffSession(token_sha256=_digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    _audit(db, now, "login", user.id)
    db.commit()
    return token


def _verify(ph: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def resume(db: Session, token: str, now: datetime.datetime, idle_minutes: int) -> Staff | None:
    """The staff member of a live session token (touching it), or None when ended or idle too long."""
    found = db.execute(select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.user_id)
                       .where(StaffSession.token_sha256 == _digest(token))).first()
    if found is None:
        return None
    sess, user = found
    if sess.ended_at is not None:
        return None
    if not user.active or now - sess.last_seen_at > datetime.timedelta(minutes=idle_minutes):
        sess.ended_at = now
        _audit(db, now, "session_expired", user.id)
        db.commit()
        return None
    sess.last_seen_at = now
    roles = {o.office_slug: o.role for o in user.offices}
    staff = Staff(user.id, user.username, user.display_name, sess.id, roles)
    db.commit()
    return staff


def logout(db: Session, token: str, now: datetime.datetime) -> None:
    """End the session of token on the server."""
    sess = db.scalar(select(StaffSession).where(StaffSession.token_sha256 == _digest(token)))
    if sess is not None and sess.ended_at is None:
        sess.ended_at = now
        _audit(db, now, "logout", sess.user_id)
        db.commit()
