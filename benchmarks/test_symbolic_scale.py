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
PERFORMANCES = 200  # MAESTRO-layout performances, 30-90 s each
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
    dataset, model, folder, workers, files = sys.argv[5], sys.argv[6], Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    data = open_dataset(dataset, model, folder, workers=workers, max_files=files)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    rss = lambda who: resource.getrusage(who).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "files": data.stats["files"], "skipped": data.stats["skipped"],
                      "from_cache": data.stats["from_cache"], "examples": len(data.inputs),
                      "data_mib": (data.inputs.nbytes + data.targets.nbytes) / 2**20, "traced_peak_mib": traced,
                      "peak_rss_mib": rss(resource.RUSAGE_SELF), "peak_rss_children_mib": rss(resource.RUSAGE_CHILDREN)}))
    """
)


MAJOR_LOOP = ((0, (0, 4, 7)), (9, (0, 3, 7)), (5, (0, 4, 7)), (7, (0, 4, 7)))  # I vi IV V
MINOR_LOOP = ((0, (0, 3, 7)), (8, (0, 4, 7)), (3, (0, 4, 7)), (10, (0, 4, 7)))  # i VI III VII
SCALES = {True: (0, 2, 4, 5, 7, 9, 11), False: (0, 2, 3, 5, 7, 8, 10)}


def _song(rng: np.random.Generator) -> dict:
    """A pop song with structure a model can learn, as real songs have: major songs are fast and
    loud, minor ones slow and soft (so the emotion proxy tells them apart), each in C, F or G;
    the chords loop (I vi IV V, or i VI III VII), so a bar's chord follows from the bar before;
    an eighth-note melody in the key, chord tones on the beat."""
    bars = int(rng.integers(4, 25))
    major = bool(rng.random() < 0.5)
    tonic = int(rng.choice([0, 5, 7]))
    loop, scale = (MAJOR_LOOP if major else MINOR_LOOP), SCALES[major]
    loud = 95 if major else 60
    chords, melody = [], []
    for b in range(bars):
        offset, triad = loop[b % 4]
        root = 48 + (tonic + offset) % 12
        chords += [(4.0 * b, 4.0, root + i, loud - 20) for i in triad]
        for k in range(8):
            pc = (tonic + offset + int(rng.choice(triad))) if k % 2 == 0 else (tonic + int(rng.choice(scale)))
            melody.append((4.0 * b + 0.5 * k, 0.5, 72 + pc % 12, int(rng.integers(loud - 10, loud + 10))))
    tracks, drums = [melody, chords], [False, False]
    if rng.random() < 0.5:
        tracks.append([n for b in range(bars) for n in drum_bar(b)])
        drums.append(True)
    qpm = float(rng.integers(120, 160) if major else rng.integers(66, 96))
    return {"tracks": tracks, "drums": drums, "tempos": [(0, qpm), (4.0 * (bars // 2), qpm * 1.05)]}


def _performance(rng: np.random.Generator) -> dict:
    """A piano performance as MAESTRO records it: one tempo (120 qpm) and no bar grid, the
    playing's own timing in the onsets; a left-hand arpeggio and a right-hand line, the pedal
    changed every two seconds, the loudness swelling. Loud performances are in major keys, soft
    ones in minor (so the proxy's valence carries the dynamics, as in the plugin's tests)."""
    seconds = float(rng.uniform(30, 90))
    major = bool(rng.random() < 0.5)
    tonic, scale = int(rng.integers(0, 12)), SCALES[major]
    level = int(rng.integers(70, 95) if major else rng.integers(35, 60))
    step = float(rng.uniform(0.12, 0.3) if major else rng.uniform(0.25, 0.5))  # seconds per note
    left, right, t = [], [], 0.0
    while t < seconds - 1:
        swell = 12 * np.sin(2 * np.pi * t / 16)
        degree = int(rng.integers(0, 7))
        beat = 2 * (t + float(rng.normal(0, 0.01)))  # 120 qpm: two beats a second
        left.append((max(0.0, beat), 2 * step * 1.5, 36 + tonic + scale[(degree * 2) % 7],
                     int(np.clip(level - 15 + swell, 1, 127))))
        right.append((max(0.0, beat), 2 * step, 60 + tonic + scale[degree] + 12 * int(rng.integers(0, 2)),
                      int(np.clip(level + swell + rng.normal(0, 4), 1, 127))))
        t += step * float(rng.uniform(0.8, 1.2))
    pedal = [(4.0 * k + 0.2, 4.0 * k + 3.8) for k in range(int(seconds / 2))]
    return {"tracks": [right, left], "tempos": [(0, 120.0)], "signatures": (), "pedal": pedal}


def make_maestro(root: Path, performances: int, rng: np.random.Generator) -> Path:
    """``maestro-v3.0.0/`` with year folders, the CSV and the JSON; splits 80/10/10 by piece."""
    base = root / "maestro-v3.0.0"
    rows, records = [], []
    for i in range(performances):
        year = (2004, 2006, 2008, 2009, 2011, 2013, 2014, 2015, 2017, 2018)[i % 10]
        name = f"{year}/MIDI-Unprocessed_{i:04d}_R1_{year}_01-03_ORIG_MID--AUDIO_{i:04d}_R1_{year}_wav--1.midi"
        write_midi(base / name, **_performance(rng))
        split = "validation" if i % 10 == 3 else "test" if i % 10 == 7 else "train"
        rows.append(f"Composer {i % 40},Piece {i},{split},{year},{name},{name[:-5]}.wav,60.0\n")
        records.append({"canonical_composer": f"Composer {i % 40}", "split": split, "midi_filename": name})
    (base / "maestro-v3.0.0.csv").write_text(
        "canonical_composer,canonical_title,split,year,midi_filename,audio_filename,duration\n" + "".join(rows))
    (base / "maestro-v3.0.0.json").write_text(json.dumps(records))
    return root


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
def results():
    yield RESULTS
    if RESULTS:
        out = Path(__file__).parent / "results" / "symbolic_scale.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"lakh_files": FILES, "odd_share": ODD_SHARE, "maestro_performances": PERFORMANCES,
                                   "results": RESULTS}, indent=2) + "\n")
        print("\nsymbolic scale:", json.dumps({k: {m: v for m, v in r.items() if m != "skipped"} for k, r in RESULTS.items()}, indent=2))


@pytest.fixture(scope="module")
def lakh(tmp_path_factory, results):
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
    return root


@pytest.fixture(scope="module")
def maestro(tmp_path_factory, results):
    return make_maestro(tmp_path_factory.mktemp("maestro"), PERFORMANCES, np.random.default_rng(12))


#: the model each data set is measured reading for
READS = {"lakh": "melody", "maestro": "dynamics"}


def _measure(dataset: str, root: Path, cache: Path, workers: int, files: int = 0, trace: bool = False) -> dict:
    env = {"ML5_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", MEASURE, str(root), str(workers), str(files), "trace" if trace else "-",
               dataset, READS[dataset]]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("dataset", ["lakh", "maestro"])
def test_first_and_cached(benchmark, request, tmp_path, dataset, workers):
    folder = request.getfixturevalue(dataset)
    cache = tmp_path / "cache"
    runs = []
    benchmark.group = "symbolic-scale"
    benchmark.pedantic(lambda: runs.append(_measure(dataset, folder, cache, workers)), rounds=1, iterations=1)
    runs.append(_measure(dataset, folder, cache, workers))
    for label, run in zip(("first", "cached"), runs):
        run["files_per_second"] = round(run["files"] / run["seconds"], 1)
        RESULTS[f"{dataset}: {label}, {workers} worker{'s' if workers > 1 else ''}"] = run
    if dataset == "lakh":
        odd = FILES // int(1 / ODD_SHARE)
        assert len(runs[0]["skipped"]) >= odd - odd // 6  # every odd file but the 300-track ones is named
        assert runs[1]["from_cache"] == FILES
    else:
        assert runs[0]["skipped"] == [] and runs[1]["from_cache"] == PERFORMANCES


def test_memory_against_file_count(benchmark, lakh, tmp_path):
    cache = tmp_path / "cache"
    _measure("lakh", lakh, cache, 2)  # fill the cache once; then each count reads from it
    benchmark.group = "symbolic-scale"
    counts = (500, 1000, 2000)
    runs = {}
    benchmark.pedantic(lambda: runs.update({n: _measure("lakh", lakh, cache, 1, n) for n in counts}), rounds=1, iterations=1)
    traced = {n: _measure("lakh", lakh, cache, 1, n, trace=True)["traced_peak_mib"] for n in counts}
    for n in counts:
        RESULTS[f"lakh: cached, {n} files"] = {**{k: v for k, v in runs[n].items() if k != "skipped"},
                                               "traced_peak_mib": traced[n]}
    per_1000 = lambda values: round((values[2000] - values[500]) / 1.5, 1)  # noqa: E731
    examples = per_1000({n: runs[n]["examples"] for n in counts})
    traced_slope = per_1000(traced)
    RESULTS["lakh: slope per 1,000 files"] = {
        "peak_rss_mib": per_1000({n: runs[n]["peak_rss_mib"] for n in counts}),
        "traced_peak_mib": traced_slope,
        "data_mib": per_1000({n: runs[n]["data_mib"] for n in counts}),
        "examples": examples,
        "traced_bytes_per_example": round(traced_slope * 2**20 / examples),
    }


RUN_CONFIG = """
[models.melody]
dataset = "lakh"
path = "{lakh}"

[models.harmony]
dataset = "lakh"
path = "{lakh}"

[models.dynamics]
dataset = "maestro"
path = "{maestro}"
"""


def test_run_end_to_end(benchmark, lakh, maestro, tmp_path):
    """``ml5 run`` with melody and harmony on the Lakh-layout folder and dynamics on the
    MAESTRO-layout one, default training settings: each model's task metric against its baseline."""
    import os

    (tmp_path / "ml5.toml").write_text(RUN_CONFIG.format(lakh=lakh, maestro=maestro))
    env = {**os.environ, "ML5_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "ml5", "run", "--plugins", "melody,harmony,dynamics", "--out", "run"]
    benchmark.group = "symbolic-run"
    benchmark.pedantic(lambda: subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True),
                       rounds=1, iterations=1)
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["ok"], report["failures"]
    RESULTS["ml5 run"] = {"seconds": report["seconds"]}
    for model in report["models"]:
        task = model["task"]
        RESULTS[f"ml5 run: {model['model']}"] = {
            "data": model["data"]["description"], "files": model["data"]["files"],
            "files_skipped": model["data"]["files_skipped"], "epochs_run": model["epochs_run"],
            "best_val_loss": model["best_val_loss"], "baseline_loss": model["baseline_loss"],
            "task": {k: v for k, v in task.items() if k != "higher_is_better"},
        }
        better = task["value"] > task["baseline"] if task["higher_is_better"] else task["value"] < task["baseline"]
        assert better, f"{model['model']}: {task}"
