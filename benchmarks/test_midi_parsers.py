"""Why ml5 reads MIDI with symusic: symusic, mido and pretty_midi side by side, on the same
files, in one run.

A session fixture writes FILES seeded Standard MIDI Files with symusic (1-8 tracks, a drum track
on channel 10 in some, 200-3000 notes, several tempo changes between 60 and 180 qpm, 4/4 and 3/4,
sustain pedal in some tracks, 480 or 96 ticks per quarter). Each parser turns one file into the
same thing: a sorted array of (onset seconds, pitch) for every note of every track.

- ``test_parsers_agree`` (a plain test, also in a normal run): on the first AGREE_FILES files the
  three parsers give the same pitches and onsets within 1e-3 s.
- ``test_parse_all_files[...]`` (group "midi-parse"): one benchmark per parser, parsing all FILES
  files; the peak extra memory of a child process that parses them all (see ``_peak_extra_mib``)
  goes to ``extra_info``.

After the module (when the three benchmarks ran) files/s, the time ratio to symusic and the
memory are printed and written to benchmarks/results/midi_parsers.json. pytest-benchmark's
``--benchmark-only`` skips every test that does not use the ``benchmark`` fixture, so that summary
is written by a module fixture, as test_native_vs_peers.py does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import defaultdict, deque
from pathlib import Path

import numpy as np
import pytest

symusic = pytest.importorskip("symusic")
mido = pytest.importorskip("mido")
pretty_midi = pytest.importorskip("pretty_midi")

FILES = 300
AGREE_FILES = 20
SEED = 20240607
PARSERS = ("symusic", "mido", "pretty_midi")
ROUNDS = {"symusic": 10, "mido": 3, "pretty_midi": 3}
RESULTS: dict[str, dict[str, float]] = {}
RESULTS_FILE = Path(__file__).parent / "results" / "midi_parsers.json"


# --- the corpus -------------------------------------------------------------------------------


def _write_file(folder: Path, index: int) -> tuple[Path, int]:
    """Write file ``index`` of the corpus (seeded by its index alone) and return its path and
    note count."""
    from symusic import ControlChange, Note, Score, Tempo, TimeSignature, Track

    rng = np.random.default_rng([SEED, index])
    tpq = int(rng.choice([480, 96]))
    quarters = int(rng.integers(64, 513))
    end = quarters * tpq
    score = Score(tpq)

    changes = int(rng.integers(3, 8))  # tempo events, the first at tick 0; some off the beat
    tempo_ticks = np.sort(rng.choice(np.arange(1, end), changes - 1, replace=False))
    for tick, qpm in zip([0, *tempo_ticks.tolist()], rng.uniform(60, 180, changes)):
        score.tempos.append(Tempo(int(tick), qpm=float(qpm)))
    numerator = int(rng.choice([4, 3]))
    score.time_signatures.append(TimeSignature(0, numerator, 4))
    if rng.random() < 0.5:
        bar = int(rng.integers(4, quarters // numerator))
        score.time_signatures.append(TimeSignature(bar * numerator * tpq, 7 - numerator, 4))

    n_tracks = int(rng.integers(1, 9))
    drum_track = int(rng.integers(n_tracks)) if rng.random() < 0.4 else -1
    total = int(rng.integers(200, 3001))
    counts = rng.multinomial(total - n_tracks, np.full(n_tracks, 1 / n_tracks)) + 1
    grid = tpq // 4
    for j, n in enumerate(counts.tolist()):
        is_drum = j == drum_track
        onset = rng.integers(0, end // grid, n) * grid
        jitter = rng.random(n) < 0.2  # a fifth of the notes off the sixteenth grid
        onset[jitter] += rng.integers(1, grid, int(jitter.sum()))
        onset.sort()
        if is_drum:
            duration, pitch = rng.integers(1, grid + 1, n), rng.integers(35, 82, n)
        else:
            duration, pitch = rng.integers(1, 4 * tpq, n), rng.integers(21, 109, n)
        notes = Note.from_numpy(onset.astype(np.int32), duration.astype(np.int32), pitch.astype(np.int8),
                                rng.integers(1, 128, n).astype(np.int8))
        track = Track(f"track {j}", 0 if is_drum else int(rng.integers(0, 128)), is_drum, notes=notes)
        if not is_drum and rng.random() < 0.5:  # sustain pedal: down / up pairs
            for down in np.sort(rng.choice(np.arange(0, end - tpq, tpq), min(8, quarters // 2), replace=False)):
                track.controls.append(ControlChange(int(down), 64, 127))
                track.controls.append(ControlChange(int(down) + int(rng.integers(tpq // 2, tpq)), 64, 0))
        score.tracks.append(track)

    path = folder / f"{index:04d}.mid"
    score.dump_midi(path)
    return path, int(counts.sum())


@pytest.fixture(scope="session")
def midi_files(tmp_path_factory):
    """``midi_files(n)``: the first n files of the corpus, written on first use."""
    folder = tmp_path_factory.mktemp("midi_parsers")
    written: list[tuple[Path, int]] = []

    def first(count: int) -> list[tuple[Path, int]]:
        while len(written) < count:
            written.append(_write_file(folder, len(written)))
        return written[:count]

    return first


# --- the parsers: one file -> sorted (onset seconds, pitch) -----------------------------------


def _sorted(onsets: np.ndarray, pitches: np.ndarray) -> np.ndarray:
    order = np.lexsort((pitches, onsets))
    return np.column_stack((np.asarray(onsets, dtype=np.float64)[order], np.asarray(pitches, dtype=np.float64)[order]))


def notes_symusic(path: Path) -> np.ndarray:
    score = symusic.Score(path).to("second")
    arrays = [track.notes.numpy() for track in score.tracks]
    if not arrays:
        return np.empty((0, 2))
    return _sorted(np.concatenate([a["time"] for a in arrays]), np.concatenate([a["pitch"] for a in arrays]))


def notes_mido(path: Path) -> np.ndarray:
    """mido: absolute ticks per track, notes paired first in, first out per (channel, pitch)
    (unclosed note-ons dropped), then ticks to seconds with the tempo map merged from all tracks
    (a type-1 file keeps its tempos in track 0, but nothing forbids them elsewhere)."""
    mid = mido.MidiFile(path)
    tempo_events: list[tuple[int, int]] = []
    ticks: list[int] = []
    pitches: list[int] = []
    for track in mid.tracks:
        tick = 0
        pending: dict[tuple[int, int], deque[int]] = defaultdict(deque)
        for msg in track:
            tick += msg.time
            kind = msg.type
            if kind == "note_on" and msg.velocity > 0:
                pending[(msg.channel, msg.note)].append(tick)
            elif kind == "note_off" or kind == "note_on":
                starts = pending.get((msg.channel, msg.note))
                if starts:
                    ticks.append(starts.popleft())
                    pitches.append(msg.note)
            elif kind == "set_tempo":
                tempo_events.append((tick, msg.tempo))
    if mid.type == 2:
        raise ValueError("type-2 MIDI files have one tempo map per track")
    tempo_events.sort(key=lambda event: event[0])  # stable: the last event at a tick wins below
    if not tempo_events or tempo_events[0][0] > 0:
        tempo_events.insert(0, (0, 500_000))  # the default, 120 qpm
    change_ticks = np.array([t for t, _ in tempo_events], dtype=np.int64)
    seconds_per_tick = np.array([us for _, us in tempo_events], dtype=np.float64) / (1e6 * mid.ticks_per_beat)
    change_seconds = np.concatenate(([0.0], np.cumsum(np.diff(change_ticks) * seconds_per_tick[:-1])))
    at = np.asarray(ticks, dtype=np.int64)
    segment = np.searchsorted(change_ticks, at, side="right") - 1
    onsets = change_seconds[segment] + (at - change_ticks[segment]) * seconds_per_tick[segment]
    return _sorted(onsets, np.asarray(pitches, dtype=np.int64))


def notes_pretty_midi(path: Path) -> np.ndarray:
    midi = pretty_midi.PrettyMIDI(str(path))
    notes = [note for instrument in midi.instruments for note in instrument.notes]
    return _sorted(np.fromiter((n.start for n in notes), np.float64, len(notes)),
                   np.fromiter((n.pitch for n in notes), np.int64, len(notes)))


PARSE = {"symusic": notes_symusic, "mido": notes_mido, "pretty_midi": notes_pretty_midi}


# --- correctness ------------------------------------------------------------------------------


def _by_pitch(notes: np.ndarray) -> np.ndarray:
    """Sorted by pitch, then onset: pitches are exact, so ties in onset cannot reorder rows."""
    return notes[np.lexsort((notes[:, 0], notes[:, 1]))]


def test_parsers_agree(midi_files):
    for path, expected in midi_files(AGREE_FILES):
        parsed = {name: PARSE[name](path) for name in PARSERS}
        reference = _by_pitch(parsed["symusic"])
        assert len(reference) == expected, f"{path.name}: symusic read {len(reference)} of {expected} notes"
        assert reference[-1, 0] > 10.0  # a real piece, tempo map and all
        for name in ("mido", "pretty_midi"):
            other = _by_pitch(parsed[name])
            assert other.shape == reference.shape, f"{path.name}: {name} {other.shape} vs symusic {reference.shape}"
            assert np.array_equal(other[:, 1], reference[:, 1]), f"{path.name}: {name} pitches differ"
            worst = float(np.max(np.abs(other[:, 0] - reference[:, 0])))
            assert worst < 1e-3, f"{path.name}: {name} onsets differ from symusic by up to {worst:.6f} s"


# --- speed and memory -------------------------------------------------------------------------

_CHILD = """
import ctypes, gc, importlib.util, json, re, resource, sys
spec = importlib.util.spec_from_file_location("_midi_parsers_child", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
parse = module.PARSE[sys.argv[2]]
paths = sys.stdin.read().split("\\n")
parse(paths[0])
gc.collect()

def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))

try:  # give the heap freed by the imports back to the system, then restart the high-water mark
    ctypes.CDLL(None).malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before, peak = status("VmRSS"), lambda: status("VmHWM")
except (AttributeError, OSError):  # not Linux / glibc: the peak since start-up
    before, peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, lambda: resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss
notes = sum(len(parse(p)) for p in paths)
print(json.dumps({"before_kib": before, "peak_kib": peak(), "notes": notes}))
"""


def _peak_extra_mib(name: str, paths: list[Path]) -> float:
    """Peak RSS of a fresh interpreter while it parses all the files one by one (each file's
    parser objects dropped, its note array counted), less its RSS just before: after the imports,
    one warm-up file and malloc_trim, with the kernel's high-water mark reset (Linux; elsewhere
    ru_maxrss since start-up). Counts C++ allocations, which tracemalloc misses."""
    done = subprocess.run([sys.executable, "-c", _CHILD, __file__, name], input="\n".join(map(str, paths)),
                          capture_output=True, text=True, check=True, timeout=600)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["notes"] > 0
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return max(0, figures["peak_kib"] - figures["before_kib"]) * scale / 2**20


@pytest.fixture(scope="module", autouse=True)
def summary():
    """After the module's benchmarks: files/s, time ratio to symusic and peak extra memory per
    parser, printed and written to benchmarks/results/midi_parsers.json (only when all three ran)."""
    yield
    if any(name not in RESULTS for name in PARSERS):
        return
    base = RESULTS["symusic"]["seconds"]
    report: dict[str, object] = {
        name: {
            "files_per_second": round(FILES / RESULTS[name]["seconds"], 1),
            "median_seconds_all_files": round(RESULTS[name]["seconds"], 4),
            "times_slower_than_symusic": round(RESULTS[name]["seconds"] / base, 2),
            "peak_extra_mib": round(RESULTS[name]["peak_extra_mib"], 1),
        }
        for name in PARSERS
    }
    report["files"] = FILES
    report["notes"] = int(RESULTS["symusic"]["notes"])
    report["when"] = time.strftime("%Y-%m-%d %H:%M")
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2) + "\n")
    print("\n" + json.dumps(report, indent=2))


@pytest.mark.parametrize("name", PARSERS)
def test_parse_all_files(benchmark, midi_files, name):
    paths = [path for path, _ in midi_files(FILES)]
    parse = PARSE[name]
    benchmark.group = "midi-parse"
    result = benchmark.pedantic(lambda: [parse(p) for p in paths], rounds=ROUNDS[name], iterations=1,
                                warmup_rounds=1 if name == "symusic" else 0)
    notes = sum(len(r) for r in result)
    assert notes == sum(n for _, n in midi_files(FILES))
    if benchmark.stats is None:  # --benchmark-disable: ran once, nothing measured
        return
    seconds = benchmark.stats.stats.median
    peak = _peak_extra_mib(name, paths)
    benchmark.extra_info.update({"files": FILES, "notes": notes, "files_per_second": round(FILES / seconds, 1),
                                 "peak_extra_mib": round(peak, 1)})
    RESULTS[name] = {"seconds": seconds, "peak_extra_mib": peak, "notes": notes}

