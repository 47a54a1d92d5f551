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
