"""deploy/backup.sh (madoguchi-backup.service): a consistent copy of the database, readable by its
owner only, old copies deleted; SQLite here, PostgreSQL in test_multihost.py."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

from portal.web import db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "backup.sh"


def run_backup(url: str, folder: Path, instance: Path) -> subprocess.CompletedProcess:
    """Run the script as the unit does: the portal's settings plus BACKUP_DIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=str(instance), BACKUP_DIR=str(folder),
               BACKUP_KEEP_DAYS="30", PORTAL_SECRET_KEY="backup test")
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def test_sqlite_backup_is_private_checked_and_old_copies_go(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    db.migrate(url)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / "madoguchi-2020-01-01-000000.sqlite3"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    done = run_backup(url, folder, tmp_path)
    assert done.returncode == 0, done.stderr
    made = [p for p in folder.iterdir()]
    assert len(made) == 1 and made[0] != old and made[0].name.endswith(".sqlite3")
    assert made[0].stat().st_mode & 0o077 == 0
    con = sqlite3.connect(made[0])
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM alembic_version").fetchone()[0] >= 1
