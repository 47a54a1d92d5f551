"""Staff MFA (services): TOTP codes (RFC 6238, pyotp) and one-time recovery codes.

Enrolment stores a random base32 secret on the account; it is in force once a first code from
the staff member's app has been checked. Ten recovery codes are shown once and stored only as
SHA-256 (each is 50 random bits, so a plain hash suffices). A code step is accepted once (the
last used step is kept), wrong codes end the half-done login after a few tries, and every step is
written to the audit log.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ...errors import MadoguchiError
from ..models import AuditEntry, StaffOffice, StaffRecoveryCode, StaffSession, StaffUser

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "3467ACDEFGHJKMNPQRTUVWXY"   # no look-alikes: typed from paper
WRONG = "確認コードが正しくありません。認証アプリに表示されている6桁の数字か、回復コードを入力してください"


class MfaError(MadoguchiError, ValueError):
    """A code was refused; `ended` says the half-done login was ended (too many tries)."""

    def __init__(self, message: str, ended: bool = False) -> None:
        super().__init__(message)
        self.ended = ended


def _audit(db: Session, now: datetime.datetime, action: str, user_id: int, detail: str = "",
           office_slug: str | None = None, by: int | None = None) -> None:
    db.add(AuditEntry(at=now, staff_id=user_id if by is None else by, office_slug=office_slug, action=action,
                      record_id=user_id, detail=detail))


def start_enrolment(db: Session, user_id: int) -> str:
    """The secret being enrolled for the user (made once; kept until enabled or reset)."""
    user = db.get(StaffUser, user_id)
    if user.totp_enabled_at is None and not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.commit()
    return user.totp_secret


def qr_svg_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI of the secret as a QR code in an SVG data: URI (the CSP allows data: images)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def _step(secret: str, code: str, now: datetime.datetime, last: int | None) -> int | None:
    """The time step (±1 for clock drift) whose code is code and was not used yet, or None."""
    totp = pyotp.TOTP(secret)
    base = int(now.timestamp()) // totp.interval
    for step in (base, base - 1, base + 1):
        if (last is None or step > last) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().upper().encode("ascii", "replace")).hexdigest()


def enable(db: Session, user_id: int, code: str, now: datetime.datetime, session_id: int) -> list[str]:
    """Turn TOTP on after a first right code; returns the new recovery codes (shown once)."""
    user = db.get(StaffUser, user_id)
    step = _step(user.totp_secret or "", code.strip(), now, None) if user.totp_enabled_at is None else None
    if step is None:
        raise MfaError("確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください")
    user.totp_enabled_at, user.totp_last_step = now, step
    codes = _new_recovery_codes(db, user_id)
    db.execute(update(StaffSession).where(StaffSession.id == session_id).values(mfa_at=now))
    _audit(db, now, "mfa_enrolled", user_id)
    db.commit()
    return codes


def _new_recovery_codes(db: Session, user_id: int) -> list[str]:
    db.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.add(StaffRecoveryCode(user_id=user_id, code_sha256=_digest(raw)))
    return codes


def check_code(db: Session, user_id: int, session_id: int, code: str, now: datetime.datetime,
               attempts: int) -> None:
    """Pass the session's second step with a TOTP code or an unused recovery code; MfaError if not."""
    user = db.get(StaffUser, user_id)
    sess = db.get(StaffSession, session_id)
    typed = code.strip().replace(" ", "")
    step = _step(user.totp_secret or "", typed, now, user.totp_last_step) if typed.isdigit() else None
    if step is not None:
        user.totp_last_step = step
        action = "mfa_passed"
    else:
        spare = db.scalar(select(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user_id,
                                                          StaffRecoveryCode.code_sha256 == _digest(typed),
                                                          StaffRecoveryCode.used_at.is_(None)))
        if spare is None:
            sess.mfa_failures += 1
            ended = sess.mfa_failures >= attempts
            if ended:
                sess.ended_at = now
            _audit(db, now, "mfa_locked" if ended else "mfa_failed", user_id)
            db.commit()
            raise MfaError(WRONG, ended)
        spare.used_at = now
        action = "mfa_recovery_used"
    sess.mfa_at = now
    _audit(db, now, action, user_id)
    db.commit()


def recovery_codes_left(db: Session, user_id: int) -> int:
    """How many recovery codes of the user are still unused."""
    return len(db.scalars(select(StaffRecoveryCode.id).where(StaffRecoveryCode.user_id == user_id,
                                                             StaffRecoveryCode.used_at.is_(None))).all())


@dataclass(frozen=True)
class MfaStatus:
    """A staff member of an office as the MFA admin page lists them."""
    id: int
    username: str
    display_name: str
    role: str
    enabled: bool


def office_staff(db: Session, slug: str) -> list[MfaStatus]:
    """The staff bound to an office, with whether their MFA is on, by user name."""
    found = db.execute(select(StaffUser, StaffOffice.role).join(StaffOffice, StaffOffice.user_id == StaffUser.id)
                       .where(StaffOffice.office_slug == slug, StaffUser.active.is_(True))
                       .order_by(StaffUser.username))
    return [MfaStatus(u.id, u.username, u.display_name, role, u.totp_enabled_at is not None) for u, role in found]


def reset(db: Session, user_id: int, now: datetime.datetime, by: int | None, office_slug: str | None = None) -> None:
    """Remove the user's TOTP and recovery codes and end their sessions (they enrol again at next login).

    by: the office admin who did it (None: the command line); the audit entry names them."""
    user = db.get(StaffUser, user_id)
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user_id))
    db.execute(update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
               .values(ended_at=now))
    _audit(db, now, "mfa_reset", user_id, f"user={user_id} by={by if by is not None else 'cli'}", office_slug, by)
    db.commit()
