"""Configuration: precedence, the generated secret key, and docs that list every key and command."""
from __future__ import annotations

import stat

import pytest

from portal.web import config, create_app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented(setting):
    assert f"| `{setting.env}` |" in README


@pytest.mark.parametrize("command", ["bash scripts/run", "bash scripts/test", "python -m portal.web.cli prepare",
                                     "bench/run.py --only booking"])
def test_every_command_is_documented(command):
    assert command in README


def test_secret_key_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    a = create_app({"INSTANCE_DIR": str(instance), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    b = create_app({"INSTANCE_DIR": str(instance), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    key = instance / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] == key.read_text().strip()
    assert len(a.config["SECRET_KEY"]) == 64


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("RATELIMIT_SUBMIT = '5 per hour'\nHTTPS = True\n")
    monkeypatch.setenv("PORTAL_RATELIMIT_SUBMIT", "7 per hour")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-env")
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://u@h/d")
    app = create_app({"INSTANCE_DIR": str(instance)})
    assert app.config["RATELIMIT_SUBMIT"] == "7 per hour"
    assert app.config["HTTPS"] is True
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@h/d"
    assert not (instance / "secret_key").exists()


def test_static_build_does_not_import_flask():
    import subprocess
    import sys
    code = ("import sys, portal.publish.build, portal.offices, portal.rules; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'alembic', 'portal.web')]; "
            "print(bad); sys.exit(1 if bad or 'portal.web' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_bad_environment_value_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_PROXY_HOPS", "two")
    with pytest.raises(config.ConfigError, match="PORTAL_PROXY_HOPS"):
        create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})


@pytest.mark.parametrize(("env", "value", "reason"), [
    ("PORTAL_RATELIMIT_SUBMIT", "nonsense", "per minute"),      # was read as no limit at all
    ("PORTAL_STAFF_RATELIMIT_LOGIN", "lots", "per minute"),
    ("PORTAL_PROXY_HOPS", "-1", "0 以上 10 以下"),                # a 500 on every forwarded request
    ("PORTAL_MAX_BYTES", "10", "以上"),                          # every form would be too large
    ("PORTAL_HTTPS", "maybe", "1 か 0"),                          # silently off: no Secure cookie
    ("PORTAL_STAFF_ARGON2_MEMORY_KIB", "8", "1024 以上"),         # every login a 500
    ("PORTAL_STAFF_IDLE_MINUTES", "0", "1 以上"),
    ("PORTAL_STAFF_LOCK_AFTER", "abc", "整数"),
    ("PORTAL_RATELIMIT_STORAGE", "bogus://x", "memory://"),
])
def test_an_unusable_setting_stops_the_app_naming_it(tmp_path, monkeypatch, env, value, reason):
    monkeypatch.setenv(env, value)
    with pytest.raises(config.ConfigError, match=f"^{env}: 「{value}」は使えない値です。.*{reason}"):
        create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})


def test_an_unusable_instance_file_value_names_the_key(tmp_path):
    (tmp_path / "config.py").write_text("PROXY_HOPS = 'abc'\n")
    with pytest.raises(config.ConfigError, match="PORTAL_PROXY_HOPS（instance/config.py では PROXY_HOPS）: 「abc」"):
        create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})


def test_environment_overrides_the_instance_file_for_staff_settings_too(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("STAFF_IDLE_MINUTES = 3\n")
    monkeypatch.setenv("PORTAL_STAFF_IDLE_MINUTES", "99")
    app = create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["STAFF_IDLE_MINUTES"] == 99


@pytest.mark.parametrize(("env", "reason"), [
    ({"PORTAL_SMTP_PORT": "0"}, "^PORTAL_SMTP_PORT: 「0」は使えない値です。1 以上 65535 以下"),
    ({"PORTAL_SMTP_SECURITY": "ssl"}, "^PORTAL_SMTP_SECURITY: 「ssl」は使えない値です。none、starttls、tls"),
    ({"PORTAL_SMTP_FROM": "madoguchi"}, "^PORTAL_SMTP_FROM: 「madoguchi」は使えない値です。メールアドレス"),
    ({"PORTAL_NOTIFY_STAFF_EMAIL": "a@b@c"}, "^PORTAL_NOTIFY_STAFF_EMAIL: 「a@b@c」"),
    ({"PORTAL_SMTP_HOST": "mail.example.jp"}, "^PORTAL_SMTP_FROM: PORTAL_SMTP_HOST を設定したときは"),
    ({"PORTAL_SMTP_PASSWORD": "secret"}, "^PORTAL_SMTP_USER: PORTAL_SMTP_PASSWORD を設定したときは"),
])
def test_unusable_mail_settings_stop_the_app_in_one_line(tmp_path, monkeypatch, env, reason):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(config.ConfigError, match=reason) as info:
        create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert "\n" not in str(info.value) and "secret" not in str(info.value)
