"""The element-wise kernels under a host's own compiler flags.

A portable build carries AVX-512 and AVX2 clones of the activation loops, picked at run time. A
clone can inline the loops' helpers only if the build's baseline instruction set is a subset of
the clone's, so a build for a chosen CPU (a plugin built with -march=native, say) must carry none,
or every element becomes a function call. Whatever the flags, no activation loop calls out.
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

NATIVE = Path(__file__).resolve().parents[2]
CXX = shutil.which("g++")
LOOPS = ("exp_inplace", "sigmoid_inplace", "elu_inplace", "relu_inplace", "softmax_inplace")

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64") or CXX is None or shutil.which("objdump") is None,
    reason="run-time clones are made by GCC on x86-64 only",
)

# what native/CMakeLists.txt gives kernels.cpp and weights.cpp on x86-64
COMMON = ["-std=c++17", "-O2", "-fopenmp-simd", "-fno-trapping-math", "-DML5_MULTIVERSION=1", "-DML5_X86_KERNELS=1",
          f"-I{NATIVE / 'include'}"]

PORTABLE = [["-march=x86-64"], ["-march=x86-64-v2"]]
CHOSEN = [["-march=westmere"], ["-march=silvermont"], ["-march=goldmont"], ["-march=haswell"], ["-mavx2", "-mfma"]]


def _functions(tmp_path: Path, flags: list[str]) -> dict[str, list[str]]:
    """kernels.cpp compiled with `flags`: each function's (mangled) name and its instructions."""
    obj = tmp_path / "kernels.o"
    subprocess.run(
        [CXX, *COMMON, *flags, "-c", str(NATIVE / "src" / "kernels.cpp"), "-o", str(obj)],
        check=True,
    )
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(obj)], check=True, capture_output=True,
                             text=True).stdout
    functions: dict[str, list[str]] = {}
    current: list[str] = []
    for line in listing.splitlines():
        if match := re.match(r"^[0-9a-f]+ <(.+)>:$", line):
            current = functions.setdefault(match.group(1), [])
        elif "\t" in line:
            current.append(line.split("\t")[-1])
    return functions


def _clones(functions: dict[str, list[str]]) -> set[str]:
    return {name for name in functions if ".arch_x86_64" in name}


@pytest.mark.parametrize("flags", PORTABLE, ids=" ".join)
def test_a_portable_build_carries_avx2_and_avx512_clones(tmp_path, flags):
    clones = _clones(_functions(tmp_path, flags))
    assert any(name.endswith(".arch_x86_64_v4") for name in clones), clones
    assert any(name.endswith(".arch_x86_64_v3") for name in clones), clones


@pytest.mark.parametrize("flags", CHOSEN, ids=" ".join)
def test_a_build_that_chose_its_instruction_set_carries_none(tmp_path, flags):
    assert _clones(_functions(tmp_path, flags)) == set()


@pytest.mark.parametrize("flags", PORTABLE + CHOSEN, ids=" ".join)
def test_no_activation_loop_calls_out(tmp_path, flags):
    functions = _functions(tmp_path, flags)
    loops = {name: body for name, body in functions.items()
             if any(loop in name for loop in LOOPS) and not name.endswith(".resolver")}  # resolvers ask the CPU
    assert len(loops) >= len(LOOPS), sorted(functions)
    calling = {name: [i for i in body if i.startswith("call")] for name, body in loops.items()}
    assert {name: calls for name, calls in calling.items() if calls} == {}


@pytest.mark.skipif(shutil.which("clang++") is None, reason="needs clang++ (Debian: apt-get install clang)")
@pytest.mark.parametrize("source, flags", [
    ("weights.cpp", []), ("kernels.cpp", []),
    ("simd/products_avx2.cpp", ["-mavx2", "-mfma", "-mf16c"]),
    ("simd/products_avx512.cpp", ["-mavx512f", "-mavx2", "-mfma", "-mf16c"]),
], ids=lambda value: value if isinstance(value, str) else None)
def test_the_run_time_dispatch_compiles_with_clang(source, flags):
    """A host building with clang gets the same x86 kernels and run-time choice (CMake's flags)."""
    subprocess.run(
        ["clang++", *COMMON, *flags, "-fsyntax-only", str(NATIVE / "src" / source)],
        check=True,
    )
