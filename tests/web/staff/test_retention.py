"""Retention purge (personal data gone from the database file's bytes, consent evidence kept) and
the online backup taken while the portal writes."""
from __future__ import annotations

import datetime
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.web import db

from ..conftest import soup
from .conftest import FIRST_SLOT, book, request_row, tokyo

CANARY = "鳥籠カナリア"
CANARY_NOTE = "canary-note-7f3a9"


def db_bytes(app) -> bytes:
    path = Path(db.engine_of(app).url.database)
    out = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return out + (wal.read_bytes() if wal.exists() else b"")


def checkpoint(app) -> None:
    with db.engine_of(app).connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def purge(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["staff", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_deletes_personal_data_past_retention_and_keeps_consent(staff_app, aki, clock, database_url):
    old = book(staff_app, name=f"{CANARY} 花子", kana="トリカゴ ハナコ", email="canary@example.jp")
    aki.act("abashiri", old, "confirm", slot=FIRST_SLOT["abashiri"])
    aki.act("abashiri", old, "memo", memo="メモ鳥籠：父が同席")
    clock.now = tokyo(2026, 6, 1, 10, 0)
    recent = book(staff_app, slot1="2026-06-04T09:30", name="保存 中子")
    if database_url.startswith("sqlite"):
        checkpoint(staff_app)
        assert CANARY.encode() in db_bytes(staff_app)   # the test can see the name before the purge
    clock.now = tokyo(2027, 5, 7, 9, 29)   # a minute short of 365 days after the session
    assert "削除対象: 0件" in purge(staff_app, "--dry-run")
    clock.now = tokyo(2027, 5, 7, 9, 31)
    assert "削除対象: 1件" in purge(staff_app, "--dry-run")
    assert "削除しました: 1件" in purge(staff_app)
    gone = request_row(staff_app, old)
    assert (gone.name, gone.kana, gone.seeker_number, gone.phone, gone.email, gone.memo) == ("", "", "", "", None, "")
    assert gone.status == "confirmed" and gone.reference == old
    kept = request_row(staff_app, recent)
    assert kept.name == "保存　中子"
    if database_url.startswith("sqlite"):
        data = db_bytes(staff_app)
        for value in (CANARY, "トリカゴ", "canary@example.jp", "メモ鳥籠"):
            assert value.encode() not in data, value
    with db.engine_of(staff_app).connect() as conn:
        consent = conn.execute(text("SELECT c.revision_label, c.statement, t.text FROM consents c "
                                    "JOIN terms_versions t ON t.sha256 = c.terms_sha256 "
                                    "JOIN booking_requests r ON r.id = c.request_id WHERE r.reference = :r"),
                               {"r": old}).one()
        audit = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'purge'")).scalar_one()
    assert consent[1].startswith("「") and "第4条" in consent[2] and audit == 1
    aki.login("aki")   # a year later: the old session has long timed out
    page = soup(aki.get(f"/staff/abashiri/requests/{old}"))
    assert "個人情報は削除済み" in page.get_text() and "利用規約の版" in page.get_text()
    assert "削除しました: 0件" in purge(staff_app)   # purged once only


def test_unconfirmed_requests_follow_days_after_request(make_app, content, clock):
    path = content / "abashiri" / "office.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "retention:\n  days_after_session: 90\n  days_after_request: 30\n",
                    encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content))
    reference = book(app, name=f"{CANARY} 次郎")
    clock.now += datetime.timedelta(days=29)
    assert "削除しました: 0件" in purge(app)
    clock.now += datetime.timedelta(days=2)
    assert "削除しました: 1件" in purge(app)
    assert request_row(app, reference).name == ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_during_concurrent_writes_is_complete_and_consistent(staff_app, tmp_path):
    engine = db.engine_of(staff_app)
    stop = threading.Event()
    committed: list[int] = []

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO audit_log (at, office_slug, action, detail) "
                                  "VALUES ('2026-05-01 00:00:00.000000', 'abashiri', 'load', :d)"), {"d": str(i)})
            committed.append(i)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 200:
            pass
        before = len(committed)
        dest = tmp_path / "backup.sqlite3"
        result = staff_app.test_cli_runner().invoke(args=["staff", "backup", str(dest)])
        after = len(committed)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "integrity_check ok" in result.output
    assert dest.stat().st_mode & 0o777 == 0o600   # it holds everyone's personal data
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        loads = [int(d) for (d,) in copy.execute("SELECT detail FROM audit_log WHERE action='load' ORDER BY id")]
        users = copy.execute("SELECT count(*) FROM staff_users").fetchone()[0]
    finally:
        copy.close()
    # Everything committed before the backup started is there, in order and without gaps.
    assert before <= len(loads) <= after + 1 and loads == list(range(1, len(loads) + 1))
    assert users == 2
    again = staff_app.test_cli_runner().invoke(args=["staff", "backup", str(dest)])
    assert again.exit_code == 1 and "上書きしません" in again.output


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_backup_command_points_postgres_users_to_pg_dump(staff_app, tmp_path):
    result = staff_app.test_cli_runner().invoke(args=["staff", "backup", str(tmp_path / "x")])
    assert result.exit_code == 1 and "pg_dump" in result.output


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_compacting_as_a_role_that_does_not_own_the_table_says_so(database_url):
    # PostgreSQL's VACUUM only warns and skips a table the role does not own: the purge must not
    # claim the old values are gone from the files.
    from sqlalchemy import create_engine, text

    from portal.web import db, retention
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DO $$ BEGIN CREATE ROLE clerk LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
        conn.execute(text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clerk"))
    admin.dispose()
    clerk = db.make_engine(database_url.replace("//postgres@", "//clerk@", 1))
    try:
        with pytest.raises(retention.CompactError, match="所有者ではありません"):
            retention.compact(clerk)
    finally:
        clerk.dispose()
    retention.compact(db.make_engine(database_url))   # the owner compacts without complaint


def test_purge_fails_loudly_while_a_reader_pins_the_wal(staff_app, aki, clock, database_url):
    """A read transaction left open keeps the old pages in the -wal: the purge says so and exits
    non-zero, and succeeds (bytes gone) once the reader is done (issue 14)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the -wal file is SQLite's")
    old = book(staff_app, name=f"{CANARY} 三郎", kana="トリカゴ サブロウ", phone="099-876-5432",
               seeker_number="55555-87654321")
    aki.act("abashiri", old, "confirm", slot=FIRST_SLOT["abashiri"])
    checkpoint(staff_app)
    canaries = (CANARY, "トリカゴ", "09987654321", "55555-87654321")
    reader = sqlite3.connect(db.engine_of(staff_app).url.database)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM booking_requests").fetchone()   # a snapshot from before the purge
    try:
        clock.now = tokyo(2027, 5, 8, 10, 0)
        result = staff_app.test_cli_runner().invoke(args=["staff", "purge", "--wait", "1"])
        assert result.exit_code == 1, result.output
        assert "-wal" in result.output and "削除しました: 1件" not in result.output
        data = db_bytes(staff_app)
        assert any(v.encode() in data for v in canaries)   # what the message says is true
    finally:
        reader.close()
    assert "削除しました: 0件" in purge(staff_app)   # already blanked; this run empties the WAL
    data = db_bytes(staff_app)
    for value in canaries:
        assert value.encode() not in data, value
    assert request_row(staff_app, old).name == ""
