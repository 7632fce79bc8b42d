"""The whole C++ ctest suite under AddressSanitizer + UndefinedBehaviorSanitizer (native/tests/run_asan.sh):
conformance in fp32 and fp16 on every instruction-set path, unit, no_alloc, the processor, the
async stress test (fewer requests) and the example host, halting on the first error. The
planted faults of native/tests/sanitizer_canary.cpp prove that the build really is sanitized."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ml5.testing import conformance_dir

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "native" / "tests" / "run_asan.sh"
# What every build runs (native/tests/CMakeLists.txt); processor_rt replaces the allocator and
# the lock functions, which the sanitizers intercept themselves, so it is left out of this build.
EXPECTED_TESTS = {
    "conformance", "conformance_fp16", "unit", "no_alloc", "no_alloc_fp16", "processor", "async_stress",
    "example_host", "activation_error",
    *(f"{test}_{simd}" for simd in ("portable", "avx2")
      for test in ("conformance", "conformance_fp16", "unit", "activation_error")),
}


@pytest.fixture(scope="module")
def sanitized_run(run_once) -> tuple[subprocess.CompletedProcess, Path]:
    """run_asan.sh's build and report, made once per session (every worker reads the same)."""
    if shutil.which("cmake") is None or shutil.which("c++") is None:
        pytest.skip("needs cmake and a C++ compiler (Debian: apt-get install cmake g++)")

    def make(folder: Path) -> dict:
        build = folder / "build"
        result = subprocess.run(["bash", str(SCRIPT), str(build)], capture_output=True, text=True, timeout=900,
                                env={**os.environ, "ML5_CONFORMANCE_DIR": str(conformance_dir(ROOT))})
        return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr, "build": str(build)}

    made = run_once("asan", make)
    result = subprocess.CompletedProcess(["bash", str(SCRIPT)], made["returncode"], made["stdout"], made["stderr"])
    return result, Path(made["build"])


def test_every_ctest_passes_under_asan_and_ubsan(sanitized_run):
    result, _ = sanitized_run
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "run_asan: no sanitizer errors" in result.stdout
    assert "100% tests passed" in result.stdout
    ran = set(re.findall(r"Test\s+#\d+: (\S+) \.+\s+Passed", result.stdout))
    assert EXPECTED_TESTS <= ran, f"not run: {sorted(EXPECTED_TESTS - ran)}"


@pytest.mark.parametrize(("args", "report"), [
    (["heap-overflow", "8"], "heap-buffer-overflow"),
    (["signed-overflow", "2147483647", "1"], "signed integer overflow"),
])
def test_planted_fault_is_caught(sanitized_run, args, report):
    result, build = sanitized_run
    assert f"run_asan: caught: {report}" in result.stdout, result.stdout[-3000:]
    canary = subprocess.run([str(build / "tests" / "ml5rt_sanitizer_canary"), *args], capture_output=True,
                            text=True, timeout=60)
    assert canary.returncode != 0
    assert report in canary.stderr, canary.stderr[-2000:]
