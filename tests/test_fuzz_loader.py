"""A short run of the loader's libFuzzer harness (native/fuzz): no crash, leak, hang or
sanitizer finding on mutations of the conformance files. Long runs: native/fuzz/README.md."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from ml5.testing import conformance_dir

ROOT = Path(__file__).resolve().parents[1]


def test_short_fuzz_run(tmp_path):
    if shutil.which("clang++") is None:
        if os.environ.get("ML5_REQUIRE_FUZZ"):
            pytest.fail("clang++ not found: install clang and libclang-rt-14-dev (Debian) for libFuzzer")
        pytest.skip("libFuzzer needs clang++ (apt-get install clang libclang-rt-14-dev)")
    folder = conformance_dir(ROOT)
    result = subprocess.run(
        ["bash", str(ROOT / "native" / "fuzz" / "run.sh"), "30000", str(folder)],
        capture_output=True, text=True, env={**os.environ, "ML5_FUZZ_DIR": str(tmp_path)}, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Done 30000 runs" in result.stdout and "findings: 0" in result.stdout
