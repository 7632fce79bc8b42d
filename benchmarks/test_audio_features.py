"""Audio feature extraction throughput (seconds of audio per second of wall time) through the
shared pool and cache, as the DEAM reader runs it: first time and from the cache, with 1 and 2
worker processes, on the same files in one run.

A module fixture writes FILES synthesised clips of CLIP_SECONDS (WAV and MP3, 44.1 kHz stereo,
as DEAM's excerpts are) once. Each benchmark runs ``process_files(file_features, …)`` over all of
them; "first" starts from an empty cache every round, "cached" from a filled one. The summary
(throughput and ratios) is printed and written to results/audio_features.json after the module.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("librosa")
from ml5.filework import process_files  # noqa: E402
from ml5_audio.features import SETTINGS, file_features  # noqa: E402
from ml5_audio.testing import chord_music, write_audio  # noqa: E402

FILES = 48
CLIP_SECONDS = 45.0
RATE = 44_100
SUMMARY: dict[str, dict[str, float]] = {}
FEATURE_SETTINGS = {**SETTINGS, "first": 15.0, "step": 0.5, "window": 1.0}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    rng = np.random.default_rng(3)
    paths = []
    for i in range(FILES):
        v, a = rng.uniform(-1, 1, 2)
        mono = chord_music(v, a, CLIP_SECONDS, rate=RATE)
        stereo = np.stack([mono, np.roll(mono, 100)], axis=1)
        paths.append(write_audio(folder / f"{i}.{'mp3' if i % 2 else 'wav'}", stereo, rate=RATE))
    yield paths
    if len(SUMMARY) == 4:
        base = SUMMARY["first, 1 worker"]["audio_seconds_per_second"]
        for entry in SUMMARY.values():
            entry["ratio_to_first_1_worker"] = round(entry["audio_seconds_per_second"] / base, 2)
        out = Path(__file__).parent / "results" / "audio_features.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"files": FILES, "clip_seconds": CLIP_SECONDS, "results": SUMMARY}, indent=2) + "\n")
        print("\naudio feature extraction:", json.dumps(SUMMARY, indent=2))


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("cached", [False, True], ids=["first", "cached"])
def test_extract(benchmark, clips, workers, cached, monkeypatch):
    cache = Path(tempfile.mkdtemp(prefix="ml5-bench-cache-"))
    monkeypatch.setenv("ML5_CACHE_DIR", str(cache))
    if cached:
        process_files(file_features, clips, settings=FEATURE_SETTINGS, namespace="audio-features", workers=2)
    seconds = []

    def setup():
        if not cached:  # every round from an empty cache
            monkeypatch.setenv("ML5_CACHE_DIR", tempfile.mkdtemp(prefix="ml5-bench-cache-", dir=cache))

    def extract():
        started = time.perf_counter()
        result = process_files(file_features, clips, settings=FEATURE_SETTINGS, namespace="audio-features",
                               workers=workers)
        seconds.append(time.perf_counter() - started)
        assert len(result.results) == FILES and result.from_cache == (FILES if cached else 0)

    benchmark.group = "audio features"
    benchmark.pedantic(extract, setup=setup, rounds=2 if not cached else 3, iterations=1)
    rate = FILES * CLIP_SECONDS / float(np.median(seconds))
    label = f"{'cached' if cached else 'first'}, {workers} worker{'s' if workers > 1 else ''}"
    SUMMARY[label] = {"audio_seconds_per_second": round(rate, 1), "files_per_second": round(FILES / float(np.median(seconds)), 1)}
    benchmark.extra_info.update(SUMMARY[label])
    assert os.environ["ML5_CACHE_DIR"].startswith(str(cache))
