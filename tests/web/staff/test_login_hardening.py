"""Login and session hardening (issue 14): refusals take the same time whatever the reason, an
outsider's failures lock only their own name-and-address pair, and a session ends 12 hours after
login however active it stays."""
from __future__ import annotations

import datetime
import statistics
import time

import pytest
from sqlalchemy.orm import Session

from portal.web import db
from portal.web.staff import accounts

from .conftest import StaffClient, add_staff


def test_a_session_ends_after_its_absolute_lifetime(make_app, clock):
    app = make_app(STAFF_ARGON2_MEMORY_KIB=1024, STAFF_IDLE_MINUTES=30)   # default: 12 hours
    add_staff(app, "aki", "abashiri")
    c = StaffClient(app)
    c.login("aki")
    start = clock.now
    while clock.now - start < datetime.timedelta(hours=11, minutes=40):
        clock.now += datetime.timedelta(minutes=20)   # refreshed well inside the idle timeout
        assert c.get("/staff/abashiri/").status_code == 200
    clock.now = start + datetime.timedelta(hours=12, minutes=1)
    assert c.get("/staff/abashiri/").headers["Location"].startswith("/staff/login")
    assert StaffClient(app).login("aki").status_code == 303   # a new login is a new 12 hours


def test_an_outsider_cannot_lock_a_known_name_out(staff_app, clock):
    outsider, desk = StaffClient(staff_app), StaffClient(staff_app)
    outsider.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    desk.client.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    for _ in range(12):
        outsider.login("aki", "guessing wrong!")
    assert outsider.login("aki").status_code == 200          # the outsider's own pair is locked
    assert desk.login("aki").status_code == 303              # the staff member at their desk is not
    clock.now += datetime.timedelta(minutes=16)
    assert outsider.login("aki").status_code == 303          # and the lock lasts its 15 minutes only


def _time(call, *args: object) -> float:
    start = time.perf_counter()
    try:
        call(*args)
    except accounts.AccountError:
        pass
    else:
        raise AssertionError("login was not refused")
    return time.perf_counter() - start


@pytest.mark.slow   # about 60 real argon2 checks at 64 MiB
def test_every_refusal_takes_the_same_time(make_app, clock):
    """Unknown name, locked pair, disabled account and wrong password: medians within 20%."""
    app = make_app()   # the real argon2 cost (64 MiB), as the timing an attacker sees
    for name in ("known", "locky", "gone"):
        add_staff(app, name, "abashiri")
    assert app.test_cli_runner().invoke(args=["staff", "disable", "gone"]).exit_code == 0
    ph = accounts.hasher()
    session = Session(db.engine_of(app))

    def attempt(name: str, password: str = "wrong password!!", address: str = "192.0.2.1",
                lock_after: int = 1000) -> None:
        accounts.login(session, name, password, clock.now, ph, lock_after, 15, address)

    for _ in range(3):
        _time(attempt, "locky", "wrong", "198.51.100.7", 3)   # lock (locky, that address)
    cases = {"unknown": ("nobody",), "locked": ("locky", "correct horse battery", "198.51.100.7"),
             "disabled": ("gone", "correct horse battery"), "wrong": ("known",)}
    _time(attempt, "nobody")   # the first refusal of an unknown name makes the dummy hash once
    samples: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(15):
        for kind, args in cases.items():   # interleaved, so load on the machine hits all alike
            samples[kind].append(_time(attempt, *args))
    medians = {k: statistics.median(v) for k, v in samples.items()}
    assert max(medians.values()) <= 1.2 * min(medians.values()), medians
    session.close()
