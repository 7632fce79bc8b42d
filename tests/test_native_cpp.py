"""The C++ engine's own tests, built with CMake and run by ctest, without Python in the loop:
conformance (every accept and reject case), zero heap allocations during inference, unit tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ml5.testing import conformance_dir

ROOT = Path(__file__).resolve().parents[1]


def test_ctest_passes(native_release):
    listing = subprocess.run(["ctest", "--test-dir", str(native_release.build), "--show-only=json-v1"],
                             capture_output=True, text=True, check=True)
    commands = {test["name"]: test["command"] for test in json.loads(listing.stdout)["tests"]}
    # the folder the Python conformance tests read too
    assert Path(commands["conformance"][1]).resolve() == conformance_dir(ROOT).resolve()
    result = subprocess.run(["ctest", "--test-dir", str(native_release.build), "--output-on-failure"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
    for name in ("conformance", "no_alloc", "unit", "example_host"):
        assert f" {name} " in result.stdout and "Passed" in result.stdout
    assert "100% tests passed" in result.stdout
