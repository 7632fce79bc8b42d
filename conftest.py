"""What every test folder shares: work done once per test session, however many pytest-xdist
workers run it.

The C++ runtime is built once per configuration (``native_build("release")`` …) and a few
expensive results (a sanitizer run, a training run) are made once, by whichever worker asks
first, behind a file lock in the session's temporary folder; the other workers wait for it and
read the same result. A failure is recorded too, so that every test that needs the result fails
with the same message instead of starting the work again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent
NATIVE = ROOT / "native"

#: The CMake configurations the tests build, by name. "release" is what a packager builds, with the
#: C++ tests; "shared" the library alone as a shared library.
NATIVE_CONFIGURATIONS: dict[str, list[str]] = {
    "release": ["-DCMAKE_BUILD_TYPE=Release", "-DML5_BUILD_TESTS=ON", "-DML5_BUILD_TOOLS=OFF"],
    "shared": ["-DCMAKE_BUILD_TYPE=Release", "-DML5_BUILD_TESTS=OFF", "-DML5_BUILD_TOOLS=OFF",
               "-DBUILD_SHARED_LIBS=ON"],
}


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, each worker's share of the cores for torch and OpenMP, its subprocesses included:
    two workers each running torch on every core would oversubscribe the machine."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers > 1 and "OMP_NUM_THREADS" not in os.environ:
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)


@attrs.frozen
class NativeBuild:
    """A built and installed configuration of native/: its CMake build folder and install prefix."""

    name: str
    build: Path
    prefix: Path


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees: under xdist each worker's base temp is one
    folder below it; without xdist it is the session's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Any]) -> Any:
    """``make(folder)``'s JSON-able result, computed by one worker per session; the others wait."""
    root = _shared_root(tmp_path_factory)
    folder = root / f"once-{name}"
    result_file, failure_file = root / f"once-{name}.json", root / f"once-{name}.failed"
    with FileLock(str(root / f"once-{name}.lock")):
        if failure_file.exists():
            pytest.fail(f"{name} failed earlier in this session:\n{failure_file.read_text()}")
        if not result_file.exists():
            folder.mkdir(exist_ok=True)
            try:
                result = make(folder)
            except BaseException as exc:
                failure_file.write_text(f"{type(exc).__name__}: {exc}")
                raise
            result_file.write_text(json.dumps(result))
    return json.loads(result_file.read_text())


def _run(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed (exit {result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _needs_cmake() -> None:
    if shutil.which("cmake") is None or shutil.which("c++") is None:
        pytest.skip("needs cmake and a C++ compiler (Debian: apt-get install cmake g++)")


@pytest.fixture(scope="session")
def run_once(tmp_path_factory) -> Callable[[str, Callable[[Path], Any]], Any]:
    """``run_once(name, make)``: ``make(folder)``'s JSON-able result, made once per session."""
    return lambda name, make: once(tmp_path_factory, name, make)


@pytest.fixture(scope="session")
def native_build(tmp_path_factory) -> Callable[[str], NativeBuild]:
    """``native_build(name)``: native/ configured as NATIVE_CONFIGURATIONS[name], built and installed
    into a prefix, once per session."""

    def get(name: str) -> NativeBuild:
        _needs_cmake()

        def make(folder: Path) -> dict[str, str]:
            build, prefix = folder / "build", folder / "prefix"
            _run("cmake", "-S", NATIVE, "-B", build, *NATIVE_CONFIGURATIONS[name])
            _run("cmake", "--build", build, f"-j{os.cpu_count() or 2}")
            _run("cmake", "--install", build, "--prefix", prefix)
            return {"build": str(build), "prefix": str(prefix)}

        made = once(tmp_path_factory, f"native-{name}", make)
        return NativeBuild(name, Path(made["build"]), Path(made["prefix"]))

    return get


@pytest.fixture(scope="session")
def native_release(native_build) -> NativeBuild:
    """The Release build with the C++ tests (ctest runs in ``.build``), installed in ``.prefix``."""
    return native_build("release")
