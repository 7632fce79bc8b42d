"""Link hygiene of the C++ runtime: the JSON parser it bundles (third_party/yyjson) must not be
seen by the program that links it. A plugin that parses JSON with its own yyjson — another
version — would otherwise get one definition for both, silently, or a duplicate-symbol error.

The runtime renames yyjson's functions ml5_yyjson_* and hides them (native/cmake/yyjson_prefix.cmake).
Checked here with nm on the installed static library, a shared-library build and the installed
Python extension, and by a host (native/tests/fixtures/two_yyjson_host) that links yyjson 0.6.0
next to the runtime, in both link orders, and must find each library using its own parser."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from ml5.testing import conformance_dir

ROOT = Path(__file__).resolve().parents[1]
NATIVE = ROOT / "native"
HOST_FIXTURE = NATIVE / "tests" / "fixtures" / "two_yyjson_host"
# Every bundled library, by the name its symbols carry: third_party/yyjson, third_party/nlohmann_json.
BUNDLED = sorted({folder.name.split("_")[0] for folder in (NATIVE / "third_party").iterdir() if folder.is_dir()})
# Names the toolchain defines in a library (the linker's section bounds, the compiler's
# references to the C++ personality routine and type infos), not a library's API.
TOOLCHAIN = {"_init", "_fini", "_edata", "_end", "__bss_start"}
TOOLCHAIN_PREFIX = "DW.ref."

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("cmake", "c++", "cc", "nm")),
    reason="needs cmake, a C and C++ compiler and nm on PATH",
)


def _run(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _library(prefix: Path, name: str) -> Path:
    found = sorted(prefix.glob(f"lib*/{name}"))
    assert found, f"no {name} installed under {prefix}"
    return found[0]


def _foreign_symbols(*nm_args: str | Path) -> list[str]:
    """Defined external symbols (nm -g or -D) that belong to no ml5 namespace: plain C names not
    starting with ml5_ (PyInit_ aside), and C++ names of a bundled library's namespace."""
    listing = _run("nm", "--defined-only", *nm_args).stdout
    foreign = []
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) != 3:  # an archive's member headers
            continue
        name = fields[2]
        if name.startswith("_Z"):
            if any(lib in name for lib in BUNDLED):
                foreign.append(line)
        elif not (name.startswith(("ml5_", "PyInit_", TOOLCHAIN_PREFIX)) or name in TOOLCHAIN):
            foreign.append(line)
    return foreign


def test_the_check_sees_a_bundled_symbol(tmp_path):
    """What the library exported before its parser was renamed: the check must flag it."""
    source = tmp_path / "unprefixed.c"
    source.write_text("unsigned yyjson_version(void) { return 0x000a00; }\nint ml5_own(void) { return 1; }\n")
    _run("cc", "-c", source, "-o", tmp_path / "unprefixed.o")
    flagged = _foreign_symbols("-g", tmp_path / "unprefixed.o")
    assert [line.split()[-1] for line in flagged] == ["yyjson_version"]


@pytest.fixture(scope="module")
def static_prefix(native_release) -> Path:
    """The static library, Release as a packager builds it, installed (the session's shared build)."""
    return native_release.prefix


def test_static_library_defines_no_bundled_symbol(static_prefix):
    archive = _library(static_prefix, "libml5rt.a")
    assert _foreign_symbols("-g", archive) == []
    # The parser is there, under ml5's name: the check above looked at the right thing.
    assert " T ml5_yyjson_read_opts" in _run("nm", "--defined-only", archive).stdout


def test_shared_library_exports_no_bundled_symbol(native_build):
    library = _library(native_build("shared").prefix, "libml5rt.so")
    exported = _run("nm", "-D", "--defined-only", library).stdout
    assert "_ZN3ml515load_model_file" in exported  # the API is exported...
    assert _foreign_symbols("-D", library) == []  # ...and the parser is not, under any name
    assert "yyjson" not in exported


def test_python_extension_exports_no_bundled_symbol():
    spec = importlib.util.find_spec("ml5_native._engine")
    if spec is None or spec.origin is None:
        pytest.skip("ml5_native is not installed")
    exported = _run("nm", "-D", "--defined-only", spec.origin).stdout
    assert "PyInit__engine" in exported
    assert _foreign_symbols("-D", spec.origin) == []
    assert "yyjson" not in exported


@pytest.fixture(scope="module")
def host_build(static_prefix, tmp_path_factory) -> Path:
    """The fixture host against the installed runtime, both link orders."""
    build = tmp_path_factory.mktemp("two-yyjson-host")
    _run("cmake", "-S", HOST_FIXTURE, "-B", build, "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={static_prefix}")
    _run("cmake", "--build", build, "-j2")
    return build


@pytest.mark.parametrize("host", ["host-runtime-first", "host-yyjson-first"])
def test_host_with_its_own_yyjson(host_build, host):
    folder = conformance_dir(ROOT)
    result = subprocess.run([str(host_build / host), str(folder / "ref_emotionrecognizer.case.json")],
                            capture_output=True, text=True, timeout=120)
    report = f"exit {result.returncode}\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, report
    assert "host yyjson: compiled with 0.6.0, linked 0.6.0" in report, report
    assert "two yyjson: ok" in report, report
