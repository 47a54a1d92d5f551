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
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...errors import MadoguchiError
from ...wording import ROLE_LABELS
from ..models import AuditEntry, StaffLoginLock, StaffOffice, StaffSession, StaffUser

MIN_PASSWORD = 12
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


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
    # "ready"; "code" (password given, one-time code not yet); "enrol" (MFA required, not set up)
    stage: str = "ready"
    mfa_enabled: bool = False

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


def user_id(db: Session, username: str) -> int:
    """The id of the account with this name (AccountError when there is none)."""
    return _user(db, username).id


def add_staff(db: Session, username: str, display_name: str, password: str,
              offices: list[tuple[str, str]], now: datetime.datetime, ph: PasswordHasher) -> int:
    """Create a staff account bound to offices; returns its id."""
    if not USERNAME_RE.fullmatch(username):
        raise AccountError("ユーザー名は半角英小文字・数字・._- で2～64文字にしてください")
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


def end_sessions(db: Session, user_id: int, now: datetime.datetime) -> None:
    """End every open session of the user (logout everywhere)."""
    db.execute(update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
               .values(ended_at=now))


def disable_staff(db: Session, username: str, now: datetime.datetime) -> None:
    """Disable an account and end all its sessions at once."""
    user = _user(db, username)
    user.active = False
    end_sessions(db, user.id, now)
    _audit(db, now, "staff_disable", None, f"user={user.id}")
    db.commit()


def reset_password(db: Session, username: str, password: str, now: datetime.datetime,
                   ph: PasswordHasher) -> None:
    """Set a new password, re-enable and unlock the account, and end its sessions."""
    check_password(password)
    user = _user(db, username)
    user.password_hash, user.active, user.failed_logins, user.locked_until = ph.hash(password), True, 0, None
    db.execute(delete(StaffLoginLock).where(StaffLoginLock.username == user.username))
    end_sessions(db, user.id, now)
    _audit(db, now, "staff_reset", None, f"user={user.id}")
    db.commit()


_DUMMY: dict[tuple[int, int, int], str] = {}
REFUSED = ("ユーザー名またはパスワードが正しくありません。失敗が続いた場合は、しばらくログインできなくなります。"
           "時間をおいてお試しください")


def _dummy_hash(ph: PasswordHasher) -> str:
    """A hash of a random password with ph's parameters, made once (verifying against it costs what a
    real check costs; `setdefault(k, ph.hash(…))` hashed anew on every call, doubling the time)."""
    key = (ph.time_cost, ph.memory_cost, ph.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = ph.hash(secrets.token_hex(8))
    return _DUMMY[key]


def login(db: Session, username: str, password: str, now: datetime.datetime, ph: PasswordHasher,
          lock_after: int, lock_minutes: int, address: str = "") -> str:
    """Check the password and start a session; returns the cookie token. Raises AccountError."""
    # One answer, in the same time, for an unknown name, a wrong password, a locked or a disabled
    # account: every refusal verifies one hash and writes one failure and one audit entry, so
    # neither the text nor the timing tells which names exist or which are locked. The lock is per
    # name and client address: failing on purpose locks out only the one failing.
    lock = db.scalar(select(StaffLoginLock).where(StaffLoginLock.username == username[:64],
                                                  StaffLoginLock.address == address[:64]))
    locked = lock is not None and lock.locked_until is not None and lock.locked_until > now
    user = db.scalar(select(StaffUser).where(StaffUser.username == username))
    usable = user is not None and not locked
    matches = verify_password(ph, user.password_hash if usable else _dummy_hash(ph), password)
    if not (usable and matches and user.active):
        reason = ("login_unknown" if user is None else "login_locked_out" if locked
                  else "login_failed" if not matches else "login_disabled")
        _count_failure(db, lock, username, address, now, lock_after, lock_minutes, reason,
                       user.id if user is not None else None)
        raise AccountError(REFUSED)
    if lock is not None:
        db.delete(lock)
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    token = secrets.token_urlsafe(32)
    db.add(StaffSession(token_sha256=_digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    _audit(db, now, "login", user.id)
    db.commit()
    return token


def _count_failure(db: Session, lock: StaffLoginLock | None, username: str, address: str, now: datetime.datetime,
                   lock_after: int, lock_minutes: int, reason: str, user_id: int | None) -> None:
    """One more failure of (name, address); the lock once there are lock_after in a row."""
    if lock is None:
        lock = StaffLoginLock(username=username[:64], address=address[:64], failures=0)
        db.add(lock)
    if lock.locked_until is not None and lock.locked_until <= now:
        lock.failures, lock.locked_until = 0, None   # an expired lock starts the count again
    lock.failures += 1
    lock.updated_at = now
    if lock.locked_until is None and lock.failures >= lock_after:
        lock.locked_until = now + datetime.timedelta(minutes=lock_minutes)
        reason = "login_locked"
    # The audit entry names the account when there is one, never the typed name or the address.
    _audit(db, now, reason, user_id)
    try:
        db.commit()
    except IntegrityError:   # a parallel failure created the same pair first: it counted
        db.rollback()


def verify_password(ph: PasswordHasher, stored: str, password: str) -> bool:
    """Whether password matches the stored argon2 hash (False for a hash that cannot be read)."""
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def resume(db: Session, token: str, now: datetime.datetime, idle_minutes: int, session_hours: int = 12,
           mfa_required: str = "office_admin") -> Staff | None:
    """The staff member of a live session token (touching it), or None when ended, idle too long or
    older than session_hours however active (a stolen cookie kept fresh still dies)."""
    found = db.execute(select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.user_id)
                       .where(StaffSession.token_sha256 == _digest(token))).first()
    if found is None:
        return None
    sess, user = found
    if sess.ended_at is not None:
        return None
    idle = now - sess.last_seen_at > datetime.timedelta(minutes=idle_minutes)
    too_old = now - sess.created_at > datetime.timedelta(hours=session_hours)
    if not user.active or idle or too_old:
        sess.ended_at = now
        _audit(db, now, "session_expired", user.id, "absolute" if too_old and not idle else "")
        db.commit()
        return None
    sess.last_seen_at = now
    roles = {o.office_slug: o.role for o in user.offices}
    enrolled = user.totp_enabled_at is not None
    must = mfa_required == "all" or (mfa_required == "office_admin" and "office_admin" in roles.values())
    stage = "code" if enrolled and sess.mfa_at is None else "enrol" if must and not enrolled else "ready"
    staff = Staff(user.id, user.username, user.display_name, sess.id, roles, stage, enrolled)
    db.commit()
    return staff


def logout(db: Session, token: str, now: datetime.datetime) -> None:
    """End the session of token on the server."""
    sess = db.scalar(select(StaffSession).where(StaffSession.token_sha256 == _digest(token)))
    if sess is not None and sess.ended_at is None:
        sess.ended_at = now
        _audit(db, now, "logout", sess.user_id)
        db.commit()
