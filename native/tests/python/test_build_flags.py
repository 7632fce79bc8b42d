"""The element-wise kernels under a host's own compiler flags.

A portable build carries AVX-512 and AVX2 clones of the activation loops, picked at run time. A
build that already targets AVX or later (a plugin built with -march=native, say) must carry none:
a clone for a narrower instruction set cannot inline helpers compiled for the wider baseline, and
every element then becomes a function call.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from pathlib import Path

import pytest

NATIVE = Path(__file__).resolve().parents[2]
CXX = shutil.which("g++")

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64") or CXX is None or shutil.which("nm") is None,
    reason="run-time clones are made by GCC on x86-64 only",
)


def _clones(obj: Path, *flags: str) -> set[str]:
    """The run-time clones in kernels.cpp compiled with `flags`, as `function.arch` names."""
    subprocess.run(
        [CXX, "-std=c++17", "-O2", "-fopenmp-simd", "-fno-trapping-math", "-DML5_MULTIVERSION=1",
         "-DML5_X86_KERNELS=1", f"-I{NATIVE / 'include'}", *flags, "-c", str(NATIVE / "src" / "kernels.cpp"),
         "-o", str(obj)],
        check=True,
    )
    symbols = subprocess.run(["nm", str(obj)], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in symbols.splitlines() if ".arch_x86_64" in line}


def test_a_portable_build_carries_avx2_and_avx512_clones(tmp_path):
    clones = _clones(tmp_path / "portable.o")
    assert any(name.endswith(".arch_x86_64_v4") for name in clones), clones
    assert any(name.endswith(".arch_x86_64_v3") for name in clones), clones


@pytest.mark.parametrize("flags", [["-march=haswell"], ["-mavx2", "-mfma"]])
def test_a_build_that_chose_its_instruction_set_carries_none(tmp_path, flags):
    assert _clones(tmp_path / "chosen.o", *flags) == set()
