"""A fixed CPU budget for a process tree: a cgroup with a CPU quota, standing in for a host of its own.

On one 2-core machine a second portal host adds workers but no CPU: the clients, nginx, both
hosts and PostgreSQL all share the same two cores, so "two hosts" cannot serve more than "one
host" once the cores are busy. To show what adding a host does where hosts are separate machines,
bench_deploy gives each host a budget of its own (say half a core) with the kernel's CFS quota, the
way a virtual machine of that size would be: one host is then limited by its budget, two hosts by
twice that, while nginx, PostgreSQL and the clients keep the rest of the machine.

Works with cgroup v1 (the `cpu` controller mounted at /sys/fs/cgroup/cpu) and v2 (cpu.max); needs
root. `CpuQuota.available()` says whether this machine allows it.
"""
from __future__ import annotations

import os
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")
PERIOD_US = 10_000   # a short period: a throttled host waits at most this long, not 100 ms


def _v2() -> bool:
    return (V2 / "cgroup.controllers").exists() and "cpu" in (V2 / "cgroup.controllers").read_text().split()


class CpuQuota:
    """The cgroup `madoguchi-bench-<name>`, allowed `cores` CPUs' worth of time per period."""

    def __init__(self, name: str, cores: float) -> None:
        self.cores = cores
        self.v2 = _v2()
        self.path = (V2 if self.v2 else V1) / f"madoguchi-bench-{name}"
        self.path.mkdir(exist_ok=True)
        quota = max(1000, int(cores * PERIOD_US))
        if self.v2:
            (self.path / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))

    @staticmethod
    def available() -> bool:
        """Whether a CPU cgroup can be made here (root, and a writable cpu controller)."""
        if os.geteuid() != 0:
            return False
        base = V2 if _v2() else V1
        probe = base / f"madoguchi-bench-probe-{os.getpid()}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError:
            return False
        return True

    def enter(self) -> None:
        """Move the calling process into the group (as `preexec_fn`: the child and all it forks)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def throttled(self) -> int:
        """How many periods so far the group wanted more than its quota (0: the budget never bound)."""
        stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
        return int(stat.get("nr_throttled", 0))

    def close(self) -> None:
        """Remove the group (its processes must have ended)."""
        try:
            self.path.rmdir()
        except OSError:
            pass


def session_seconds(sid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of session sid (a gunicorn
    master started with start_new_session, and its workers)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:   # ended meanwhile
            continue
        if int(fields[3]) == sid:   # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])
    return total / tick
