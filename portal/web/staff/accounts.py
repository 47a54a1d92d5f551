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


# Accounts in the browser: every user changes their own password; an office admin manages the
# accounts bound to their office. An account is one login for every office it is bound to, so
# disabling it or setting its password touches them all: the admin of one office may do that only
# to accounts whose every office they administer (else they could take over another office's
# access). A role is held per office, so changing it here touches only this office.

class AccountNotFound(LookupError):
    """No such account bound to this office (another office's account is not found either)."""


@dataclass(frozen=True)
class AccountView:
    """One account of an office as its admin sees it (never the password hash)."""
    username: str
    display_name: str
    role: str
    role_label: str
    state_label: str
    active: bool
    shared: bool        # also bound to another office: disable and reset go through that office too


def _office_audit(db: Session, now: datetime.datetime, actor: Staff, slug: str | None, action: str,
                  target_id: int, detail: str = "") -> None:
    db.add(AuditEntry(at=now, staff_id=actor.id, office_slug=slug, action=action, record_id=target_id,
                      detail=detail))


def _view(user: StaffUser, slug: str, now: datetime.datetime) -> AccountView:
    role = next(o.role for o in user.offices if o.office_slug == slug)
    if not user.active:
        state = "無効"
    elif user.locked_until is not None and user.locked_until > now:
        state = "一時ロック中"
    else:
        state = "有効"
    return AccountView(user.username, user.display_name, role, ROLE_LABELS.get(role, role), state, user.active,
                       any(o.office_slug != slug for o in user.offices))


def office_accounts(db: Session, slug: str, now: datetime.datetime) -> list[AccountView]:
    """The accounts bound to office slug, by user name."""
    users = db.scalars(select(StaffUser).join(StaffOffice).where(StaffOffice.office_slug == slug)
                       .order_by(StaffUser.username)).all()
    return [_view(u, slug, now) for u in users]


def _bound(db: Session, slug: str, username: str) -> StaffUser:
    user = db.scalar(select(StaffUser).join(StaffOffice).where(StaffOffice.office_slug == slug,
                                                                StaffUser.username == username))
    if user is None:
        raise AccountNotFound(username)
    return user


def office_account(db: Session, slug: str, username: str, now: datetime.datetime) -> AccountView:
    """One account bound to office slug, or AccountNotFound."""
    return _view(_bound(db, slug, username), slug, now)


def _not_self(actor: Staff, user: StaffUser, message: str) -> None:
    if user.id == actor.id:
        raise AccountError(message)


def _may_manage(actor: Staff, user: StaffUser) -> None:
    """Refuse when the account is bound to an office the actor does not administer."""
    if any(not actor.is_admin(o.office_slug) for o in user.offices):
        raise AccountError(f"職員「{user.username}」はほかの窓口にも所属しているため、この画面では無効化や"
                           "パスワードの再設定はできません。両方の窓口の管理者が相談のうえ、"
                           "コマンド（flask staff）で行ってください。")


def _check_role(role: str) -> None:
    if role not in ROLE_LABELS:
        raise AccountError("役割は「" + "」か「".join(ROLE_LABELS.values()) + "」から選んでください。")


def add_office_staff(db: Session, actor: Staff, slug: str, username: str, display_name: str, role: str,
                     password: str, now: datetime.datetime, ph: PasswordHasher) -> None:
    """Create an account bound to office slug only (a name taken anywhere is refused)."""
    if not _USERNAME_RE.fullmatch(username):
        raise AccountError("ユーザー名は半角英小文字・数字・._- で2〜64文字にしてください（先頭は英数字）。")
    _check_role(role)
    check_password(password)
    if db.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise AccountError(f"ユーザー名「{username}」はすでに使われています。別の名前にしてください。")
    user = StaffUser(username=username, display_name=display_name or username, password_hash=ph.hash(password),
                     active=True, failed_logins=0, created_at=now, offices=[StaffOffice(office_slug=slug, role=role)])
    db.add(user)
    db.flush()
    _office_audit(db, now, actor, slug, "staff_add", user.id, f"role={role}")
    db.commit()


def set_office_role(db: Session, actor: Staff, slug: str, username: str, role: str, now: datetime.datetime) -> None:
    """Change the account's role at office slug (its roles elsewhere stay)."""
    _check_role(role)
    user = _bound(db, slug, username)
    _not_self(actor, user, "自分の役割は変更できません。ほかの管理者に依頼してください。")
    binding = next(o for o in user.offices if o.office_slug == slug)
    binding.role = role
    _office_audit(db, now, actor, slug, "staff_role", user.id, f"role={role}")
    db.commit()


def disable_office_staff(db: Session, actor: Staff, slug: str, username: str, now: datetime.datetime) -> None:
    """Disable an account of office slug and end its sessions at once."""
    user = _bound(db, slug, username)
    _not_self(actor, user, "自分のアカウントは無効にできません。ほかの管理者に依頼してください。")
    _may_manage(actor, user)
    if not user.active:
        raise AccountError(f"職員「{username}」はすでに無効です。")
    user.active = False
    _end_sessions(db, user.id, now)
    _office_audit(db, now, actor, slug, "staff_disable", user.id)
    db.commit()


def reset_office_staff(db: Session, actor: Staff, slug: str, username: str, password: str,
                       now: datetime.datetime, ph: PasswordHasher) -> None:
    """Set a new password for an account of office slug: re-enables, unlocks, ends its sessions."""
    user = _bound(db, slug, username)
    _not_self(actor, user, "自分のパスワードは「パスワードの変更」で変えてください（現在のパスワードが必要です）。")
    _may_manage(actor, user)
    check_password(password)
    user.password_hash, user.active, user.failed_logins, user.locked_until = ph.hash(password), True, 0, None
    _end_sessions(db, user.id, now)
    _office_audit(db, now, actor, slug, "staff_reset", user.id)
    db.commit()


def change_own_password(db: Session, actor: Staff, current: str, new: str, now: datetime.datetime,
                        ph: PasswordHasher) -> None:
    """Change one's own password (the current one required); ends one's other sessions."""
    user = db.get(StaffUser, actor.id)
    if user is None or not _verify(ph, user.password_hash, current):
        _office_audit(db, now, actor, None, "staff_password_failed", actor.id)
        db.commit()
        raise AccountError("現在のパスワードが正しくありません。")
    check_password(new)
    if new == current:
        raise AccountError("新しいパスワードが現在のものと同じです。別のパスワードにしてください。")
    user.password_hash = ph.hash(new)
    db.execute(update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None),
                                          StaffSession.id != actor.session_id).values(ended_at=now))
    _office_audit(db, now, actor, None, "staff_password", user.id)
    db.commit()
