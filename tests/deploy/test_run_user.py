"""`scripts/run` started as root leaves no gunicorn process running as root: the master and its
workers run as the system user madoguchi, which owns the instance folder."""
from __future__ import annotations

import os
import pwd
import signal
import socket
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_uids(pgid: int) -> dict[int, int]:
    """pid → real uid of every process in the process group."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
            found[int(entry.name)] = int(uid_line.split()[1])
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="scripts/run drops root only when started as root")
def test_scripts_run_serves_as_the_madoguchi_user(tmp_path):
    port = _free_port()
    # pytest's tmp_path lies under a folder of root's alone: madoguchi could not reach it.
    shared = Path(tempfile.mkdtemp(prefix="madoguchi-run-"))
    os.chmod(shared, 0o755)
    instance = shared / "instance"
    env = dict(os.environ, PORT=str(port), PORTAL_INSTANCE_DIR=str(instance), PORTAL_WORKERS="2")
    for name in ("PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY"):
        env.pop(name, None)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", "scripts/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.read() == b"ok\n"
                break
            except OSError:
                assert proc.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        time.sleep(1)   # both workers up
        uids = _group_uids(proc.pid)
        portal = pwd.getpwnam("madoguchi").pw_uid
        assert len(uids) == 3, uids   # the master (scripts/run's own process, exec'd) and two workers
        workers = {pid: uid for pid, uid in uids.items() if pid != proc.pid}
        assert set(workers.values()) == {portal}   # every request is served as madoguchi
        if "only its workers" not in log.read_text():   # a Python madoguchi can run: the master too
            assert uids[proc.pid] == portal
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/abashiri/booking/", timeout=5) as answer:
            assert answer.status == 200
        owner = "uid" if uids[proc.pid] == portal else "gid"   # the folder is madoguchi's, or shared
        for path in (instance, instance / "secret_key", instance / "madoguchi.sqlite3"):
            assert getattr(path.stat(), f"st_{owner}") == portal, path
            assert path.stat().st_mode & 0o007 == 0, path   # nothing for other users
        assert "madoguchi" in log.read_text().split("serving site and portal", 1)[1].splitlines()[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        shutil.rmtree(shared, ignore_errors=True)
