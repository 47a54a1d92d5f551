"""Open-slot computation for a national set of offices (544 distinct policies)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time

from rowtype import Row

from portal.rules import TOKYO, SlotPolicy, Window, open_slots

BASE = SlotPolicy(weekdays=frozenset(range(5)), windows=(Window(dt.time(9, 30), dt.time(12)),
                                                          Window(dt.time(13, 30), dt.time(16))),
                  session_minutes=30)


def rows() -> list[Row]:
    """Cold and warm open_slots() for 544 offices, milliseconds per office."""
    policies = [dataclasses.replace(BASE, capacity=i + 1) for i in range(544)]
    now = dt.datetime(2026, 5, 8, 9, 0, tzinfo=TOKYO)
    began = time.perf_counter()
    for policy in policies:
        open_slots(policy, now)
    cold = time.perf_counter() - began
    began = time.perf_counter()
    for policy in policies:
        open_slots(policy, now + dt.timedelta(minutes=5))
    warm = time.perf_counter() - began
    return [Row("open slots: 544 offices, first call", f"{cold * 1000:.0f} ms", "-", "-"),
            Row("open slots: one office, cached days", f"{warm / 544 * 1000:.3f} ms", "target 50 ms (p99 page)",
                f"{warm / 544 / 0.05:.4f}")]
