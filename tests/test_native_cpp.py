"""The C++ engine's own tests, built with CMake and run by ctest, without Python in the loop:
conformance (every accept and reject case), zero heap allocations during inference, unit tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ml5.testing import conformance_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("c++") is None, reason="needs cmake and a C++ compiler")
def test_ctest_passes(tmp_path):
    folder = conformance_dir(ROOT)
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(ROOT / "native"), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                    f"-DML5_CONFORMANCE_DIR={folder}", "-DML5_BUILD_TOOLS=OFF"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "-j2"], check=True, capture_output=True)
    result = subprocess.run(["ctest", "--test-dir", str(build), "--output-on-failure"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
    for name in ("conformance", "no_alloc", "unit", "example_host"):
        assert f" {name} " in result.stdout and "Passed" in result.stdout
    assert "100% tests passed" in result.stdout
