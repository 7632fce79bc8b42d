"""The runtime as a package a host build consumes: `cmake --install` it into a prefix, build
the example host (native/examples/host) against it with find_package and against the source
tree with FetchContent, and run the host on the five reference models: a simulated audio
callback every 256 samples at 48 kHz, submit + poll, and a hot reload mid-stream."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import ml5_native
import pytest

NATIVE = Path(__file__).resolve().parents[2]
EXAMPLE = NATIVE / "examples" / "host"
HOST = "ml5-example-host"
RATE, BLOCK = 48000, 256  # the host's defaults: what a plugin's callback typically gets

CXX = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or CXX is None,
    reason="needs cmake and a C++ compiler on PATH (or $CXX) to build the runtime and the example host",
)


def _run(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


def _build(source: Path, build: Path, *defines: str, build_type: str = "Release", target: str | None = None) -> None:
    _run("cmake", "-S", source, "-B", build, f"-DCMAKE_BUILD_TYPE={build_type}", *defines)
    _run("cmake", "--build", build, "-j2", *(["--target", target] if target else []))


def _header_version() -> str:
    text = (NATIVE / "include" / "ml5" / "version.hpp").read_text()
    parts = [re.search(rf"#define ML5RT_VERSION_{p} (\d+)", text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


@pytest.fixture(scope="module")
def prefix(native_release) -> Path:
    """The library's Release build, installed into a fresh prefix (the session's shared build)."""
    return native_release.prefix


@pytest.fixture(scope="module")
def models(tmp_path_factory, conformance) -> Path:
    """A models folder as `ml5 run` exports it: the five reference architectures, <stem>.json."""
    folder = tmp_path_factory.mktemp("models")
    for _name, _title, stem, _n_in, _n_out in ml5_native.MODEL_SLOTS:
        shutil.copyfile(conformance / f"ref_{stem}.model.json", folder / f"{stem}.json")
    return folder


@pytest.fixture(scope="module")
def host(prefix, tmp_path_factory) -> Path:
    """The example host built against the installed package only."""
    build = tmp_path_factory.mktemp("host")
    _build(EXAMPLE, build, f"-DCMAKE_PREFIX_PATH={prefix}")
    return build / HOST


def _stream(host: Path, models: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    result = subprocess.run([str(host), str(models), "--json", *args], capture_output=True, text=True, timeout=120)
    assert result.stdout, f"no report (exit {result.returncode}): {result.stderr}"
    return json.loads(result.stdout), result


def test_installed_headers_are_the_public_set_and_self_sufficient(prefix):
    include = prefix / "include"
    installed = {p.relative_to(include).as_posix() for p in include.rglob("*") if p.is_file()}
    public = {p.relative_to(NATIVE / "include").as_posix() for p in (NATIVE / "include" / "ml5").rglob("*.hpp")}
    assert installed == public
    for name in installed:
        for quoted, angled in re.findall(r'#include\s*(?:"([^"]+)"|<([^>]+)>)', (include / name).read_text()):
            if quoted:  # another public header, never src/ or third_party/
                assert (include / quoted).is_file(), f"{name} includes {quoted!r}, which is not installed"
            else:  # the standard library only: a host has no third-party headers for us
                assert re.fullmatch(r"[a-z_]+", angled), f"{name} includes <{angled}>, not a standard header"
    leaked = [p.name for p in prefix.rglob("*") if re.search(r"yyjson|nlohmann", p.name)]
    assert not leaked, f"third-party files installed: {leaked}"


def test_one_version_in_header_package_and_distribution(prefix):
    version = _header_version()
    (path,) = prefix.glob("lib*/cmake/ml5rt/ml5rtConfigVersion.cmake")  # lib or lib64
    config_version = path.read_text()
    assert f'set(PACKAGE_VERSION "{version}")' in config_version
    assert "SameMinorVersion" in config_version or "PACKAGE_FIND_VERSION_MINOR" in config_version
    # The Python distribution (native/pyproject.toml) and the binding built from the header.
    assert importlib.metadata.version("ml5-native") == version, "native/pyproject.toml and ml5/version.hpp disagree"
    assert ml5_native.__version__ == version, (
        "the installed binding was built from another version: pip install ./native"
    )


@pytest.mark.parametrize("minor_offset, found", [(0, True), (1, False)])
def test_find_package_accepts_the_same_minor_version_only(prefix, tmp_path, minor_offset, found):
    major, minor, _patch = map(int, _header_version().split("."))
    wanted = f"{major}.{minor + minor_offset}"
    (tmp_path / "CMakeLists.txt").write_text(
        f"cmake_minimum_required(VERSION 3.18)\nproject(probe LANGUAGES CXX)\nfind_package(ml5rt {wanted} CONFIG REQUIRED)\n"
    )
    result = subprocess.run(
        ["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "b"), f"-DCMAKE_PREFIX_PATH={prefix}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode == 0) == found, result.stderr[-2000:]
    if not found:
        assert "ml5rt" in result.stderr and wanted in result.stderr


def test_example_host_streams_and_reloads_without_a_missed_callback(host, models):
    seconds = 2.0
    report, result = _stream(host, models, "--seconds", str(seconds))
    blocks = round(seconds * RATE / BLOCK)
    assert report["version"] == _header_version()
    assert report["models_loaded"] == len(ml5_native.MODEL_SLOTS)
    calls = report["callbacks"]
    assert calls["run"] == report["blocks"] == blocks
    assert calls["missed"] == 0, f"callbacks over one block ({report['block_period_us']} us): {calls}"
    assert 0 < calls["p50_us"] <= calls["p99_us"] <= calls["max_us"] < report["block_period_us"]
    # Paced at the audio rate, the worker keeps up: every frame accepted and answered, in order,
    # by the five networks (not their fallbacks).
    frames, results = report["frames"], report["results"]
    assert frames == {"accepted": blocks, "rejected_full": 0}
    assert results["received"] == blocks and results["dropped_at_stop"] == 0
    assert results["from_networks"] == blocks and results["failed"] == 0 and results["out_of_order"] == 0
    reload = report["reload"]
    assert reload["ok"] and reload["error"] == "" and reload["model"] == "melody"
    assert reload["generation_after"] == reload["generation_before"] + 1
    assert abs(reload["requested_at_block"] - blocks / 2) <= 2
    assert reload["callbacks"]["run"] >= math.floor(reload["duration_ms"] * 1000 / report["block_period_us"])
    assert reload["callbacks"]["missed"] == 0
    assert report["ok"] and result.returncode == 0, result.stderr


def test_example_host_reports_callbacks_over_their_block_as_missed(host, models):
    # A 10 ns block: no callback can do submit + poll in it, so every one must be counted.
    seconds, rate, block = 1e-5, 1e9, 10
    report, result = _stream(
        host, models, "--seconds", str(seconds), "--rate", str(rate), "--block", str(block), "--no-rt"
    )
    blocks = round(seconds * rate / block)
    assert report["callbacks"]["run"] == blocks
    assert report["callbacks"]["missed"] == blocks
    assert not report["ok"] and result.returncode == 1


def test_example_host_names_the_model_it_cannot_load(host, models, tmp_path):
    for path in models.iterdir():
        shutil.copyfile(path, tmp_path / path.name)
    (tmp_path / "melodytransformer.json").write_text('{"in_shape": [null, 64], "layers": [')
    result = subprocess.run([str(host), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "MelodyTransformer" in result.stderr and "melodytransformer.json" in result.stderr
    n = len(ml5_native.MODEL_SLOTS)
    assert f"{n - 1} of {n} models loaded" in result.stderr


@pytest.mark.parametrize("args, words", [
    (["--block", "0.5"], "--block: expected a whole number from 1"),
    (["--block", "3000000000"], "--block: expected a whole number from 1"),
    (["--seconds", "0.001"], "a run needs callbacks before and after its reload"),
])
def test_example_host_refuses_settings_it_cannot_run(host, models, args, words):
    result = subprocess.run([str(host), str(models), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and words in result.stderr, result.stderr


def test_example_host_builds_from_the_source_tree(models, tmp_path):
    build = tmp_path / "host-src"
    # No build type: the runtime, as a subproject, must leave the host's choice alone (and an
    # unoptimised build takes half the time of the Release one the package test already made).
    _build(EXAMPLE, build, f"-DML5_HOST_RUNTIME_SOURCE={NATIVE}", build_type="", target=HOST)
    cache = (build / "CMakeCache.txt").read_text()
    assert re.search(r"^CMAKE_BUILD_TYPE:STRING=$", cache, re.M), "the runtime set the host's build type"
    for option in ("ML5_BUILD_TESTS", "ML5_BUILD_TOOLS", "ML5_INSTALL"):  # a subproject builds the library only
        assert f"{option}:BOOL=OFF" in cache, option
    assert not list(build.rglob("ml5rt_conformance*"))
    report, result = _stream(build / HOST, models, "--seconds", "0.5")
    assert report["ok"] and result.returncode == 0, result.stderr
    assert report["results"]["from_networks"] == report["frames"]["accepted"] > 0


def test_example_host_plays_a_rendered_piece_as_ml5_infer_reads_it(host, tmp_path):
    """--play: a piece rendered by the SoundFont, 48 kHz stereo, through the 256-sample callback
    and ml5::AudioChain; with the file's level measured first (--file-level) the printed
    timeline is ml5 infer's: the same windows and top chords, valence and arousal within 1e-3.
    No callback missed, no allocation on the audio thread."""
    import sys

    testing = pytest.importorskip("ml5_audio.testing")
    soundfont = pytest.importorskip("ml5_audio.soundfont")
    score = pytest.importorskip("ml5_midi.score")
    import numpy as np
    import soundfile
    from ml5.music import CHORD_VOCABULARY
    from music21 import corpus

    exports = testing.random_exports(tmp_path / "exports")
    piece = score.piece_from_score(corpus.parse("bach/bwv66.6"))
    tracks = len(set(piece.track.tolist()))
    left, right = (soundfont.render(piece, soundfont.draw_programs(tracks, seed=s), rate=RATE)[: 13 * RATE] for s in (1, 2))
    path = tmp_path / "piece.wav"
    soundfile.write(path, np.stack([left, right], axis=1) * 0.7, RATE, subtype="PCM_24")
    result = subprocess.run([str(host), str(exports), "--play", str(path), "--window", "4", "--hop", "4", "--file-level",
                             "--fast", "--json"], capture_output=True, text=True, timeout=120)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["missed"] == 0 and report["audio_thread_allocations"] == 0, report
    assert (report["sample_rate"], report["channels"], report["block"]) == (RATE, 2, BLOCK)
    infer = subprocess.run([sys.executable, "-m", "ml5", "infer", str(path), "--models", str(exports), "--window", "4",
                            "--json"], capture_output=True, text=True, timeout=300)
    assert infer.returncode == 0, infer.stderr
    rows = json.loads(infer.stdout)["rows"]
    timeline = report["timeline"]
    assert [(t["start"], t["end"]) for t in timeline] == [(r["start"], r["end"]) for r in rows] and len(rows) == 3
    assert [t["chord"] for t in timeline] == [CHORD_VOCABULARY[int(np.argmax(r["outputs"]["harmony"]))] for r in rows]
    for t, r in zip(timeline, rows):
        assert abs(t["valence"] - r["valence"]) <= 1e-3 and abs(t["arousal"] - r["arousal"]) <= 1e-3
        assert t["arrived_s"] >= t["end"]  # a result never comes before its window has been heard


def test_example_host_play_refuses_what_it_cannot_read(host, models, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEfmt nonsense")
    result = subprocess.run([str(host), str(models), "--play", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "bad.wav: not a decodable audio file" in result.stderr
