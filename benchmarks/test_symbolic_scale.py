"""Reading a Lakh-layout folder at scale through the shared symbolic path (ml5-lakh → ml5-midi →
ml5.filework): files/s with 1 and 2 workers, first time and from the cache, peak memory, and
peak memory against the number of files (500 / 1,000 / 2,000): peak RSS, and the peak of
Python and numpy allocations (tracemalloc) — at this size RSS is mostly the interpreter and its
imports, the traced peak is what grows with the data.

The fixture writes FILES generated songs into ``lmd_full/<hex>/<md5>.mid`` — 4 to 24 bars, a
melody, chords and sometimes drums, tempo changes — of which 5% are odd in the ways the real
data set is: broken, empty, type 2, an absurd tempo, drums only, 300 tracks. Each measurement
runs in a fresh process (so its peak RSS, children included, is its own) and reports every
skipped file with its reason. Results: results/symbolic_scale.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ml5_lakh")
from ml5_midi.testing import drum_bar, write_midi  # noqa: E402

FILES = 2000
ODD_SHARE = 0.05
RESULTS: dict[str, dict] = {}

MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    from pathlib import Path
    from ml5.testing import open_dataset
    trace = sys.argv[4] == "trace"
    if trace:  # Python and numpy allocations while the data is read: what grows with the files
        tracemalloc.start()
    started = time.perf_counter()
    data = open_dataset("lakh", "melody", Path(sys.argv[1]), workers=int(sys.argv[2]), max_files=int(sys.argv[3]))
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    rss = lambda who: resource.getrusage(who).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "files": data.stats["files"], "skipped": data.stats["skipped"],
                      "from_cache": data.stats["from_cache"], "examples": len(data.inputs),
                      "data_mib": (data.inputs.nbytes + data.targets.nbytes) / 2**20, "traced_peak_mib": traced,
                      "peak_rss_mib": rss(resource.RUSAGE_SELF), "peak_rss_children_mib": rss(resource.RUSAGE_CHILDREN)}))
    """
)


def _song(rng: np.random.Generator) -> dict:
    bars = int(rng.integers(4, 25))
    root = int(rng.integers(48, 60))
    melody = [(0.5 * i, 0.5, root + 12 + int(rng.choice([0, 2, 4, 5, 7, 9, 11])), int(rng.integers(50, 110)))
              for i in range(bars * 8)]
    chords = [(4.0 * b, 4.0, root + int(rng.choice([0, 5, 7, 9])) + i, 70) for b in range(bars) for i in (0, 4, 7)]
    tracks, drums = [melody, chords], [False, False]
    if rng.random() < 0.5:
        tracks.append([n for b in range(bars) for n in drum_bar(b)])
        drums.append(True)
    qpm = float(rng.integers(70, 160))
    return {"tracks": tracks, "drums": drums, "tempos": [(0, qpm), (4.0 * (bars // 2), qpm * 1.1)]}


def _odd(kind: int, path: Path, rng: np.random.Generator) -> None:
    if kind == 0:
        path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x90")
    elif kind == 1:
        path.write_bytes(b"")
    elif kind == 2:
        path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x02\x00\x01\x01\xe0MTrk\x00\x00\x00\x0c\x00\x90\x3c\x40\x83\x60\x80\x3c\x00\x00\xff\x2f\x00")
    elif kind == 3:
        write_midi(path, **{**_song(rng), "tempos": [(0, 5000.0)]})
    elif kind == 4:
        write_midi(path, [[n for b in range(8) for n in drum_bar(b)]], drums=[True])
    else:
        write_midi(path, [[(float(t % 32), 1.0, 40 + t % 40, 60)] for t in range(300)])


@pytest.fixture(scope="module")
def lakh(tmp_path_factory):
    root = tmp_path_factory.mktemp("lakh")
    rng = np.random.default_rng(11)
    odd_every = int(1 / ODD_SHARE)
    for i in range(FILES):
        name = f"{rng.integers(0, 2**63):016x}{i:016x}"
        path = root / "lmd_full" / name[0] / f"{name}.mid"
        path.parent.mkdir(parents=True, exist_ok=True)
        if i % odd_every == 0:
            _odd((i // odd_every) % 6, path, rng)
        else:
            write_midi(path, **_song(rng))
    yield root
    if RESULTS:
        out = Path(__file__).parent / "results" / "symbolic_scale.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"files": FILES, "odd_share": ODD_SHARE, "results": RESULTS}, indent=2) + "\n")
        print("\nsymbolic scale:", json.dumps({k: {m: v for m, v in r.items() if m != "skipped"} for k, r in RESULTS.items()}, indent=2))


def _measure(root: Path, cache: Path, workers: int, files: int = 0, trace: bool = False) -> dict:
    env = {"ML5_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", MEASURE, str(root), str(workers), str(files), "trace" if trace else "-"]
    out = subprocess.run(command, capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("workers", [1, 2])
def test_first_and_cached(benchmark, lakh, tmp_path, workers):
    cache = tmp_path / "cache"
    runs = []
    benchmark.group = "lakh-scale"
    benchmark.pedantic(lambda: runs.append(_measure(lakh, cache, workers)), rounds=1, iterations=1)
    runs.append(_measure(lakh, cache, workers))
    for label, run in zip(("first", "cached"), runs):
        run["files_per_second"] = round(run["files"] / run["seconds"], 1)
        RESULTS[f"{label}, {workers} worker{'s' if workers > 1 else ''}"] = run
    odd = FILES // int(1 / ODD_SHARE)
    assert len(runs[0]["skipped"]) >= odd - odd // 6  # every odd file but the 300-track ones is named
    assert runs[1]["from_cache"] == FILES


def test_memory_against_file_count(benchmark, lakh, tmp_path):
    cache = tmp_path / "cache"
    _measure(lakh, cache, 2)  # fill the cache once; then each count reads from it
    benchmark.group = "lakh-scale"
    counts = (500, 1000, 2000)
    runs = {}
    benchmark.pedantic(lambda: runs.update({n: _measure(lakh, cache, 1, n) for n in counts}), rounds=1, iterations=1)
    traced = {n: _measure(lakh, cache, 1, n, trace=True)["traced_peak_mib"] for n in counts}
    for n in counts:
        RESULTS[f"cached, {n} files"] = {**{k: v for k, v in runs[n].items() if k != "skipped"},
                                         "traced_peak_mib": traced[n]}
    per_1000 = lambda values: round((values[2000] - values[500]) / 1.5, 1)  # noqa: E731
    examples = per_1000({n: runs[n]["examples"] for n in counts})
    traced_slope = per_1000(traced)
    RESULTS["slope per 1,000 files"] = {
        "peak_rss_mib": per_1000({n: runs[n]["peak_rss_mib"] for n in counts}),
        "traced_peak_mib": traced_slope,
        "data_mib": per_1000({n: runs[n]["data_mib"] for n in counts}),
        "examples": examples,
        "traced_bytes_per_example": round(traced_slope * 2**20 / examples),
    }
