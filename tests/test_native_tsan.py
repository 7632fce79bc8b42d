"""A short ThreadSanitizer run of the async stress test (one thread submitting, one polling,
one reloading models) and of the processor tests. The recorded one-million-request run is in
native/README.md; this one keeps the property checked on every change."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("c++") is None, reason="needs cmake and a C++ compiler")
def test_async_stress_under_thread_sanitizer(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "native" / "tests" / "run_tsan.sh"), "50000", str(tmp_path / "build-tsan")],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "run_tsan: no data races" in result.stdout
    summary = re.search(r"(\d+) accepted in all .*?, (\d+) results .*?, (\d+) dropped at stop", result.stdout)
    assert summary, result.stdout[-2000:]
    accepted, results, dropped = map(int, summary.groups())
    assert accepted >= 50_000 and results + dropped == accepted
