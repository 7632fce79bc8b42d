"""``ml5 plugin new``, run as a user runs it; and the plugins it writes, installed into a fresh
venv with the core and tested there with their own tests."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ml5.testing import run_cli

try:
    import tomllib
except ImportError:  # Python 3.10: the core depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("dataset", "model", "exporter")


def new(tmp_path: Path, name: str, kind: str, *options: str) -> subprocess.CompletedProcess:
    return run_cli("plugin", "new", name, "--kind", kind, *options, cwd=tmp_path)


@pytest.mark.parametrize(
    "name, words",
    [
        ("Drums", "'Drums': use lower-case letters"),
        ("drum-takes", "'drum-takes': use lower-case letters"),
        ("9lives", "'9lives': use lower-case"),
        ("ml5-drums", "give it without the prefix ('drums')"),
        ("a" * 41, "at most 40 characters"),
    ],
)
def test_bad_names_are_refused(tmp_path, name, words):
    result = new(tmp_path, name, "dataset")
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_kind_is_refused(tmp_path):
    result = new(tmp_path, "drums", "trainer")
    assert result.returncode == 2 and "kind 'trainer': choose one of dataset, model, exporter" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(tmp_path):
    (tmp_path / "ml5-drums").mkdir()
    (tmp_path / "ml5-drums" / "notes.txt").write_text("mine")
    result = new(tmp_path, "drums", "dataset")
    assert result.returncode == 2 and f"{Path('ml5-drums')} exists and is not empty" in result.stderr, result.stderr
    assert [p.name for p in (tmp_path / "ml5-drums").iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ml5-drums"]  # no temp folder left behind
    # an empty folder is fine, and --dir chooses another place
    (tmp_path / "empty").mkdir()
    assert new(tmp_path, "drums", "dataset", "--dir", "empty").returncode == 0
    assert (tmp_path / "empty" / "src" / "ml5_drums" / "__init__.py").is_file()


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_a_distribution(tmp_path, kind):
    result = new(tmp_path, "toy_thing", kind)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "ml5-toy_thing"
    expected = {"pyproject.toml", "noxfile.py", ".gitignore", "README.md", "src/ml5_toy_thing/__init__.py",
                "tests/test_toy_thing.py"}
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == expected
    assert sorted(Path(line).relative_to("ml5-toy_thing").as_posix() for line in result.stdout.split()) == sorted(expected)
    assert 'pip install -e ".[test]"' in result.stderr and "ml5 plugins" in result.stderr
    project = tomllib.loads((folder / "pyproject.toml").read_text())
    assert project["project"]["name"] == "ml5-toy_thing"
    assert project["project"]["entry-points"]["ml5"] == {"toy_thing": "ml5_toy_thing"}
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/ml5_toy_thing"]
    needs = {"dataset": "ml5", "model": "ml5[torch]", "exporter": "ml5"}[kind]
    assert needs in project["project"]["dependencies"]
    contract = {"dataset": "DatasetContract", "model": "ModelContract", "exporter": "ExporterContract"}[kind]
    assert f"({contract}):" in (folder / "tests" / "test_toy_thing.py").read_text()
    hook = {"dataset": "ml5_register_datasets", "model": "ml5_register_models", "exporter": "ml5_register_exporters"}[kind]
    assert f"def {hook}(register)" in (folder / "src" / "ml5_toy_thing" / "__init__.py").read_text()


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None, reason="ruff is not installed")
def test_generated_code_passes_lint(tmp_path):
    for kind in KINDS:
        assert new(tmp_path, f"lint_{kind}", kind).returncode == 0
    ruff = str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), "."],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    # and with the config each distribution carries, as its own lint session runs it
    for kind in KINDS:
        result = subprocess.run([ruff, "check", "--no-cache", "."], capture_output=True, text=True, cwd=tmp_path / f"ml5-lint_{kind}")
        assert result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("nox", path=str(Path(sys.executable).parent)) is None, reason="nox is not installed")
def test_noxfile_lists_its_sessions(tmp_path):
    assert new(tmp_path, "toy_thing", "model").returncode == 0
    result = subprocess.run([str(Path(sys.executable).parent / "nox"), "-l"], capture_output=True, text=True,
                            cwd=tmp_path / "ml5-toy_thing")
    assert result.returncode == 0, result.stderr
    assert "tests-3.10" in result.stdout and "tests-3.13" in result.stdout and "lint" in result.stdout


def _pip(venv: Path, *args: str) -> None:
    # this interpreter's pip, aimed at the venv (no pip of its own to bootstrap); no byte-compiling
    # of torch's thousands of modules: measured 36 s instead of 123 s for the core install
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                             "--no-compile", *args], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]


# The core's own sessions run torch-free on Pythons that have no local torch wheel, where pip
# would fetch a multi-GB build: the fresh venv is made where this interpreter has torch.
@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed beside these tests")
def test_each_kind_installs_and_passes_its_tests_in_a_fresh_venv(tmp_path):
    """One venv: the core (with torch, from the constraints) and pytest, none editable; the
    venv's own ``ml5 plugin new`` (so the templates must be in the core's wheel) writes the three
    plugins, they are installed there and their own tests pass; ``ml5 plugins`` lists them. The
    data set feeds the generated model and is its default, so each finds the other installed."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # hatchling first, so the plugins build without an isolated build env each
    _pip(venv, "-c", str(ROOT / "constraints.txt"), f"{ROOT / 'core'}[torch]", "pytest", "hatchling")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd,
                              env=env, timeout=600)

    for name, kind, option in (("toy_net", "model", "--dataset=toy_takes"), ("toy_takes", "dataset", "--feeds=toy_net"),
                               ("toy_dump", "exporter", "--dir=ml5-toy_dump")):
        result = run("ml5", "plugin", "new", name, "--kind", kind, option)
        assert result.returncode == 0, result.stderr
    _pip(venv, "--no-build-isolation", str(tmp_path / "ml5-toy_net"), f"{tmp_path / 'ml5-toy_takes'}[test]",
         str(tmp_path / "ml5-toy_dump"))
    for name in ("toy_net", "toy_takes", "toy_dump"):
        result = run("pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path / f"ml5-{name}")
        assert result.returncode == 0, f"ml5-{name}:\n{result.stdout[-4000:]}"
        assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
    result = run("ml5", "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert listed["toy_net"]["provides"] == {"models": ["toy_net"]}
    assert listed["toy_takes"]["provides"] == {"datasets": ["toy_takes"]}
    assert listed["toy_dump"]["provides"] == {"exporters": ["toy_dump"]}
    assert {listed[n]["distribution"] for n in ("toy_net", "toy_takes", "toy_dump")} == {"ml5-toy_net", "ml5-toy_takes", "ml5-toy_dump"}
