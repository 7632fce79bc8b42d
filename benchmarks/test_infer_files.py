"""``ml5 infer`` on 1 file and on 50 files, before and after it loaded each model once, read
several files in one call and dropped librosa's import (commit BEFORE), in one run.

Files: Bach chorales of the music21 corpus written to MIDI by music21, read back
(``ml5_midi.piece.read_midi``) and rendered by ml5-audio's instrument (``ml5_audio.render``), then
resampled to 44.1 kHz stereo, as songs usually come: a third each MIDI, WAV and MP3 (libsndfile's
own encoder). One file is one of the MP3s.

"Before" is the tree of commit BEFORE (``$ML5_INFER_BEFORE``, a checkout of it, else extracted
with ``git archive`` into a temporary folder: the repository's state is not touched), run with
PYTHONPATH at its ``core/src`` and ``plugins/*/src``; the compiled ml5-native is the installed
one for both. Before, 50 files are 50 calls of the CLI; after, one call with the 50 paths, from
an empty feature cache every round (and once more from the filled cache, reported beside). Both
print JSON; the outputs of every file are checked to agree. Exports: ``$ML5_INFER_EXPORTS``
(e.g. ``ml5 run --out /tmp/infer-run`` then ``/tmp/infer-run/exports``), else the newest
``runs/*/exports``, else the five models with random weights (the same sizes, so the same work).

The summary (seconds, ratios after/before) is printed and written to results/infer_files.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("music21")
pytest.importorskip("ml5_midi")
pytest.importorskip("ml5_rtneural")

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "89bd3fa"
FILES = 50
RATE = 44_100
ROUNDS = {("before", 1): 3, ("after", 1): 3, ("before", FILES): 1, ("after", FILES): 2}
SECONDS: dict[str, float] = {}
OUTPUTS: dict[str, dict[str, dict]] = {}


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    import soxr
    from ml5_audio.render import render
    from ml5_audio.testing import write_audio
    from ml5_midi.piece import read_midi
    from music21 import converter, corpus

    folder = tmp_path_factory.mktemp("songs")
    chorales = sorted(p for p in corpus.getComposer("bach") if str(p).endswith(".mxl"))
    paths: list[Path] = []
    for score in chorales[: (FILES + 2) // 3]:
        midi = folder / f"{Path(score).stem}.mid"
        converter.parse(str(score)).write("midi", fp=str(midi))
        mono = soxr.resample(render(read_midi(midi)), 22_050, RATE)
        stereo = np.stack([mono, np.roll(mono, 200)], axis=1)
        paths += [midi, write_audio(midi.with_suffix(".wav"), stereo, RATE),
                  write_audio(midi.with_suffix(".mp3"), stereo, RATE)]
    return paths[:FILES]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    given = os.environ.get("ML5_INFER_EXPORTS")
    if given:
        return Path(given)
    runs = sorted((ROOT / "runs").glob("*/exports"), key=lambda p: p.stat().st_mtime)
    if runs:
        return runs[-1]
    from ml5.testing import ExporterContract, _registry

    folder = tmp_path_factory.mktemp("exports")
    registry = _registry()
    for entry in registry.models.values():
        registry.exporters["rtneural"].spec.export(ExporterContract()._trained(entry.spec, scale=0.3),
                                                   {"model": entry.spec.title}, folder / f"{entry.spec.stem}.json")
    return folder


@pytest.fixture(scope="module")
def before_tree(tmp_path_factory):
    given = os.environ.get("ML5_INFER_BEFORE")
    if given:
        return Path(given)
    folder = tmp_path_factory.mktemp("before")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "core/src", "plugins"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def environment(version: str, before_tree: Path, cache: str) -> dict[str, str]:
    env = {**os.environ, "ML5_CACHE_DIR": cache}
    if version == "before":
        env["PYTHONPATH"] = os.pathsep.join([str(before_tree / "core" / "src"),
                                             *map(str, sorted(before_tree.glob("plugins/*/src")))])
    return env


def infer(paths: list[Path], exports: Path, env: dict[str, str]) -> dict[str, dict]:
    """One ``ml5 infer --json`` call: each file's document by its path (one indented document
    for one file, JSON Lines for several)."""
    out = subprocess.run([sys.executable, "-m", "ml5", "infer", *map(str, paths), "--models", str(exports), "--json"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    docs = [json.loads(out.stdout)] if len(paths) == 1 else [json.loads(line) for line in out.stdout.splitlines()]
    return {doc["input"]: doc for doc in docs}


@pytest.mark.parametrize("files", [1, FILES])
@pytest.mark.parametrize("version", ["before", "after"])
def test_infer(benchmark, songs, exports, before_tree, version, files, tmp_path):
    paths = [p for p in songs if p.suffix == ".mp3"][:1] if files == 1 else songs
    seconds: list[float] = []
    outputs: dict[str, dict] = {}

    def run():
        cache = tempfile.mkdtemp(prefix="cache-", dir=tmp_path)  # every round from an empty cache
        env = environment(version, before_tree, cache)
        started = time.perf_counter()
        if version == "before" or files == 1:
            for path in paths:
                outputs.update(infer([path], exports, env))
        else:
            outputs.update(infer(paths, exports, env))
        seconds.append(time.perf_counter() - started)

    benchmark.group = f"ml5 infer, {files} file{'s' if files > 1 else ''}"
    benchmark.pedantic(run, rounds=ROUNDS[version, files], iterations=1)
    key = f"{version}, {files} file{'s' if files > 1 else ''}"
    SECONDS[key] = float(np.median(seconds))
    OUTPUTS[key] = outputs
    assert len(outputs) == files
    if version == "after" and files == FILES:  # the same call once more, the features from the cache
        env = environment(version, before_tree, str(tmp_path / "warm"))
        infer(paths, exports, env)
        started = time.perf_counter()
        infer(paths, exports, env)
        SECONDS[f"after, {FILES} files, features cached"] = time.perf_counter() - started
    benchmark.extra_info["seconds"] = SECONDS[key]


@pytest.fixture(scope="module", autouse=True)
def summary(exports):
    """After the four timed runs: the outputs compared, the ratios printed and written."""
    yield
    if len(OUTPUTS) < 4:
        return
    # like with like: every file gave the same rows before and after (the features, now computed
    # with numpy, differ from librosa's by float32 rounding)
    worst = 0.0
    for files in ("1 file", f"{FILES} files"):
        before, after = OUTPUTS[f"before, {files}"], OUTPUTS[f"after, {files}"]
        assert before.keys() == after.keys()
        for path, doc in before.items():
            assert len(doc["rows"]) == len(after[path]["rows"]), path
            for a, b in zip(doc["rows"], after[path]["rows"]):
                for name, values in a["outputs"].items():
                    worst = max(worst, float(np.abs(np.asarray(values) - np.asarray(b["outputs"][name])).max()))
    assert worst < 1e-3, worst
    results = {
        "before": BEFORE,
        "exports": str(exports),
        "files": {"1": "one MP3", str(FILES): "Bach chorales: MIDI, and rendered to 44.1 kHz stereo WAV and MP3"},
        "seconds": {k: round(v, 2) for k, v in SECONDS.items()},
        "ratio_after_to_before": {
            "1 file": round(SECONDS["after, 1 file"] / SECONDS["before, 1 file"], 3),
            f"{FILES} files": round(SECONDS[f"after, {FILES} files"] / SECONDS[f"before, {FILES} files"], 3),
            f"{FILES} files, features cached": round(
                SECONDS[f"after, {FILES} files, features cached"] / SECONDS[f"before, {FILES} files"], 3),
        },
        "largest_output_difference": worst,
    }
    out = ROOT / "benchmarks" / "results" / "infer_files.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("\nml5 infer:", json.dumps(results, indent=2))
