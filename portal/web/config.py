"""Portal settings declared as data: default, environment variable and one help line each.

Order of precedence (lowest first): these defaults, the instance file `instance/config.py`,
`PORTAL_*` environment variables, then the test mapping given to `create_app`.
"""
from __future__ import annotations

import datetime
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import MadoguchiError

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    """One configuration key: Flask config name, environment variable, default, parser, help."""
    key: str
    env: str
    default: object
    parse: Callable[[str], object]
    help: str


def _bool(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("1 か 0（true か false）にしてください")


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{lo} 以上 {hi} 以下の整数にしてください") from None
        if not lo <= number <= hi:
            raise ValueError(f"{lo} 以上 {hi} 以下の整数にしてください")
        return number
    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"{'、'.join(options)} のどれかにしてください")
        return value
    return parse


def _rate(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError("「10 per minute;100 per day」のように書いてください（Flask-Limiter の書式）") from None
    return value


def _address(value: str) -> str:
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        if any(ord(c) < 33 for c in value.strip()) or value.count("@") != 1:
            raise ValueError
        Address(addr_spec=value.strip())
    except (ValueError, IndexError, HeaderParseError):
        raise ValueError("メールアドレス（例: madoguchi@example.jp）にしてください") from None
    return value.strip()


def _storage(value: str) -> str:
    from limits.storage import SCHEMES

    if value == "database://":
        return value
    if value.split("://", 1)[0] not in SCHEMES or "://" not in value:
        raise ValueError(f"使える形式は database://、{', '.join(sorted(f'{k}://' for k in SCHEMES))} です")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", "PORTAL_SECRET_KEY", None, str,
            "Key signing the session cookie and CSRF tokens; when unset, one is generated once into "
            "`instance/secret_key` (mode 0600)"),
    Setting("DATABASE_URL", "PORTAL_DATABASE_URL", None, str,
            "SQLAlchemy URL of the database; default a SQLite file `instance/madoguchi.sqlite3`; "
            "PostgreSQL as `postgresql://user:pass@host/db` (psycopg 3)"),
    Setting("INSTANCE_DIR", "PORTAL_INSTANCE_DIR", ROOT / "instance", Path,
            "Folder of the generated secret key, the default SQLite file and the optional `config.py`"),
    Setting("CONTENT_DIR", "PORTAL_CONTENT_DIR", ROOT / "content", Path,
            "Folder with `site.yaml` and one folder per office (the same as the site build reads)"),
    Setting("SITE_DIR", "PORTAL_SITE_DIR", ROOT / "site", Path,
            "Folder of the built static site served at `/`"),
    Setting("CONTENT_CHECK_SECONDS", "PORTAL_CONTENT_CHECK_SECONDS", 2, _int(0, 3600),
            "How often (seconds) each worker looks whether a build published a new content snapshot "
            "(0 = before every request)"),
    Setting("HTTPS", "PORTAL_HTTPS", False, _bool,
            "Set to 1 when served over HTTPS: session cookie `__Host-session` with Secure, and HSTS"),
    Setting("PROXY_HOPS", "PORTAL_PROXY_HOPS", 0, _int(0, 10),
            "Number of reverse proxies in front whose X-Forwarded-For/-Proto/-Host are trusted (0 = none)"),
    Setting("RATELIMIT_SUBMIT", "PORTAL_RATELIMIT_SUBMIT", "10 per minute;100 per day", _rate,
            "Per-client limit on form submissions (Flask-Limiter syntax); more gives 429"),
    Setting("RATELIMIT_STORAGE_URI", "PORTAL_RATELIMIT_STORAGE", "database://", _storage,
            "Where rate-limit counters live: `database://` (the portal's own database, shared by every "
            "worker and every host using it), or a Flask-Limiter storage such as `redis://localhost:6379`"),
    Setting("MAX_CONTENT_LENGTH", "PORTAL_MAX_BYTES", 64 * 1024, _int(16 * 1024, 64 * 1024 * 1024),
            "Largest request body in bytes; larger gives 413"),
    # The staff console's (listed in the README's Staff console section).
    Setting("STAFF_IDLE_MINUTES", "PORTAL_STAFF_IDLE_MINUTES", 30, _int(1, 525_600),
            "Minutes without a request after which a staff session ends"),
    Setting("STAFF_SESSION_HOURS", "PORTAL_STAFF_SESSION_HOURS", 12, _int(1, 24 * 30),
            "Hours after login at which a staff session ends however active it is"),
    Setting("STAFF_LOCK_AFTER", "PORTAL_STAFF_LOCK_AFTER", 5, _int(1, 100),
            "Failed logins in a row of one name from one address after which that pair is locked for a while"),
    Setting("STAFF_LOCK_MINUTES", "PORTAL_STAFF_LOCK_MINUTES", 15, _int(1, 525_600), "How long such a lock lasts"),
    Setting("STAFF_RATELIMIT_LOGIN", "PORTAL_STAFF_RATELIMIT_LOGIN", "10 per minute", _rate,
            "Per-client limit on login attempts (Flask-Limiter syntax)"),
    Setting("STAFF_MFA_REQUIRED", "PORTAL_STAFF_MFA_REQUIRED", "office_admin", _choice("office_admin", "all", "none"),
            "Who must use a one-time code (TOTP) at login: `office_admin` (anyone who is an office admin "
            "anywhere), `all` staff, or `none` (tests and trials only; enrolled staff still use theirs)"),
    Setting("STAFF_MFA_ATTEMPTS", "PORTAL_STAFF_MFA_ATTEMPTS", 5, _int(1, 20),
            "Wrong one-time codes after which the half-done login ends (the password is asked again)"),
    Setting("STAFF_ARGON2_MEMORY_KIB", "PORTAL_STAFF_ARGON2_MEMORY_KIB", 65536, _int(1024, 4 * 1024 * 1024),
            "argon2id memory cost of new password hashes, in KiB"),
    # E-mail (listed in the README's Notifications section): without SMTP_HOST the outbox fills
    # and nothing is sent; the staff console says mail is off.
    Setting("SMTP_HOST", "PORTAL_SMTP_HOST", None, str, "SMTP server that sends the outbox; unset: mail is off"),
    Setting("SMTP_PORT", "PORTAL_SMTP_PORT", None, _int(1, 65535),
            "Its port; default 25, 587 or 465 by `PORTAL_SMTP_SECURITY`"),
    Setting("SMTP_SECURITY", "PORTAL_SMTP_SECURITY", "starttls", _choice("none", "starttls", "tls"),
            "`starttls` (upgrade the connection, required), `tls` (TLS from the start) or `none` (a local relay only)"),
    Setting("SMTP_USER", "PORTAL_SMTP_USER", None, str, "User name for SMTP AUTH; unset: no login"),
    Setting("SMTP_PASSWORD", "PORTAL_SMTP_PASSWORD", None, str, "Password for SMTP AUTH (needs `PORTAL_SMTP_USER`)"),
    Setting("SMTP_FROM", "PORTAL_SMTP_FROM", None, _address, "Sender address (From) of every message; required with a host"),
    Setting("NOTIFY_STAFF_EMAIL", "PORTAL_NOTIFY_STAFF_EMAIL", None, _address,
            "Address of the staff alerts of offices without `notify.staff_email` in office.yaml; unset: none"),
    Setting("NOTIFY_ALERT_MINUTES", "PORTAL_NOTIFY_ALERT_MINUTES", 5, _int(0, 1440),
            "At most one staff alert per office in this many minutes (new requests meanwhile are counted in the next)"),
    Setting("NOTIFY_MAX_ATTEMPTS", "PORTAL_NOTIFY_MAX_ATTEMPTS", 8, _int(1, 50),
            "Tries of a message the server refuses for now (4xx, no connection), 1 min doubling each time, before it fails"),
)
MAIL_SETTINGS = tuple(s for s in SETTINGS if s.key.startswith(("SMTP_", "NOTIFY_")))
STAFF_SETTINGS = tuple(s for s in SETTINGS if s.key.startswith("STAFF_"))
ENV_VARS = {s.env: s for s in SETTINGS}


def utc_now() -> datetime.datetime:
    """The real clock (tests replace it with the `NOW` config key)."""
    return datetime.datetime.now(datetime.timezone.utc)


def defaults(instance: Path) -> dict:
    """The default configuration, before the instance file and the environment."""
    conf = {s.key: s.default for s in SETTINGS}
    conf["DATABASE_URL"] = f"sqlite:///{instance / 'madoguchi.sqlite3'}"
    conf.update(
        NOW=utc_now,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a slow form is no error
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=200,
        RATELIMIT_HEADERS_ENABLED=False,
    )
    return conf


class ConfigError(MadoguchiError):
    """A PORTAL_* setting has a value that cannot be used."""


def from_environment(environ: os._Environ | dict) -> dict:
    """The settings given as PORTAL_* environment variables, parsed."""
    out = {}
    for s in SETTINGS:
        if environ.get(s.env, "") != "":
            try:
                out[s.key] = s.parse(environ[s.env])
            except ValueError as exc:
                raise ConfigError(f"{s.env}: 「{environ[s.env]}」は使えない値です。{exc}") from None
    return out


def check(conf: dict) -> None:
    """Check every setting once merged (instance/config.py values are Python, not yet checked)."""
    for s in SETTINGS:
        value = conf.get(s.key)
        if value is None or s.parse in (str, Path):
            continue
        try:
            s.parse(str(value) if not isinstance(value, bool) else str(int(value)))
        except ValueError as exc:
            raise ConfigError(f"{s.env}（instance/config.py では {s.key}）: 「{value}」は使えない値です。{exc}") from None
    _check_mail(conf)


def _check_mail(conf: dict) -> None:
    """The SMTP settings that only work together."""
    if conf.get("SMTP_HOST") and not conf.get("SMTP_FROM"):
        raise ConfigError("PORTAL_SMTP_FROM: PORTAL_SMTP_HOST を設定したときは、送信元のアドレスも設定してください")
    if conf.get("SMTP_PASSWORD") and not conf.get("SMTP_USER"):
        raise ConfigError("PORTAL_SMTP_USER: PORTAL_SMTP_PASSWORD を設定したときは、ユーザー名も設定してください")


def secret_key(instance: Path) -> str:
    """The generated secret key in instance/secret_key, created once (atomically, mode 0600)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process won the race: use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
