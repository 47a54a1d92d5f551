"""Accounts in the browser: every user changes their own password; an office admin manages the
accounts bound to their office (services: the only code writing these rows from the web).

An account is one login for every office it is bound to, so disabling it or setting its password
touches them all: the admin of one office may do that only to accounts whose every office they
administer (else they could take over another office's access). A role is held per office, so
changing it here touches only this office.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...wording import ROLE_LABELS
from ..models import AuditEntry, StaffOffice, StaffSession, StaffUser
from .accounts import USERNAME_RE, AccountError, Staff, check_password, end_sessions, user_id, verify_password


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
    if not USERNAME_RE.fullmatch(username):
        raise AccountError("ユーザー名は半角英小文字・数字・._- で2～64文字にしてください（先頭は英数字）。")
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
    end_sessions(db, user.id, now)
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
    end_sessions(db, user.id, now)
    _office_audit(db, now, actor, slug, "staff_reset", user.id)
    db.commit()


def change_own_password(db: Session, actor: Staff, current: str, new: str, now: datetime.datetime,
                        ph: PasswordHasher) -> None:
    """Change one's own password (the current one required); ends one's other sessions."""
    user = db.get(StaffUser, actor.id)
    if user is None or not verify_password(ph, user.password_hash, current):
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
