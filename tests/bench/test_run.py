"""The benchmark runner, for real on its two quick modules: the table prints and nothing fails.

The other modules take minutes (that is what they measure), so only their runner and the quick
ones are exercised here; a module that raises shows as a FAILED row and exit status 1.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.pdf
def test_quick_benchmarks_print_their_rows_and_exit_0():
    result = subprocess.run([sys.executable, "bench/run.py", "--only", "rules", "pdf_peer"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["benchmark", "figure"]
    assert any(line.startswith("open slots: 544 offices") for line in lines)
    assert any(line.startswith("pdf peer: bytes of the leaflet") for line in lines)
    assert "FAILED" not in result.stdout


def test_a_failing_benchmark_gets_a_row_and_exit_1(tmp_path):
    (tmp_path / "bench_broken.py").write_text("def rows():\n    raise RuntimeError('boom')\n", encoding="utf-8")
    runner = tmp_path / "run.py"
    runner.write_text((ROOT / "bench/run.py").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "rowtype.py").write_text((ROOT / "bench/rowtype.py").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(runner)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "bench_broken: FAILED" in result.stdout and "RuntimeError: boom" in result.stdout
    assert "Traceback" in result.stderr
