"""Sessions: `nox -l` lists them.

- tests    everything installed, the whole suite (what the README's test command runs)
- plugins  each plugin distribution alone: fresh venv, core + that plugin (non-editable), its tests
- core     the torch-free core tests on every supported Python
- native   the C++ engine built with CMake, its C++ tests (conformance, no allocation) via ctest
- fuzz     the loader's long libFuzzer run (`nox -s fuzz -- RUNS`; the suite runs a short one)
- lint     ruff, and mypy on the core
- bench    the benchmarks (pytest-benchmark)
- docs     the documentation site, built with `mkdocs build --strict` (see mkdocs.yml)
- build    sdist + wheel of every distribution, twine check, the wheels installed in a fresh venv and run
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
#: what every test session installs besides the code under test (the root conftest.py uses filelock)
TEST_TOOLS = ("pytest", "pytest-xdist", "filelock", "hatchling")

nox.options.sessions = ["tests", "lint"]
nox.options.default_venv_backend = "venv"


def _find_pyenv_pythons() -> None:
    """pyenv installs interpreters without putting them on PATH; nox looks for pythonX.Y there."""
    if not shutil.which("pyenv"):
        return
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    bins = []
    for version in PYTHONS:
        found = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin")))
        if found:
            bins.append(found[-1])
    os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


_find_pyenv_pythons()

#: plugin distribution folder -> what its tests need besides core and itself
PLUGINS = {
    "plugins/ml5-emotion": ["./plugins/ml5-synthetic"],
    "plugins/ml5-melody": ["./plugins/ml5-synthetic"],
    "plugins/ml5-harmony": ["./plugins/ml5-synthetic"],
    "plugins/ml5-dynamics": ["./plugins/ml5-synthetic"],
    "plugins/ml5-groove": ["./plugins/ml5-synthetic"],
    # a dataset format is tested on the models it feeds
    "plugins/ml5-synthetic": [f"./plugins/ml5-{m}" for m in ("emotion", "melody", "harmony", "dynamics", "groove")],
    "plugins/ml5-midi": [],
    # symbolic data sets: the shared library, the models they feed, the trainer their run tests use
    "plugins/ml5-corpus": ["./plugins/ml5-midi[scores]", "./plugins/ml5-harmony", "./plugins/ml5-melody", "./plugins/ml5-trainer",
                           "./plugins/ml5-audio", "./plugins/ml5-emotion"],
    "plugins/ml5-gmd": ["./plugins/ml5-midi", "./plugins/ml5-groove", "./plugins/ml5-dynamics", "./plugins/ml5-trainer"],
    "plugins/ml5-emopia": ["./plugins/ml5-midi", *(f"./plugins/ml5-{m}" for m in ("melody", "dynamics", "groove")),
                           "./plugins/ml5-trainer"],
    "plugins/ml5-maestro": ["./plugins/ml5-midi", "./plugins/ml5-dynamics", "./plugins/ml5-melody"],
    "plugins/ml5-lakh": ["./plugins/ml5-midi", "./plugins/ml5-melody", "./plugins/ml5-harmony"],
    "plugins/ml5-audio": [],
    # its run test trains the emotion model and runs `ml5 infer` on the export (MIDI input too)
    "plugins/ml5-deam": ["./plugins/ml5-audio", "./plugins/ml5-rtneural", "./plugins/ml5-midi", "./plugins/ml5-trainer",
                         "./plugins/ml5-synthetic", *(f"./plugins/ml5-{m}" for m in ("emotion", "melody", "harmony", "dynamics", "groove"))],
    "plugins/ml5-trainer": [],
    "plugins/ml5-rtneural": ["torch"],
    # its tests export the five models against torch and train one from the CLI
    "plugins/ml5-onnx": ["torch", *(f"./plugins/ml5-{m}" for m in ("emotion", "melody", "harmony", "dynamics", "groove")),
                         "./plugins/ml5-synthetic", "./plugins/ml5-trainer"],
    "native": ["torch", "./plugins/ml5-rtneural"],
    "contrib/ml5-example-csv": ["./plugins/ml5-groove", "./plugins/ml5-trainer"],  # its test trains from the CLI
}


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    session.install(*CONSTRAINTS, "-r", "requirements.txt")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
@nox.parametrize("plugin", list(PLUGINS), ids=[p.split("/")[-1] for p in PLUGINS])
def plugins(session: nox.Session, plugin: str) -> None:
    session.install(*CONSTRAINTS, "./core", f"./{plugin}", *PLUGINS[plugin], *TEST_TOOLS)
    tests_dir = "tests/python" if plugin == "native" else "tests"
    session.run("pytest", f"{plugin}/{tests_dir}", *session.posargs)


@nox.session(python=PYTHONS)
def core(session: nox.Session) -> None:
    session.install("./core", *TEST_TOOLS)
    session.run("pytest", "core/tests", *session.posargs)
    # the core must stay torch-free: these tests ran without torch installed
    session.run("python", "-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is not None)")


@nox.session(python="3.11")
def native(session: nox.Session) -> None:
    build = session.create_tmp()
    session.run("cmake", "-S", "native", "-B", build, "-DCMAKE_BUILD_TYPE=Release", external=True)
    session.run("cmake", "--build", build, "-j2", external=True)
    session.run("ctest", "--test-dir", build, "--output-on-failure", external=True)


@nox.session(python="3.11", venv_backend="none")
def fuzz(session: nox.Session) -> None:
    """The loader's long libFuzzer run (the test suite runs a short one): RUNS as the argument,
    default one million. Needs clang and libclang-rt-14-dev (Debian)."""
    runs = session.posargs[0] if session.posargs else "1000000"
    session.run("bash", "native/fuzz/run.sh", runs, external=True)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff", "mypy", "./core", "types-setuptools")
    session.run("ruff", "check", "core", "plugins", "contrib", "native/python", "native/tests", "tests", "benchmarks", "docs/hooks",
                "noxfile.py")
    session.run("mypy")


#: every distribution the repository publishes: the core, each plugin, the native runtime, the
#: contributed examples (not the scaffold's templates)
DISTRIBUTIONS = [
    "core",
    *sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/pyproject.toml")),
    "native",
    *sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("contrib/ml5-*/pyproject.toml")),
]


@nox.session(python="3.11")
def build(session: nox.Session) -> None:
    """sdist and wheel of every distribution (hatchling; scikit-build-core for native), twine
    check, then the wheels alone installed into a fresh venv and `ml5 run --plugins groove,dynamics`."""
    session.install("build", "twine")
    tmp = Path(session.create_tmp()).resolve()  # absolute: the run below changes directory
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    for folder in DISTRIBUTIONS:
        session.run("python", "-m", "build", "--outdir", str(dist), folder)
    session.run("twine", "check", "--strict", *sorted(str(p) for p in dist.iterdir()))

    wheels = sorted(dist.glob("*.whl"))
    for wheel in wheels:
        session.log(f"{wheel.stat().st_size / 1024:10.1f} KiB  {wheel.name}")
    session.log(f"{sum(w.stat().st_size for w in wheels) / 1024:10.1f} KiB  in {len(wheels)} wheels")

    venv = tmp / "wheels-venv"
    session.run("python", "-m", "venv", "--clear", str(venv))
    session.run(str(venv / "bin" / "pip"), "install", "-q", *CONSTRAINTS, *map(str, wheels), external=True)
    work = tmp / "wheels-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with session.chdir(work):  # no ml5.toml of the repository in sight, nothing imported from the tree
        session.run(str(venv / "bin" / "ml5"), "plugins", external=True)
        session.run(str(venv / "bin" / "ml5"), "run", "--plugins", "groove,dynamics", "--out", "run", external=True)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    session.install(*CONSTRAINTS, "-r", "requirements.txt", "mido", "pretty_midi")
    # -n 0: pytest-benchmark measures nothing under xdist workers
    session.run("pytest", "-n", "0", "benchmarks", "--benchmark-only", "--benchmark-json", "benchmarks/results.json", *session.posargs)


#: what the docs build imports: the plugins whose pages are written from their specs and the
#: libraries they document; editable, so each page reads its plugin's README in place
DOCS_PLUGINS = [*(f"./plugins/ml5-{name}" for name in (
    "emotion", "melody", "harmony", "dynamics", "groove", "synthetic", "midi", "corpus", "gmd", "emopia", "maestro",
    "lakh", "audio", "deam")), "./contrib/ml5-example-csv"]


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    session.install(*CONSTRAINTS, "-e", "./core", "-r", "docs/requirements.txt")
    # listing a plugin's specs imports none of its own dependencies (torch, readers): leave them out
    session.install("--no-deps", *(arg for plugin in DOCS_PLUGINS for arg in ("-e", plugin)))
    site = os.path.join(session.create_tmp(), "site")
    session.run("python", "-m", "mkdocs", "build", "--strict", "--site-dir", site, *session.posargs,
                env={"NO_MKDOCS_2_WARNING": "1"})
