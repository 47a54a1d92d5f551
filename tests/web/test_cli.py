"""`python -m portal.web.cli prepare`: migrates, creates the secret key, fails in one line."""
from __future__ import annotations

import sqlite3

from portal.web import cli


def test_prepare_migrates_and_creates_the_key(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path))
    assert cli.main(["prepare"]) == 0
    assert (tmp_path / "secret_key").exists()
    con = sqlite3.connect(tmp_path / "madoguchi.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT count(*) FROM booking_requests").fetchone()[0] == 0
    assert "database ready" in capsys.readouterr().out


def test_prepare_reports_bad_content_in_one_line(tmp_path, monkeypatch, capsys, content):
    (content / "abashiri" / "office.yaml").write_text("office: {}\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(content))
    # No published site: a snapshot in the checkout's site/ (left by a build) would be served instead.
    monkeypatch.setenv("PORTAL_SITE_DIR", str(tmp_path / "site"))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x")
    assert cli.main(["prepare"]) == 1
    err = capsys.readouterr().err
    assert "office.yaml" in err and "Traceback" not in err
